"""Browser tests of the follow-up itself: an agent works a task from the call list with its
survey in a handful of actions (keyboard included); the agent sends the survey by email (a real
SMTP server, aiosmtpd) and the customer answers the link from the mail on a phone-sized screen.
Screenshots land in test-artifacts/."""
import datetime
import email
import email.policy
import json
import re
import subprocess
import time
import urllib.request
import zoneinfo

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from test_import_and_search import ARTIFACTS, BIN, PASSWORD, browser, follow, start_server  # noqa: F401
from test_planning import sign_in
from test_tickets import mailbox  # noqa: F401

CSV = (
    "会员编号,姓名,性别,手机,邮箱,会员等级,注册日期,专属客服\r\n"
    "HY800001,林小雨,女,13600001111,linxiaoyu@example.com,金卡,2024-01-05,wangfang\r\n"
)


def api(base, token, method, path, body=None):
    request = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(), method=method,
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request))


@pytest.fixture
def followup_server(tmp_path, mailbox):
    """An agent with a repair follow-up due today, asked with a three-question survey; mail goes to `mailbox`."""
    def prepare(env):
        for username, role, name in [("zhuguan", "supervisor", "李主管"), ("wangfang", "agent", "王芳")]:
            subprocess.run([BIN, "user", "create", "--username", username, "--role", role, "--name", name],
                           input=PASSWORD + "\n", text=True, env=env, check=True)
        export = tmp_path / "members.csv"
        export.write_text(CSV, encoding="utf-8")
        subprocess.run([BIN, "import", "customers", str(export)], env=env, check=True, capture_output=True)
        return subprocess.run([BIN, "token", "create", "--username", "zhuguan"], env=env, check=True,
                              capture_output=True, text=True).stdout.strip()
    environment = {"HUIFANG_SMTP_URL": f"smtp://127.0.0.1:{mailbox[1]}", "HUIFANG_MAIL_FROM": "huifang@example.com",
                   "HUIFANG_DELIVER_EVERY": "1", "HUIFANG_COMPANY": "龙阳汽车服务"}
    with start_server(tmp_path, prepare, environment) as (base, token):
        survey = api(base, token, "POST", "/api/v1/surveys", {
            "name": "维修满意度", "threshold": "lowest", "ticketAction": "propose",
            "questions": [
                {"text": "您对本次维修总体是否满意？", "type": "satisfaction3", "indicator": "总体满意度"},
                {"text": "维修师傅的服务态度打几分？", "type": "scale5", "indicator": "服务态度",
                 "options": ["很不满意", "不满意", "一般", "满意", "非常满意"]},
                {"text": "您愿意把我们推荐给朋友吗？", "type": "nps", "indicator": "推荐意愿"},
            ]})
        api(base, token, "POST", "/api/v1/rules", {
            "name": "维修次日回访", "kind": "afterEvent", "eventKind": "repair", "days": 1, "priority": 1,
            "script": "{称呼}您好，您的{产品}昨天维修后使用正常吗？", "surveyID": survey["familyID"]})
        today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()
        api(base, token, "POST", "/api/v1/events", {"events": [{
            "externalID": "R-1", "memberID": "HY800001", "kind": "repair",
            "occurredAt": (today - datetime.timedelta(days=1)).isoformat() + " 10:00", "attributes": {"产品": "空调"}}]})
        api(base, token, "POST", "/api/v1/planner/run", {})
        yield base, token


