"""Browser test of the lists a supervisor works from, over the demo organisation: the distribution board filters
by agent, says how many tasks its filter found, exports exactly that list and reassigns selected tasks without
losing the filter; the call log says it holds more than it counts; on a 390 px phone the board, the call log and
the customers are cards with no sideways scrolling. Screenshots in test-artifacts/."""
import sqlite3
import subprocess
import urllib.parse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from test_import_and_search import ARTIFACTS, BIN, browser, follow, start_server  # noqa: F401
from test_planning import sign_in
from test_home import no_sideways_scrolling


@pytest.fixture
def list_server(tmp_path):
    def prepare(env):
        subprocess.run([BIN, "demo", "--no-serve", "--customers", "300"], env=env, check=True, capture_output=True)
        db = sqlite3.connect(env["HUIFANG_DATABASE_URL"].removeprefix("sqlite:"))
        known = db.execute("SELECT password_hash FROM users WHERE username = 'admin'").fetchone()[0]
        db.execute("UPDATE users SET password_hash = ? WHERE username = 'zhuguan'", (known,))
        db.commit()
        db.close()
    with start_server(tmp_path, prepare) as (base, _):
        yield base


def test_a_supervisor_filters_the_board_reassigns_within_the_filter_and_reads_lists_on_a_phone(list_server, browser):
    base = list_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(1280, 1000)
    sign_in(browser, base, "zhuguan")
    browser.find_element(By.XPATH, "//nav//summary[.='回访']").click()
    follow(browser, browser.find_element(By.CSS_SELECTOR, "nav a[href='/tasks']"))

    # Filter the open tasks to one agent's: the total is that agent's open tasks, as the load table counts them.
    form = browser.find_element(By.ID, "task-filters")
    Select(form.find_element(By.NAME, "agent")).select_by_visible_text("王芳")
    follow(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    load = browser.find_element(By.XPATH, "//table[@id='load']//tr[td/a[.='王芳']]/td[3]").text
    assert browser.find_element(By.ID, "task-total").text == f"共 {load} 条"
    rows = browser.find_elements(By.CSS_SELECTOR, "#tasks tbody tr")
    assert len(rows) == int(load) and all("王芳" in row.text for row in rows)
    export = browser.find_element(By.ID, "export-tasks").get_attribute("href")
    assert urllib.parse.urlparse(export).path == "/tasks/export.csv" and "agent=" in export
    browser.save_screenshot(str(ARTIFACTS / "browser-task-board.png"))

    # Reassign the first of her tasks to 张伟: the page comes back with the filter on and one task fewer.
    filtered = browser.current_url
    rows[0].find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
    reassign = browser.find_element(By.ID, "reassign")
    Select(reassign.find_element(By.NAME, "agent")).select_by_visible_text("张伟")
    follow(browser, reassign.find_element(By.CSS_SELECTOR, ".actions button[type=submit]"))
    assert browser.current_url == filtered
    assert "已改派 1 个任务" in browser.page_source
    assert browser.find_element(By.ID, "task-total").text == f"共 {int(load) - 1} 条"

    # The demo's call log holds more than a list counts: it says so instead of stopping silently.
    browser.get(base + "/calls")
    assert browser.find_element(By.ID, "call-total").text == "超过 1000 条，请用筛选缩小范围"
    assert browser.find_elements(By.CSS_SELECTOR, "a[rel=next]")

    browser.set_window_size(390, 844)
    for path, name in [("/tasks", "browser-task-board-phone.png"), ("/calls", "browser-calls-phone.png"),
                       ("/customers", None)]:
        browser.get(base + path)
        wide = browser.execute_script("return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).filter(e => !e.closest('.table-wrap')).slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className)")
        assert no_sideways_scrolling(browser), (path, wide)
        if name:
            browser.save_screenshot(str(ARTIFACTS / name))
