"""The newsroom in a real browser: log in, write formatted text in the editor, paste hostile HTML, publish, and
find the article on the public site. A user is created with the command line on the server's own database."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import REPO_ROOT, Server
from test_browser import driver as browser  # noqa: F401  (the same headless Chromium fixture)

BINARY = Path(os.environ.get("VESTNIK_BIN", REPO_ROOT / ".build" / "debug" / "vestnik"))
EMAIL = "e2e-chief@vestnik.bg"
PASSWORD = "браузърна-парола-42"


@pytest.fixture(scope="module")
def chief(server: Server) -> str:
    database = server.log_path.parent / "e2e.sqlite"
    result = subprocess.run(
        [str(BINARY), "user", "create", "--database", str(database), "--email", EMAIL, "--name", "Браузърен Редактор",
         "--role", "chief", "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert EMAIL in result.stdout
    return EMAIL


def test_reset_password_prints_a_one_time_link(server: Server, chief: str) -> None:
    database = server.log_path.parent / "e2e.sqlite"
    result = subprocess.run(
        [str(BINARY), "user", "reset-password", "--database", str(database), "--email", chief, "--public-url", server.base_url],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    link = result.stdout.strip()
    assert link.startswith(server.base_url + "/newsroom/reset/")
    assert server.get(link[len(server.base_url):]).status == 200


def test_write_format_paste_publish_and_read(browser, server: Server, chief: str) -> None:
    wait = WebDriverWait(browser, 15)
    browser.get(server.url("/newsroom/login"))
    browser.find_element(By.NAME, "email").send_keys(chief)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-user")))

    browser.get(server.url("/newsroom/articles/new"))
    browser.find_element(By.NAME, "kicker").send_keys("Пловдив")
    browser.find_element(By.NAME, "title").send_keys("Браузърът пише статия")
    browser.find_element(By.NAME, "lead").send_keys("Резюме, написано в истински браузър.")
    editor = wait.until(EC.visibility_of_element_located((By.ID, "nr-editor")))
    assert not browser.find_element(By.ID, "nr-body").is_displayed()
    editor.click()
    editor.send_keys("Обикновен текст и ")
    browser.find_element(By.CSS_SELECTOR, '[data-cmd="bold"]').click()
    editor.send_keys("удебелен")
    browser.find_element(By.CSS_SELECTOR, '[data-cmd="bold"]').click()
    editor.send_keys(" и ")
    editor.send_keys(Keys.CONTROL, "i")
    editor.send_keys("курсив")
    editor.send_keys(Keys.CONTROL, "i")
    editor.send_keys(".", Keys.ENTER, "Подзаглавие")
    browser.find_element(By.CSS_SELECTOR, '[data-cmd="h2"]').click()
    editor.send_keys(Keys.END, Keys.ENTER)
    # A paste from elsewhere with hostile markup.
    browser.execute_script(
        """
        const editor = document.getElementById('nr-editor');
        const data = new DataTransfer();
        data.setData('text/html', '<p onclick="alert(1)">Вмъкнат <script>alert(2)</script><b>пасаж</b>'
            + '<a href="javascript:alert(3)">връзка</a><img src=x onerror="alert(4)"></p>');
        editor.focus();
        editor.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        """
    )
    assert "onclick" not in editor.get_attribute("innerHTML")
    browser.find_element(By.CSS_SELECTOR, 'button[name=action][value=publish]').click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-info")))
    assert "/newsroom/articles/" in browser.current_url

    home = server.get("/")
    assert "Браузърът пише статия" in home.body
    page = server.get("/svyat/brauzarat-pishe-statia")
    if page.status != 200:
        link = browser.find_element(By.LINK_TEXT, "Виж на сайта").get_attribute("href")
        page = server.get(link[len(server.base_url):])
    assert page.status == 200
    body = page.body
    assert "<strong>удебелен</strong>" in body
    assert "<em>курсив</em>" in body
    assert "<h2>Подзаглавие</h2>" in body
    assert "Вмъкнат" in body and "пасаж" in body
    for bad in ("alert(", "onclick", "onerror", "javascript:"):
        assert bad not in body


def test_autosave_brings_typed_text_back(browser, server: Server, chief: str) -> None:
    browser.get(server.url("/newsroom/articles/new"))
    if "/newsroom/login" in browser.current_url:
        browser.find_element(By.NAME, "email").send_keys(chief)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
        browser.get(server.url("/newsroom/articles/new"))
    browser.find_element(By.NAME, "title").send_keys("Текст, който не бива да се губи")
    editor = browser.find_element(By.ID, "nr-editor")
    editor.click()
    editor.send_keys("Недовършен абзац")
    # The editor autosaves every five seconds; then the page is left without saving.
    WebDriverWait(browser, 20, poll_frequency=1).until(lambda _: _autosaved(browser, server))
    browser.get(server.url("/"))
    browser.get(server.url("/newsroom/articles/new"))
    assert browser.find_element(By.NAME, "title").get_attribute("value") == "Текст, който не бива да се губи"
    assert "Недовършен абзац" in browser.find_element(By.ID, "nr-editor").text


def _autosaved(browser, server: Server) -> bool:
    """Whether the server holds the autosave (checked with the browser's own session, in a fetch)."""
    html = browser.execute_async_script(
        "const done = arguments[0]; fetch('/newsroom/articles/new', {credentials: 'same-origin'})"
        ".then(r => r.text()).then(done, () => done(''));")
    return "Текст, който не бива да се губи" in html


def test_text_typed_after_the_session_expired_is_kept_in_the_browser(browser, server: Server, chief: str) -> None:
    browser.get(server.url("/newsroom/articles/new"))
    if "/newsroom/login" in browser.current_url:
        browser.find_element(By.NAME, "email").send_keys(chief)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
        WebDriverWait(browser, 10).until(lambda driver: "/newsroom/login" not in driver.current_url)
        browser.get(server.url("/newsroom/articles/new"))
    browser.find_element(By.NAME, "kicker").send_keys("Локално")
    # The session is gone (as if expired): the server refuses autosaves, the browser keeps the text.
    browser.delete_cookie("vestnik_session")
    browser.get(server.url("/newsroom/login"))
    browser.find_element(By.NAME, "email").send_keys(chief)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
    # Wait for the login to land (its cookie set) before opening the editor.
    WebDriverWait(browser, 10).until(lambda driver: "/newsroom/login" not in driver.current_url)
    browser.get(server.url("/newsroom/articles/new"))

    # Either the server already has the text (an autosave that got through before the cookie was gone restores it
    # into the form), or the browser offers its own copy. Both keep the text; which one wins is a race.
    def kept(driver):
        if driver.find_element(By.NAME, "kicker").get_attribute("value").endswith("Локално"):
            return True
        offers = driver.find_elements(By.CSS_SELECTOR, "p.nr-editing button")
        if offers and offers[0].is_displayed():
            offers[0].click()
        return False

    WebDriverWait(browser, 10).until(kept)
    assert browser.find_element(By.NAME, "kicker").get_attribute("value").endswith("Локално")


def test_tag_field_suggests_existing_tags(browser, server: Server, chief: str) -> None:
    """Typing the start of a tag in any case offers the demo's tags that begin so; a click takes one, and a new name
    can still be typed after it."""
    wait = WebDriverWait(browser, 15)
    browser.get(server.url("/newsroom/articles/new"))
    if "/newsroom/login" in browser.current_url:
        browser.find_element(By.NAME, "email").send_keys(chief)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
        wait.until(lambda driver: "/newsroom/login" not in driver.current_url)
        browser.get(server.url("/newsroom/articles/new"))
    field = browser.find_element(By.NAME, "tags")
    field.clear()
    field.send_keys("Нов етикет, ИЗКУ")
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, ".nr-suggest li")) == 2)
    options = browser.find_elements(By.CSS_SELECTOR, ".nr-suggest li")
    assert [option.text for option in options] == ["изкуствен интелект", "изкуство"]
    options[1].click()
    assert field.get_attribute("value") == "Нов етикет, изкуство, "
    assert not browser.find_element(By.CSS_SELECTOR, ".nr-suggest ul").is_displayed()
    # Keyboard: down, Enter.
    field.send_keys("рус")
    wait.until(lambda driver: [li.text for li in driver.find_elements(By.CSS_SELECTOR, ".nr-suggest li")] == ["Русия"])
    field.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    assert field.get_attribute("value") == "Нов етикет, изкуство, Русия, "


