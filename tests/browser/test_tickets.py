"""Browser test: an agent logs an urgent complaint call for a new caller in the call form; the
supervisors hear of it at once by email (a real SMTP server, aiosmtpd); the handler of the
department finds it at the top of the queue, takes it, and resolves it. Screenshots in test-artifacts/."""
import json
import time
import urllib.request

import pytest
from aiosmtpd.controller import Controller
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from selenium.webdriver.support.wait import WebDriverWait

from test_import_and_search import ARTIFACTS, BIN, PASSWORD, browser, follow, free_port, start_server  # noqa: F401
from test_planning import sign_in
import subprocess


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


def api(base, token, method, path, body):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method=method,
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request))


@pytest.fixture
def ticket_server(tmp_path, mailbox):
    _, port = mailbox

    def prepare(env):
        return subprocess.run([BIN, "token", "create", "--username", "admin"], env=env, check=True,
                              capture_output=True, text=True).stdout.strip()
    environment = {"HUIFANG_SMTP_URL": f"smtp://127.0.0.1:{port}", "HUIFANG_MAIL_FROM": "huifang@example.com",
                   "HUIFANG_ESCALATE_EVERY": "5", "HUIFANG_DELIVER_EVERY": "1"}
    with start_server(tmp_path, prepare, environment) as (base, token):
        department = api(base, token, "POST", "/api/v1/departments", {"name": "售后服务部"})
        for username, role, name, email, dept in [
            ("zhuguan", "supervisor", "李主管", "zhuguan@example.com", None),
            ("wangfang", "agent", "王芳", None, None),
            ("zhaolei", "handler", "赵磊", "zhaolei@example.com", department["id"]),
        ]:
            api(base, token, "POST", "/api/v1/users", {"username": username, "displayName": name, "role": role,
                                                       "departmentId": dept, "password": PASSWORD, "email": email})
        yield base


def test_an_agent_logs_a_complaint_call_that_the_handler_resolves(ticket_server, mailbox, browser):
    base = ticket_server
    box, _ = mailbox
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # The supervisor adds a call matter on its page; the call form offers it by name at once.
    sign_in(browser, base, "zhuguan")
    browser.get(base + "/calls")
    follow(browser, browser.find_element(By.ID, "edit-matters"))
    blank = browser.find_elements(By.CSS_SELECTOR, "#names input[name$='.code']:not([type=hidden])")[0]
    blank.send_keys("refund")
    row = blank.get_attribute("name").rsplit(".", 1)[0]
    browser.find_element(By.NAME, row + ".name").send_keys("退款")
    browser.save_screenshot(str(ARTIFACTS / "browser-call-matters.png"))
    follow(browser, browser.find_element(By.ID, "save-names"))
    assert "退款" in browser.find_element(By.ID, "names").get_attribute("innerHTML")

    sign_in(browser, base, "wangfang")
    browser.get(base + "/calls/new")
    matters = [o.text for o in Select(browser.find_element(By.ID, "matter")).options]
    assert "退款" in matters and "投诉" in matters and "refund" not in matters, matters
    phone = browser.find_element(By.ID, "phone")
    phone.send_keys("13912345678")
    browser.find_element(By.ID, "summary").click()  # leaving the number looks the caller up
    WebDriverWait(browser, 10).until(lambda b: "没有找到客户" in b.find_element(By.ID, "caller").text)
    browser.find_element(By.ID, "name").send_keys("欧阳娜娜")
    Select(browser.find_element(By.ID, "matter")).select_by_value("complaint")
    browser.find_element(By.ID, "summary").send_keys("门店店员态度恶劣，当面摔了收据。")
    browser.find_element(By.CSS_SELECTOR, "input[name=handling][value=ticket]").click()
    Select(browser.find_element(By.NAME, "department")).select_by_visible_text("售后服务部")
    Select(browser.find_element(By.ID, "category")).select_by_value("attitude")
    browser.find_element(By.NAME, "urgent").click()
    browser.find_element(By.NAME, "recordingConsent").click()
    browser.save_screenshot(str(ARTIFACTS / "browser-call-form.png"))
    follow(browser, browser.find_element(By.ID, "log-call"))
    flash = browser.find_element(By.CSS_SELECTOR, "[role=status], .flash").text
    assert "工单 #1 已创建" in flash, flash
    assert "投诉" in browser.find_element(By.ID, "recent-calls").text

    # The supervisors hear of an urgent complaint at once, by email too; the department's handler of a new ticket.
    for _ in range(60):
        if len(box.messages) >= 2:
            break
        time.sleep(0.5)
    assert sorted(m.rcpt_tos for m in box.messages) == [["zhaolei@example.com"], ["zhuguan@example.com"]]

    sign_in(browser, base, "zhaolei")
    browser.get(base + "/tickets/queue")
    rows = browser.find_element(By.ID, "tickets").text
    assert "欧阳娜娜" in rows and "紧急" in rows and "剩" in rows
    follow(browser, browser.find_element(By.CSS_SELECTOR, "#tickets a[href='/tickets/1']"))
    # One click each: take it, start, then resolve with the plan and the compensation in the same step.
    follow(browser, browser.find_element(By.ID, "do-take"))
    assert "赵磊" in browser.find_element(By.ID, "handler").text
    follow(browser, browser.find_element(By.ID, "do-start"))
    step = browser.find_element(By.ID, "resolve-step")
    assert step.get_attribute("open") is not None, "an in-progress ticket shows the resolve step open"
    step.find_element(By.NAME, "measures").send_keys("店员停岗培训")
    step.find_element(By.NAME, "compensation").send_keys("赠送 50 元券")
    step.find_element(By.NAME, "note").send_keys("已向客户道歉，店员停岗培训，赠送 50 元券。")
    browser.save_screenshot(str(ARTIFACTS / "browser-ticket-resolve-step.png"))
    follow(browser, browser.find_element(By.ID, "do-resolve"))
    assert browser.find_element(By.ID, "status").text == "已解决"
    timeline = browser.find_element(By.ID, "ticket-timeline").text
    for step in ["受理", "紧急投诉已通知主管", "分配", "开始处理", "解决", "处理后回访", "已向客户道歉"]:
        assert step in timeline, step
    assert "赵磊" in browser.find_element(By.ID, "handler").text
    browser.save_screenshot(str(ARTIFACTS / "browser-ticket.png"))
    follow(browser, browser.find_element(By.ID, "do-inform"))
    assert browser.find_element(By.ID, "status").text == "已告知客户"

    # The supervisor records the verification call: satisfied closes the complaint.
    sign_in(browser, base, "zhuguan")
    browser.set_window_size(390, 844)
    browser.get(base + "/tickets/1")
    form = browser.find_element(By.ID, "verification-form")
    form.find_element(By.NAME, "words").send_keys("满意，谢谢")
    browser.save_screenshot(str(ARTIFACTS / "browser-ticket-phone.png"))
    follow(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert browser.find_element(By.ID, "status").text == "已关闭"
    browser.set_window_size(1280, 1000)
    browser.get(base + "/tickets?status=all")
    assert "已关闭" in browser.find_element(By.ID, "tickets").text
    browser.get(base + "/notifications")
    assert "门店店员态度恶劣" in browser.find_element(By.ID, "notifications").text
    browser.save_screenshot(str(ARTIFACTS / "browser-notifications.png"))
