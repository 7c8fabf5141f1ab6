"""Browser test: a supervisor creates a follow-up rule, runs today's planner from the
distribution page and sees the load per agent; the agent then sees the customer on
their call list. Screenshots land in test-artifacts/."""
import datetime
import json
import os
import subprocess
import urllib.request
import zoneinfo

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from test_import_and_search import ARTIFACTS, BIN, PASSWORD, browser, follow, start_server  # noqa: F401

CSV = (
    "会员编号,姓名,手机,会员等级,注册日期,专属客服\r\n"
    "HY700001,林小雨,13600001111,金卡,2024-01-05,wangfang\r\n"
    "HY700002,周大山,13600002222,普通,2024-02-06,\r\n"
)


@pytest.fixture
def planning_server(tmp_path):
    def prepare(env):
        for username, role, name in [("zhuguan", "supervisor", "李主管"), ("wangfang", "agent", "王芳")]:
            subprocess.run([BIN, "user", "create", "--username", username, "--role", role, "--name", name],
                           input=PASSWORD + "\n", text=True, env=env, check=True)
        export = tmp_path / "members.csv"
        export.write_text(CSV, encoding="utf-8")
        subprocess.run([BIN, "import", "customers", str(export)], env=env, check=True, capture_output=True)
        return subprocess.run([BIN, "token", "create", "--username", "zhuguan"], env=env, check=True,
                              capture_output=True, text=True).stdout.strip()
    with start_server(tmp_path, prepare) as (base, token):
        yield base, token


def sign_in(browser, base, username):
    browser.delete_all_cookies()
    browser.get(base + "/login")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


def test_supervisor_creates_a_rule_runs_the_planner_and_the_agent_sees_the_call_list(planning_server, browser):
    base, token = planning_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()
    events = {"events": [{"externalID": "R-1", "memberID": "HY700001", "kind": "repair",
                          "occurredAt": (today - datetime.timedelta(days=2)).isoformat() + " 10:00",
                          "attributes": {"产品": "空调"}}]}
    request = urllib.request.Request(base + "/api/v1/events", data=json.dumps(events).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    assert json.load(urllib.request.urlopen(request))["created"] == 1

    sign_in(browser, base, "zhuguan")
    browser.get(base + "/rules/new")
    browser.find_element(By.NAME, "name").send_keys("维修两日回访")
    Select(browser.find_element(By.NAME, "kind")).select_by_value("afterEvent")
    Select(browser.find_element(By.NAME, "eventKind")).select_by_value("repair")
    days = browser.find_element(By.NAME, "days")
    days.clear()
    days.send_keys("2")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "#rule-form button[type=submit]"))
    assert "维修两日回访" in browser.find_element(By.ID, "rules").text

    browser.get(base + "/tasks")
    follow(browser, browser.find_element(By.ID, "run-planner"))
    load = browser.find_element(By.ID, "load").text
    assert "王芳" in load
    tasks = browser.find_element(By.ID, "tasks").text
    assert "林小雨" in tasks and "维修两日回访" in tasks
    assert "分配给 王芳：专属客服" in tasks, "林小雨 is 王芳's own customer"
    assert "分配给 王芳：负荷最低" in tasks, "周大山 has no agent of his own; 王芳 is the only one"
    browser.save_screenshot(str(ARTIFACTS / "browser-distribution.png"))

    sign_in(browser, base, "wangfang")
    browser.get(base + "/tasks/mine")
    mine = browser.find_element(By.ID, "my-tasks").text
    assert "林小雨" in mine and "13600001111" in mine and "维修两日回访" in mine
    rows = browser.find_elements(By.CSS_SELECTOR, "#my-tasks tbody tr")
    assert len(rows) == 2
    browser.save_screenshot(str(ARTIFACTS / "browser-call-list.png"))