def test_wire_copy_pastes_one_paragraph_per_line_and_pictures_are_named(browser, server: Server, chief: str) -> None:
    """Agency copy comes one paragraph per line: each line stays a paragraph, blank lines make none; a pasted picture
    is not dropped silently."""
    wait = WebDriverWait(browser, 15)
    browser.get(server.url("/newsroom/login"))
    if browser.find_elements(By.NAME, "password"):
        browser.find_element(By.NAME, "email").send_keys(chief)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-user")))
    browser.get(server.url("/newsroom/articles/new"))
    editor = wait.until(EC.visibility_of_element_located((By.ID, "nr-editor")))
    editor.click()
    browser.execute_script(
        """
        const editor = document.getElementById('nr-editor');
        const data = new DataTransfer();
        data.setData('text/plain', 'София, 6 декември /БТА/. Първи абзац на агенцията.\\nВтори абзац.\\r\\n\\n\\n   \\nТрети абзац.\\n');
        editor.innerHTML = '';  // an autosave of an earlier test may have come back into the new-article form
        editor.focus();
        editor.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        """
    )
    paragraphs = browser.execute_script(
        "return Array.from(document.querySelectorAll('#nr-editor p')).map(p => p.textContent)")
    assert [p for p in paragraphs if p.strip()] == [
        "София, 6 декември /БТА/. Първи абзац на агенцията.", "Втори абзац.", "Трети абзац."]
    assert all(p.strip() for p in paragraphs[-3:])
    assert not browser.find_elements(By.ID, "nr-paste-notice")
    browser.execute_script(
        """
        const editor = document.getElementById('nr-editor');
        const data = new DataTransfer();
        data.setData('text/html', '<p>Текст</p><p><img src="https://example.com/snimka.jpg" alt="снимка"></p>');
        editor.focus();
        editor.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        """
    )
    notice = wait.until(EC.visibility_of_element_located((By.ID, "nr-paste-notice")))
    assert "Медия" in notice.text


