"""Browser test: an administrator signs in, imports a GBK-encoded CSV through the
upload page, finds the imported customer by mobile number, and the pages are
saved as screenshots (desktop and phone size) in test-artifacts/."""
import contextlib
import os
import pathlib
import socket
import subprocess
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

BIN = os.environ.get("HUIFANG_BIN", ".build/debug/huifang")
ARTIFACTS = pathlib.Path(os.environ.get("HUIFANG_ARTIFACTS", "test-artifacts"))
PASSWORD = "browser-admin-password"

CSV = (
    "会员编号,姓名,手机,会员等级,生日,注册日期,标签\r\n"
    "HY900001,欧阳娜娜,139 8765 4321,金卡,1992-04-18,2023-06-01,新客\r\n"
    "HY900002,司马光,13711112222,银卡,1985/7/7,2022-01-15,车主\r\n"
    "HY900003,错误行,12345,普通,,,\r\n"
)


def follow(browser, element, act=None):
    """Clicks (or submits) something that loads a new page and waits until the old page is
    gone, so that what the test reads next comes from the page that answers."""
    page = browser.find_element(By.TAG_NAME, "html")
    (act or element.click)()

    def gone(_):
        try:
            page.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            # Chromium sometimes answers a node of the page just left this way instead of "stale".
            if "does not belong to the document" in str(error):
                return True
            raise
    WebDriverWait(browser, 10).until(gone)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def start_server(tmp_path, prepare=None, environment=None):
    """Serves a fresh SQLite database; `prepare(env)` runs commands first and its result is yielded too.
    `environment` adds settings (e.g. the mail server)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUIFANG_")}
    env.update({
        "HUIFANG_DATABASE_URL": f"sqlite:{tmp_path / 'browser.sqlite'}",
        "HUIFANG_PORT": str(port),
        "HUIFANG_BCRYPT_COST": "4",
        "HUIFANG_PLAN_AT": "off",
    })
    env.update(environment or {})
    subprocess.run([BIN, "user", "create", "--username", "admin", "--role", "admin", "--name", "王管理"],
                   input=PASSWORD + "\n", text=True, env=env, check=True)
    prepared = prepare(env) if prepare else None
    log = open(tmp_path / "server.log", "w")
    process = subprocess.Popen([BIN, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if urllib.request.urlopen(base + "/healthz").status == 200:
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("huifang serve did not answer /healthz: " + (tmp_path / "server.log").read_text())
    try:
        yield (base, prepared) if prepare else base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def server(tmp_path):
    with start_server(tmp_path) as base:
        yield base


def chromium():
    """A headless Chromium from Debian's packages (nothing is downloaded); the caller quits it."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(5)
    return driver


@pytest.fixture
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def test_admin_imports_a_gbk_file_and_finds_the_customer_by_phone(server, browser, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    export = tmp_path / "会员导出.csv"
    export.write_bytes(CSV.encode("gbk"))

    browser.get(server + "/customers")
    assert "/login" in browser.current_url, "an anonymous visitor is sent to the login page"
    browser.find_element(By.NAME, "username").send_keys("admin")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert browser.current_url.endswith("/customers")

    browser.find_element(By.XPATH, "//nav//summary[.='回访']").click()  # the navigation groups pages by job
    follow(browser, browser.find_element(By.LINK_TEXT, "导入客户"))
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(export))
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]"))
    report = browser.find_element(By.ID, "import-report")
    assert "GBK/GB18030" in report.text
    assert browser.find_element(By.ID, "created").text == "2"
    assert browser.find_element(By.ID, "failed").text == "1"
    problems = browser.find_element(By.ID, "problems").text
    assert "4" in problems and "手机" in problems and "12345" in problems
    browser.save_screenshot(str(ARTIFACTS / "browser-import-report.png"))

    browser.find_element(By.XPATH, "//nav//summary[.='回访']").click()
    follow(browser, browser.find_element(By.LINK_TEXT, "客户"))
    search = browser.find_element(By.NAME, "q")
    search.send_keys("13987654321")
    follow(browser, search, search.submit)
    rows = browser.find_elements(By.CSS_SELECTOR, "#customers tbody tr")
    assert len(rows) == 1
    assert "欧阳娜娜" in rows[0].text and "金卡" in rows[0].text
    follow(browser, browser.find_element(By.LINK_TEXT, "欧阳娜娜"))
    assert browser.find_element(By.ID, "mobile").text == "13987654321"
    assert "HY900001" in browser.page_source and "新客" in browser.page_source
    browser.save_screenshot(str(ARTIFACTS / "browser-customer.png"))

    browser.set_window_size(390, 844)
    browser.get(server + "/customers?q=" + "HY900002")
    assert "司马光" in browser.find_element(By.ID, "customers").text
    browser.save_screenshot(str(ARTIFACTS / "browser-customers-phone.png"))


def test_admin_marks_a_day_as_a_holiday_in_the_year_view(server, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.get(server + "/login")
    browser.find_element(By.NAME, "username").send_keys("admin")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit]"))

    browser.get(server + "/calendar?year=2024")
    assert "2024 年共 251 个工作日" in browser.find_element(By.ID, "summary").text
    assert "holiday" in browser.find_element(By.ID, "d2024-10-01").get_attribute("class")
    assert "makeUpWorkday" in browser.find_element(By.ID, "d2024-09-29").get_attribute("class")
    assert "working" in browser.find_element(By.ID, "d2024-10-08").get_attribute("class")

    browser.find_element(By.NAME, "name").send_keys("公司年会")
    follow(browser, browser.find_element(By.ID, "d2024-10-08"))
    day = browser.find_element(By.ID, "d2024-10-08")
    assert "holiday" in day.get_attribute("class")
    assert "公司年会" in day.get_attribute("title")
    assert "2024 年共 250 个工作日" in browser.find_element(By.ID, "summary").text
    browser.save_screenshot(str(ARTIFACTS / "browser-calendar.png"))
