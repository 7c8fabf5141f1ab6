"""Browser test: a supervisor keeps the agents' rosters (排班) — a wrong custom shift is named next to its field,
then 王芳 works the late shift today and 李娜 rests — runs today's plan and sees every task go to the agent on
shift; 王芳 sees her shift above her call list on a 390 px phone. Screenshots land in test-artifacts/."""
import datetime
import json
import subprocess
import urllib.request
import zoneinfo

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from test_import_and_search import ARTIFACTS, BIN, PASSWORD, browser, follow, start_server  # noqa: F401
from test_planning import sign_in

CSV = (
    "会员编号,姓名,手机,会员等级,注册日期,专属客服\r\n"
    "HY710001,林小雨,13600001111,金卡,2024-01-05,wangfang\r\n"
    "HY710002,周大山,13600002222,普通,2024-02-06,lina\r\n"
    "HY710003,吴小花,13600003333,普通,2024-03-07,\r\n"
)
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def api(base, token, method, path, body=None):
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode() if body is not None else None, method=method,
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request))


@pytest.fixture
def roster_server(tmp_path):
    def prepare(env):
        for username, role, name in [("zhuguan", "supervisor", "李主管"), ("wangfang", "agent", "王芳"),
                                     ("lina", "agent", "李娜")]:
            subprocess.run([BIN, "user", "create", "--username", username, "--role", role, "--name", name],
                           input=PASSWORD + "\n", text=True, env=env, check=True)
        export = tmp_path / "members.csv"
        export.write_text(CSV, encoding="utf-8")
        subprocess.run([BIN, "import", "customers", str(export)], env=env, check=True, capture_output=True)
        return subprocess.run([BIN, "token", "create", "--username", "zhuguan"], env=env, check=True,
                              capture_output=True, text=True).stdout.strip()
    with start_server(tmp_path, prepare) as (base, token):
        yield base, token


def set_time(browser, name, value):
    """Sets a time field as a user picking from it would (typing into one depends on the browser's locale)."""
    field = browser.find_element(By.NAME, name)
    browser.execute_script("arguments[0].value = arguments[1]", field, value)


def test_the_supervisor_keeps_rosters_and_only_agents_on_shift_get_work(roster_server, browser):
    base, token = roster_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()
    day, tomorrow = DAYS[today.weekday()], DAYS[(today.weekday() + 1) % 7]
    api(base, token, "POST", "/api/v1/rules",
        {"name": "维修两日回访", "kind": "afterEvent", "eventKind": "repair", "days": 2, "windowDays": 3})
    occurred = (today - datetime.timedelta(days=2)).isoformat() + " 10:00"
    events = [{"externalID": f"R-{n}", "memberID": f"HY71000{n}", "kind": "repair", "occurredAt": occurred}
              for n in (1, 2, 3)]
    assert api(base, token, "POST", "/api/v1/events", {"events": events})["created"] == 3

    sign_in(browser, base, "zhuguan")
    browser.get(base + "/tasks")
    follow(browser, browser.find_element(By.ID, "edit-rosters"))
    assert "今日班次：全天（未排班）" in browser.find_element(By.ID, "roster-wangfang").text
    follow(browser, browser.find_element(By.CSS_SELECTOR, "#roster-wangfang a.button"))

    # Today the late shift; tomorrow a custom shift that ends before it starts.
    Select(browser.find_element(By.NAME, f"{day}_shift")).select_by_value("late")
    Select(browser.find_element(By.NAME, f"{tomorrow}_shift")).select_by_value("custom")
    assert browser.find_element(By.NAME, f"{tomorrow}_start").is_displayed(), "a custom shift asks for its hours"
    assert not browser.find_element(By.NAME, f"{day}_start").is_displayed(), "a standard shift has its own"
    set_time(browser, f"{tomorrow}_start", "18:00")
    set_time(browser, f"{tomorrow}_end", "10:00")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "#roster-form button[type=submit]"))
    error = browser.find_element(By.CSS_SELECTOR, f"#day-{tomorrow} .field-error")
    assert "下班时间须晚于上班时间" in error.text, "the message stands next to the end time"
    assert browser.find_element(By.NAME, f"{tomorrow}_start").get_attribute("value") == "18:00"
    browser.save_screenshot(str(ARTIFACTS / "browser-roster-error.png"))

    set_time(browser, f"{tomorrow}_end", "22:00")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "#roster-form button[type=submit]"))
    assert "已保存 王芳 的排班" in browser.find_element(By.CSS_SELECTOR, ".flash").text
    assert "今日班次：晚班 13:00–21:00" in browser.find_element(By.ID, "roster-wangfang").text
    assert "自定义 18:00–22:00" in browser.find_element(By.ID, "roster-wangfang").text

    follow(browser, browser.find_element(By.CSS_SELECTOR, "#roster-lina a.button"))
    Select(browser.find_element(By.NAME, f"{day}_shift")).select_by_value("off")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "#roster-form button[type=submit]"))
    assert "今日班次：休息" in browser.find_element(By.ID, "roster-lina").text
    browser.save_screenshot(str(ARTIFACTS / "browser-rosters.png"))

    browser.get(base + "/tasks")
    follow(browser, browser.find_element(By.ID, "run-planner"))
    load = {row.find_element(By.CSS_SELECTOR, "td").text: row.find_element(By.CSS_SELECTOR, "td.shift").text
            for row in browser.find_elements(By.CSS_SELECTOR, "#load tbody tr")}
    assert load == {"王芳": "晚班 13:00–21:00", "李娜": "休息"}
    tasks = browser.find_element(By.ID, "tasks").text
    assert tasks.count("分配给 王芳") == 3 and "李娜" not in tasks, "李娜 rests today, even for her own customer"
    browser.save_screenshot(str(ARTIFACTS / "browser-distribution-roster.png"))

    browser.set_window_size(390, 844)
    browser.get(base + "/rosters/wangfang")
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, f"the roster form is {width}px wide on a 390px screen"
    browser.save_screenshot(str(ARTIFACTS / "browser-roster-phone.png"))

    sign_in(browser, base, "wangfang")
    browser.get(base + "/tasks/mine")
    assert browser.find_element(By.ID, "my-shift").text == "今日班次：晚班 13:00–21:00"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#my-tasks tbody tr")) == 3
    browser.save_screenshot(str(ARTIFACTS / "browser-call-list-shift-phone.png"))
    browser.get(base + "/rosters")
    assert not browser.find_elements(By.ID, "rosters"), "an agent does not see the others' rosters"
