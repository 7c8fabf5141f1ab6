"""Browser test of the monthly report: a supervisor opens last month's report over the demo's year
of history, sees the figures against their targets with the server's SVG charts, drills from a figure
to the rows behind it, and signs the month off (screenshots in test-artifacts/)."""
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


def test_a_supervisor_reads_drills_into_and_signs_off_last_months_report(report_server, browser):
    base = report_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    browser.set_window_size(1280, 1000)
    sign_in(browser, base, "chief")
    browser.get(base + "/reports?month=" + last_month)
    assert browser.find_element(By.ID, "report-month").text == last_month
    completion = browser.find_element(By.CSS_SELECTOR, "#figures tr[data-figure=completion]")
    value = completion.find_element(By.CSS_SELECTOR, ".value").text
    assert value.endswith("%"), value
    assert "≥ 95.0%" in completion.text
    # Twelve months of trend, the heatmap and the distributions are drawn by the server.
    trend = browser.find_element(By.ID, "trend-completion")
    assert len(trend.find_elements(By.CSS_SELECTOR, "circle.dot")) == 12
    assert len(browser.find_elements(By.CSS_SELECTOR, "#heatmap rect.heat")) == 7 * 24
    assert browser.find_elements(By.CSS_SELECTOR, "#groups tbody tr"), "one row per agent"
    browser.save_screenshot(str(ARTIFACTS / "browser-report-month.png"))

    follow(browser, completion.find_element(By.TAG_NAME, "a"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#rows tbody tr")
    counted = browser.find_elements(By.CSS_SELECTOR, "#rows tbody tr.counted")
    numerator, denominator = [int(n) for n in completion_counts(browser, base, last_month)]
    assert len(rows) == min(denominator, 500) and len(counted) == min(numerator, len(rows))

    # The workbook export holds the same numbers, read by a real XLSX reader.
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    request = urllib.request.Request(base + f"/reports/export.xlsx?month={last_month}&groupBy=agent", headers={"Cookie": cookie})
    workbook = openpyxl.load_workbook(io.BytesIO(urllib.request.urlopen(request).read()))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == ["group", "label", "figure", "numerator", "denominator", "value"]
    everyone = next(row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] is None and row[2] == "completion")
    assert (everyone[3], everyone[4], everyone[5]) == (numerator, denominator, value)
    assert len(workbook.worksheets) == 4

    browser.get(base + "/reports?month=" + last_month)
    browser.find_element(By.NAME, "note").send_keys("数据已核对")
    follow(browser, browser.find_element(By.ID, "signoff"))
    assert "周主管" in browser.find_element(By.ID, "signed").text
    assert not browser.find_elements(By.ID, "signoff-form")
    browser.get(base + "/reports/archive")
    assert last_month in browser.find_element(By.ID, "archive").text and "数据已核对" in browser.find_element(By.ID, "archive").text


def completion_counts(browser, base, month):
    browser.get(base + "/reports?month=" + month)
    text = browser.find_element(By.CSS_SELECTOR, "#figures tr[data-figure=completion] td:nth-child(3)").text
    return [part.strip() for part in text.split("/")]
