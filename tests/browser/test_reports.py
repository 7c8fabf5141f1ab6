"""Browser test of the report over the demo's year of history: a supervisor opens 报表 and lands on last month
beside the month before it, drills from a figure to the rows behind it, downloads the Excel workbook (read back
with openpyxl: Chinese headings, a sheet per grouping, rates as numbers formatted 0.0%), picks a week of days and
sees it beside the week before, is told which date is wrong, and on a 390 px phone signs the month off through its
confirmation. Screenshots in test-artifacts/."""
import datetime
import io
import subprocess
import urllib.request
import zoneinfo

import openpyxl

import pytest
from selenium.webdriver.common.by import By

from test_import_and_search import ARTIFACTS, BIN, PASSWORD, browser, follow, start_server  # noqa: F401
from test_planning import sign_in


@pytest.fixture
def report_server(tmp_path):
    def prepare(env):
        subprocess.run([BIN, "demo", "--no-serve", "--customers", "300"], env=env, check=True, capture_output=True)
        subprocess.run([BIN, "user", "create", "--username", "chief", "--role", "supervisor", "--name", "周主管"],
                       input=PASSWORD + "\n", text=True, env=env, check=True)
    with start_server(tmp_path, prepare) as (base, _):
        yield base


def figure_row(browser, figure):
    """The cells of a line of the figures table: name, this period, counts, previous, change, target."""
    row = browser.find_element(By.CSS_SELECTOR, f"#figures tr[data-figure={figure}]")
    return [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]


def download(browser, url, language=None):
    cookies = [f"{c['name']}={c['value']}" for c in browser.get_cookies() if c["name"] != "lang"]
    if language:
        cookies.append(f"lang={language}")
    request = urllib.request.Request(url, headers={"Cookie": "; ".join(cookies)})
    return openpyxl.load_workbook(io.BytesIO(urllib.request.urlopen(request).read()))


def set_date(browser, name, value):
    """Types a date into a date field whatever the browser's date format."""
    browser.execute_script("document.querySelector(arguments[0]).value = arguments[1]", f"input[name={name}]", value)


