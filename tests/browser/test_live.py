"""Browser test: a supervisor's home page stays open while, through the API, an administrator assigns a
ticket to the supervisor and an agent opens an urgent complaint; the count in the navigation and a banner with a
link appear without a reload (Server-Sent Events). On a 390 px phone the 菜单 button carries the count and opens
the navigation grouped by job. Screenshots in test-artifacts/."""
import subprocess

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from test_import_and_search import ARTIFACTS, BIN, PASSWORD, browser, follow, start_server  # noqa: F401
from test_planning import sign_in
from test_tickets import api


@pytest.fixture
def live_server(tmp_path):
    def prepare(env):
        for username, role, name in [("zhuguan", "supervisor", "李主管"), ("wangfang", "agent", "王芳")]:
            subprocess.run([BIN, "user", "create", "--username", username, "--role", role, "--name", name],
                           input=PASSWORD + "\n", text=True, env=env, check=True)
        return {username: subprocess.run([BIN, "token", "create", "--username", username], env=env, check=True,
                                         capture_output=True, text=True).stdout.strip()
                for username in ("admin", "wangfang")}
    with start_server(tmp_path, prepare) as (base, tokens):
        yield base, tokens


def badge(browser):
    return browser.find_element(By.ID, "unread")


def wait_for_banner(browser, title):
    def shown(b):
        toasts = [t for t in b.find_elements(By.CSS_SELECTOR, "#live .live-toast") if title in t.text]
        return toasts[-1] if toasts else False
    return WebDriverWait(browser, 20).until(shown)


def test_a_supervisors_open_page_hears_of_an_assignment_and_an_urgent_complaint(live_server, browser):
    base, tokens = live_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    sign_in(browser, base, "zhuguan")
    assert not badge(browser).is_displayed(), "nothing unread yet"
    # The navigation groups the supervisor's pages by job; a menu opens without leaving the page.
    menus = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "nav.nav summary")]
    assert menus == ["回访", "工单", "来电", "报表"], menus
    all_tickets = browser.find_element(By.CSS_SELECTOR, "nav.nav a[href='/tickets']")
    assert not all_tickets.is_displayed()
    browser.find_element(By.XPATH, "//nav//summary[.='工单']").click()
    assert all_tickets.is_displayed() and all_tickets.text == "全部工单"
    browser.save_screenshot(str(ARTIFACTS / "browser-nav-menu.png"))
    browser.find_element(By.TAG_NAME, "h1").click()  # a click elsewhere closes it
    assert not all_tickets.is_displayed()
    browser.execute_script("window.stillTheSamePage = true")

    ticket = api(base, tokens["admin"], "POST", "/api/v1/tickets", {"kind": "service", "description": "发票开错抬头"})
    api(base, tokens["admin"], "POST", f"/api/v1/tickets/{ticket['id']}/actions",
        {"action": "assign", "handler": "zhuguan"})
    assigned = wait_for_banner(browser, "工单已分配给您")
    assert f"#{ticket['id']}" in assigned.text
    assert assigned.find_element(By.LINK_TEXT, "查看").get_attribute("href") == f"{base}/tickets/{ticket['id']}"
    WebDriverWait(browser, 5).until(lambda b: badge(b).is_displayed() and badge(b).text == "1")

    complaint = api(base, tokens["wangfang"], "POST", "/api/v1/tickets",
                    {"kind": "complaint", "urgent": True, "description": "快递员态度恶劣，包裹被摔坏"})
    urgent = wait_for_banner(browser, "紧急投诉")
    assert "快递员态度恶劣" in urgent.text and "urgent" in urgent.get_attribute("class")
    WebDriverWait(browser, 5).until(lambda b: badge(b).text == "2")
    assert browser.execute_script("return window.stillTheSamePage === true"), "the page was not reloaded"
    browser.save_screenshot(str(ARTIFACTS / "browser-live-notification.png"))

    follow(browser, urgent.find_element(By.LINK_TEXT, "查看"))
    assert browser.current_url == f"{base}/tickets/{complaint['id']}"

    # On a phone the count rides on the 菜单 button; the menu lists the jobs, each opening in place.
    browser.set_window_size(390, 844)
    browser.get(base + "/")
    toggle = browser.find_element(By.CSS_SELECTOR, "label.nav-toggle-label")
    assert toggle.find_element(By.CSS_SELECTOR, ".nav-badge").text == "2"
    api(base, tokens["wangfang"], "POST", "/api/v1/tickets",
        {"kind": "complaint", "urgent": True, "description": "门店拒绝退货"})
    wait_for_banner(browser, "紧急投诉")
    WebDriverWait(browser, 5).until(lambda b: toggle.find_element(By.CSS_SELECTOR, ".nav-badge").text == "3")
    toggle.click()
    browser.find_element(By.XPATH, "//nav//summary[.='回访']").click()
    assert browser.find_element(By.CSS_SELECTOR, "nav.nav a[href='/tasks/mine']").is_displayed()
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    browser.save_screenshot(str(ARTIFACTS / "browser-live-phone.png"))