def test_word_count_sticky_toolbar_and_ctrl_s(browser, server: Server, chief: str) -> None:
    """The editor counts words as they are typed, keeps its toolbar in reach, and Ctrl+S saves."""
    wait = WebDriverWait(browser, 15)
    browser.get(server.url("/newsroom/login"))
    if browser.find_elements(By.NAME, "password"):
        browser.find_element(By.NAME, "email").send_keys(chief)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-user")))
    browser.get(server.url("/newsroom/articles/new"))
    title = browser.find_element(By.NAME, "title")
    title.clear()  # an autosave of an earlier test may have come back into the new-article form
    title.send_keys("Статия, записана с клавиатурата")
    editor = wait.until(EC.visibility_of_element_located((By.ID, "nr-editor")))
    browser.execute_script("document.getElementById('nr-editor').innerHTML = '<p><br></p>'")
    editor.click()
    editor.send_keys("Едно две три четири пет шест.")
    count = browser.find_element(By.ID, "nr-wordcount")
    wait.until(lambda _: count.text.startswith("6 думи"))
    assert "1 мин." in count.text
    assert browser.execute_script(
        "return getComputedStyle(document.querySelector('.nr-toolbar')).position") == "sticky"
    editor.send_keys(Keys.CONTROL, "s")
    wait.until(lambda driver: "saved=1" in driver.current_url)
    assert "/newsroom/articles/new" not in browser.current_url
    assert browser.find_element(By.NAME, "title").get_attribute("value") == "Статия, записана с клавиатурата"