def no_sideways_scrolling(browser):
    return browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def test_a_supervisor_compares_periods_exports_and_signs_off_last_month(report_server, browser):
    base = report_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()
    last_day = today.replace(day=1) - datetime.timedelta(days=1)
    last_month, month_before = last_day.strftime("%Y-%m"), (last_day.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    browser.set_window_size(1280, 1000)
    sign_in(browser, base, "chief")

    # 报表 opens on the last finished month, each figure beside the month before it.
    browser.find_element(By.XPATH, "//nav//summary[.='报表']").click()  # the navigation groups pages by job
    follow(browser, browser.find_element(By.CSS_SELECTOR, "nav a[href='/reports']"))
    assert browser.find_element(By.ID, "report-month").text == last_month
    assert month_before in browser.find_element(By.ID, "compared-with").text
    name, value, counts, previous, change, target = figure_row(browser, "completion")[:6]
    assert value.endswith("%") and previous.endswith("%") and "≥ 95.0%" in target, (value, previous, target)
    assert change == "" or change[0] in "+−0", change
    assert figure_row(browser, "calls")[1].isdigit()
    trend = browser.find_element(By.ID, "trend-completion")
    assert len(trend.find_elements(By.CSS_SELECTOR, "circle.dot")) == 12
    assert len(browser.find_elements(By.CSS_SELECTOR, "#heatmap rect.heat")) == 7 * 24
    assert browser.find_elements(By.CSS_SELECTOR, "#groups tbody tr"), "one row per agent"
    assert browser.find_elements(By.CSS_SELECTOR, "#groups small.delta"), "each agent's change from the month before"
    browser.save_screenshot(str(ARTIFACTS / "browser-report-month.png"))

    # The rows behind completion are the figure's denominator, the counted ones its numerator.
    numerator, denominator = [int(n) for n in counts.split("/")]
    follow(browser, browser.find_element(By.CSS_SELECTOR, "#figures tr[data-figure=completion] a"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#rows tbody tr")
    counted = browser.find_elements(By.CSS_SELECTOR, "#rows tbody tr.counted")
    assert len(rows) == min(denominator, 500) and len(counted) == min(numerator, len(rows))

    # The workbook is what a manager builds: headings in Chinese, a sheet per grouping, rates as numbers.
    workbook = download(browser, base + f"/reports/export.xlsx?month={last_month}&groupBy=agent")
    assert workbook.sheetnames[:7] == ["总览", "按坐席", "按部门", "按回访规则", "按会员等级", "按渠道／来源", "按工单类型"]
    assert workbook.sheetnames[7:] == ["各评价指标满意度", "来电时段分布（星期 × 小时）", "问题与来电事项", "说明"]
    overview = workbook["总览"]
    assert [c.value for c in overview[1]] == [
        "指标", "本期", "分子", "分母", f"上期（{month_before}）", "变化", "目标", "是否达标"]
    completion = [c for c in overview[2]]
    assert completion[0].value == "回访完成率"
    assert isinstance(completion[1].value, float) and completion[1].number_format == "0.0%"
    assert f"{completion[1].value * 100:.1f}%" == value, "the page's value"
    assert (completion[2].value, completion[3].value) == (numerator, denominator)
    assert completion[6].value == 0.95 and completion[6].number_format == "0.0%"
    assert overview.column_dimensions["A"].width >= 12, "columns as wide as their headings"
    agents = workbook["按坐席"]
    header = [c.value for c in agents[1]]
    assert header[:3] == ["坐席", "回访完成率", "回访覆盖率"] and header[-2:] == ["平均分（5 分制）", "来电数量"]
    rates = [row[1] for row in agents.iter_rows(min_row=2) if isinstance(row[1].value, float)]
    assert rates and all(cell.number_format == "0.0%" and 0 <= cell.value <= 1 for cell in rates)
    assert agents.freeze_panes == "B2"
    english = download(browser, base + f"/reports/export.xlsx?month={last_month}&groupBy=agent", language="en")
    assert english.sheetnames[:2] == ["Overview", "By Agent"]
    assert english["Overview"]["A2"].value == "Completion rate"

    # Any range of days: a week of last month beside the week before it.
    browser.get(base + "/reports")
    set_date(browser, "from", f"{last_month}-08")
    set_date(browser, "to", f"{last_month}-14")
    follow(browser, browser.find_element(By.ID, "show-range"))
    assert browser.find_element(By.ID, "report-month").text == f"{last_month}-08 – {last_month}-14"
    assert f"{last_month}-01 – {last_month}-07" in browser.find_element(By.ID, "compared-with").text
    week = figure_row(browser, "completion")
    assert week[1].endswith("%") or week[1] == "—"
    assert browser.find_element(By.ID, "signoff-months-only").is_displayed(), "only a whole month is signed"
    browser.save_screenshot(str(ARTIFACTS / "browser-report-range.png"))

    # A wrong range names the field.
    set_date(browser, "from", f"{last_month}-20")
    set_date(browser, "to", f"{last_month}-10")
    follow(browser, browser.find_element(By.ID, "show-range"))
    assert "结束日期 不能早于开始日期" in browser.find_element(By.ID, "to-error").text
    assert not browser.find_elements(By.ID, "figures")

    # On a phone: the figures as cards, no sideways scrolling; sign-off at the bottom, then its confirmation.
    browser.set_window_size(390, 844)
    browser.get(base + "/reports")
    assert no_sideways_scrolling(browser)
    cards = browser.find_element(By.CSS_SELECTOR, "#figures tbody tr")
    assert cards.value_of_css_property("display") == "grid"
    start = browser.find_element(By.ID, "signoff-start")
    browser.execute_script("arguments[0].scrollIntoView()", start)
    browser.save_screenshot(str(ARTIFACTS / "browser-report-phone.png"))
    follow(browser, start)
    assert f"确认签发 {last_month} 月度报表" in browser.find_element(By.TAG_NAME, "h1").text
    assert "不能撤销" in browser.find_element(By.ID, "signoff-warning").text
    assert no_sideways_scrolling(browser)
    assert figure_row_on(browser, "#signoff-figures", "completion")[1] == value
    browser.find_element(By.NAME, "note").send_keys("数据已核对")
    browser.save_screenshot(str(ARTIFACTS / "browser-report-signoff-confirm.png"))
    follow(browser, browser.find_element(By.ID, "signoff"))
    assert "周主管" in browser.find_element(By.ID, "signed").text
    assert browser.find_element(By.ID, "signoff-box").get_attribute("data-state") == "signed"
    assert not browser.find_elements(By.ID, "signoff-start")

    browser.set_window_size(1280, 1000)
    browser.get(base + "/reports/archive")
    archive = browser.find_element(By.ID, "archive").text
    assert last_month in archive and "数据已核对" in archive


def figure_row_on(browser, table, figure):
    row = browser.find_element(By.CSS_SELECTOR, f"{table} tr[data-figure={figure}]")
    return [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