def test_an_agent_completes_a_follow_up_with_its_survey_in_under_ten_actions(followup_server, browser):
    base, token = followup_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sign_in(browser, base, "wangfang")
    browser.get(base + "/tasks/mine")
    actions = 0

    def act(element, loads=False):
        nonlocal actions
        actions += 1
        if loads:
            follow(browser, element)
        else:
            element.click()

    act(browser.find_element(By.ID, "start-calling"), loads=True)
    assert "维修满意度" in browser.find_element(By.ID, "survey").text
    assert "林女士您好，您的空调昨天维修后使用正常吗？" in browser.find_element(By.ID, "script").text
    assert "13600001111" in browser.find_element(By.ID, "customer-mobile").text.replace(" ", "")
    browser.save_screenshot(str(ARTIFACTS / "browser-workspace.png"))

    act(browser.find_element(By.CSS_SELECTOR, "input[name='answer.q1'][value='satisfied']"))
    # A low answer proposes a ticket at once; changing it back leaves the choice to the agent.
    act(browser.find_element(By.CSS_SELECTOR, "input[name='answer.q2'][value='1']"))
    assert browser.find_element(By.ID, "openTicket").is_selected()
    assert browser.find_element(By.ID, "ticket-hint").is_displayed()
    act(browser.find_element(By.CSS_SELECTOR, "input[name='answer.q2'][value='5']"))
    browser.find_element(By.ID, "openTicket").click()  # the agent declines the proposal
    actions += 1
    act(browser.find_element(By.CSS_SELECTOR, "input[name='answer.q3'][value='9']"))
    # The outcome by keyboard: R for reached, outside any text field.
    follow(browser, None, lambda: browser.find_element(By.TAG_NAME, "body").send_keys("r"))
    actions += 1
    assert actions < 10, f"{actions} actions"
    flash = browser.find_element(By.CSS_SELECTOR, ".flash").text
    assert "已记录：已接通，回访完成" in flash
    browser.save_screenshot(str(ARTIFACTS / "browser-after-record.png"))

    completed = api(base, token, "GET", "/api/v1/tasks?status=completed")["items"]
    assert [t["customerName"] for t in completed] == ["林小雨"]
    workspace = api(base, token, "GET", f"/api/v1/tasks/{completed[0]['id']}")
    record = workspace["records"][0]
    assert record["outcome"] == "已接通" and "服务态度：5/5" in record["answers"] and "推荐意愿：9/10" in record["answers"]
    assert workspace["tickets"] == []


def test_the_agent_emails_the_survey_and_the_customer_answers_the_link_on_a_phone(followup_server, mailbox, browser):
    base, token = followup_server
    box, _ = mailbox
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sign_in(browser, base, "wangfang")
    browser.get(base + "/tasks/mine")
    follow(browser, browser.find_element(By.ID, "start-calling"))
    task_id = int(browser.current_url.rstrip("/").split("/")[-1])
    follow(browser, browser.find_element(By.ID, "send-email"))
    assert "问卷链接已通过邮件发送给 l***@example.com" in browser.find_element(By.CSS_SELECTOR, ".flash").text
    assert "待填写" in browser.find_element(By.ID, "links").text

    for _ in range(60):
        if box.messages:
            break
        time.sleep(0.5)
    assert [m.rcpt_tos for m in box.messages] == [["linxiaoyu@example.com"]]
    mail = email.message_from_bytes(box.messages[0].content, policy=email.policy.default)
    assert mail["Subject"] == "龙阳汽车服务：请评价我们的服务"
    body = mail.get_body().get_content()
    assert "林女士您好" in body
    url = re.search(r"https?://\S+/s/\S+", body).group(0)
    assert url.startswith(base + "/s/")

    browser.delete_all_cookies()
    browser.set_window_size(390, 844)
    browser.get(url)
    assert "维修满意度" in browser.find_element(By.TAG_NAME, "h1").text
    assert "林女士您好" in browser.page_source
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"
    browser.save_screenshot(str(ARTIFACTS / "browser-survey-phone.png"))
    for question, value in [("q1", "fair"), ("q2", "4"), ("q3", "8")]:
        choice = browser.find_element(By.CSS_SELECTOR, f"input[name='answer.{question}'][value='{value}']")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", choice)
        choice.find_element(By.XPATH, "..").click()
    follow(browser, browser.find_element(By.CSS_SELECTOR, "#public-survey button[type=submit]"))
    assert browser.find_element(By.ID, "state-thanks").is_displayed()
    browser.save_screenshot(str(ARTIFACTS / "browser-survey-thanks.png"))

    browser.get(url)
    assert "已经提交过" in browser.find_element(By.ID, "state-used").text
    workspace = api(base, token, "GET", f"/api/v1/tasks/{task_id}")
    assert workspace["task"]["status"] == "completed"
    record = workspace["records"][0]
    assert record["channel"] == "邮件" and "基本满意" in record["answers"] and "服务态度：4/5" in record["answers"]
    assert workspace["links"][0]["state"] == "已填写"
