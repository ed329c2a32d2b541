"""Issue 27, finding 15, in a real browser: the editor keeps a copy of what is typed in localStorage (for when the
session has expired and the server refuses the autosave); the next person at this computer must not find it after
a logout."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import Server, _stop, create_user, start_server
from test_browser import driver as browser  # noqa: F401  (the same headless Chromium fixture)

EMAIL = "drafts-author@vestnik.bg"
PASSWORD = "чернови-в-браузъра-42"


@pytest.fixture(scope="module")
def author_server(tmp_path_factory) -> Server:
    srv = start_server(tmp_path_factory.mktemp("logout-drafts"))
    try:
        create_user(srv.log_path.parent / "e2e.sqlite", EMAIL, PASSWORD, role="author")
        yield srv
    finally:
        _stop(srv.process)


def test_logging_out_forgets_the_drafts_kept_in_this_browser(browser, author_server: Server) -> None:
    server = author_server
    browser.get(server.url("/newsroom/login"))
    browser.find_element(By.NAME, "email").send_keys(EMAIL)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda driver: "/newsroom/login" not in driver.current_url)
    browser.get(server.url("/newsroom/articles/new"))
    browser.find_element(By.NAME, "kicker").send_keys("Тайна чернова")
    key = "vestnik-draft:/newsroom/articles/new"
    WebDriverWait(browser, 5).until(lambda driver: driver.execute_script("return localStorage.getItem(arguments[0])", key))
    assert "Тайна чернова" in browser.execute_script("return localStorage.getItem(arguments[0])", key)
    # Another article's copy goes too; what is not a draft of ours stays.
    browser.execute_script("localStorage.setItem('vestnik-draft:/newsroom/articles/7', '[]');"
                           "localStorage.setItem('not-a-draft', 'kept');")
    browser.find_element(By.CSS_SELECTOR, "form.nr-logout button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda driver: "/newsroom/articles/new" not in driver.current_url)
    left = browser.execute_script(
        "var keys = []; for (var i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i)); return keys;")
    assert left == ["not-a-draft"], left
