"""Browser test of the home pages by role (工作台) over the demo organisation, on a laptop and a 390 px phone,
and of paging the ticket overview through 10,000 tickets with a filter: the list says how many it holds,
every page is a new slice in the same order, and the number filter finds one. Screenshots in test-artifacts/."""
import re
import sqlite3
import subprocess

import pytest
from selenium.webdriver.common.by import By

from test_import_and_search import ARTIFACTS, BIN, PASSWORD, browser, follow, start_server  # noqa: F401
from test_planning import sign_in

ROLES = {
    "wangfang": ["today-progress", "today-due", "callbacks", "my-month"],
    "zhuguan": ["today-progress", "overdue-tickets", "overdue", "at-risk", "agents", "week"],
    "zhaolei": ["my-open", "my-overdue", "untaken", "queue", "new-tickets"],
    "zhouxin": ["figure-completion", "figure-satisfaction", "trend"],
    "admin": ["outbox-failed", "locked-out", "database-size", "jobs", "planner-runs", "activity"],
}


def copy_tickets(path, count):
    """Adds `count` copies of the demo's complaint tickets straight into the file (the list reads stored keys)."""
    db = sqlite3.connect(path)
    columns = [row[1] for row in db.execute("PRAGMA table_info(tickets)") if row[1] != "id"]
    names = ", ".join(columns)
    source = db.execute("SELECT id FROM tickets WHERE kind = 'complaint' ORDER BY id LIMIT 1").fetchone()[0]
    db.execute(f"""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
                   INSERT INTO tickets ({names}) SELECT {names} FROM tickets, n WHERE tickets.id = {source}""")
    db.commit()
    db.close()


@pytest.fixture
def home_server(tmp_path):
    def prepare(env):
        subprocess.run([BIN, "demo", "--no-serve", "--customers", "300"], env=env, check=True, capture_output=True)
        path = env["HUIFANG_DATABASE_URL"].removeprefix("sqlite:")
        db = sqlite3.connect(path)
        known = db.execute("SELECT password_hash FROM users WHERE username = 'admin'").fetchone()[0]
        db.execute("UPDATE users SET password_hash = ? WHERE username IN ('wangfang','zhuguan','zhaolei','zhouxin')",
                   (known,))
        db.commit()
        db.close()
        copy_tickets(path, 10_000)
    with start_server(tmp_path, prepare) as (base, _):
        yield base


def no_sideways_scrolling(browser):
    return browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def test_each_role_lands_on_its_own_home_page_on_a_laptop_and_a_phone(home_server, browser):
    base = home_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for username, ids in ROLES.items():
        for width, height, tag in [(1280, 1100, "desktop"), (390, 844, "phone")]:
            browser.set_window_size(width, height)
            sign_in(browser, base, username)
            browser.get(base + "/")
            for element in ids:
                assert browser.find_elements(By.ID, element), f"{username} {tag}: {element}"
            assert no_sideways_scrolling(browser), f"{username} scrolls sideways at {width} px"
            browser.save_screenshot(str(ARTIFACTS / f"browser-home-{username}-{tag}.png"))
    # The supervisor's overdue number opens the list it counts.
    browser.set_window_size(1280, 1100)
    sign_in(browser, base, "zhuguan")
    browser.get(base + "/")
    shown = browser.find_element(By.CSS_SELECTOR, "#overdue-tickets .big").text
    follow(browser, browser.find_element(By.ID, "overdue-tickets"))
    assert browser.find_element(By.ID, "ticket-total").text.startswith(("共 " + shown + " 条", "超过"))


def test_a_supervisor_pages_through_ten_thousand_tickets_with_a_filter(home_server, browser):
    base = home_server
    browser.set_window_size(1280, 1100)
    sign_in(browser, base, "zhuguan")
    browser.get(base + "/tickets?kind=complaint&status=all")
    assert browser.find_element(By.ID, "ticket-total").text.startswith("超过 1000 条")
    seen = []
    for _ in range(5):
        ids = [int(a.text) for a in browser.find_elements(By.CSS_SELECTOR, "#tickets tbody td:nth-child(2) a")]
        assert len(ids) == 100 and not set(ids) & set(seen), "each page a new slice of 100"
        seen += ids
        follow(browser, browser.find_element(By.CSS_SELECTOR, "nav.pager a[rel=next]"))
    browser.save_screenshot(str(ARTIFACTS / "browser-tickets-paging.png"))
    one = seen[-1]
    browser.get(base + f"/tickets?kind=complaint&status=all&number=%23{one}")
    assert browser.find_element(By.ID, "ticket-total").text == "共 1 条"
    assert re.search(rf"\b{one}\b", browser.find_element(By.ID, "tickets").text)
    browser.set_window_size(390, 844)
    browser.get(base + "/tickets?kind=complaint&status=all")
    assert no_sideways_scrolling(browser)
    browser.save_screenshot(str(ARTIFACTS / "browser-tickets-phone.png"))
