"""Embedded posts in a real browser: a YouTube and an X address pasted alone on their lines become embeds with the
providers' previews in the editor; on the published page each is a click-to-load facade, and the browser's own record
of the page's network requests (Chromium's performance log) shows no request to any host but ours until the reader
clicks one; then its frame appears, on a host the Content-Security-Policy lets frame."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BINARY, Server, _stop, start_server
from test_browser import DESKTOP, _executable

EMAIL = "e2e-embeds@vestnik.bg"
PASSWORD = "вграждаща-парола-42"
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
X_POST = "https://x.com/vestnik/status/1790000000000000001"


@pytest.fixture(scope="module")
def embeds_server(tmp_path_factory) -> Server:
    """A server of its own: the article published here must not change what the shared server's tests see."""
    workdir = tmp_path_factory.mktemp("vestnik-embeds")
    database = workdir / "embeds.sqlite"
    server = start_server(workdir, database)
    try:
        result = subprocess.run(
            [str(BINARY), "user", "create", "--database", str(database), "--email", EMAIL, "--name", "Вграждащ Редактор",
             "--role", "chief", "--password-stdin"],
            input=PASSWORD + "\n", capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        yield server
    finally:
        _stop(server.process)


@pytest.fixture()
def recording_browser():
    """Headless Chromium that records every network request (the performance log) and the console."""
    options = Options()
    options.binary_location = _executable("CHROMIUM_BIN", "/usr/bin/chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=bg-BG",
                f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = Service(executable_path=_executable("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def requested_urls(driver) -> list[str]:
    """Every URL the browser asked for since the last call (the log is drained by reading it)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_pasted_addresses_become_facades_that_ask_no_third_party_until_clicked(recording_browser, embeds_server: Server) -> None:
    browser, server = recording_browser, embeds_server
    wait = WebDriverWait(browser, 20)
    browser.get(server.url("/newsroom/login"))
    browser.find_element(By.NAME, "email").send_keys(EMAIL)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-user")))

    browser.get(server.url("/newsroom/articles/new"))
    browser.find_element(By.NAME, "title").send_keys("Статия с видео и публикация")
    browser.find_element(By.NAME, "lead").send_keys("Резюме на статията с вграждания.")
    editor = wait.until(EC.visibility_of_element_located((By.ID, "nr-editor")))
    editor.click()
    # Pasted as plain text: each address alone on its line.
    browser.execute_script(
        """
        const editor = document.getElementById('nr-editor');
        const data = new DataTransfer();
        data.setData('text/plain', arguments[0]);
        editor.innerHTML = '';
        editor.focus();
        editor.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        """,
        f"Абзац преди видеото.\n{YOUTUBE}\nАбзац между тях.\n{X_POST}\nВижте и {YOUTUBE} в текста.\n")
    wait.until(lambda _: len(browser.find_elements(By.CSS_SELECTOR, "#nr-editor figure.embed")) == 2)
    figures = browser.find_elements(By.CSS_SELECTOR, "#nr-editor figure.embed")
    assert [(f.get_attribute("data-embed"), f.get_attribute("data-id")) for f in figures] == [
        ("youtube", "dQw4w9WgXcQ"), ("x", "1790000000000000001")]
    # A real preview: the provider's own frame, not a grey placeholder.
    frames = [f.find_element(By.CSS_SELECTOR, ".nr-embed-preview iframe").get_attribute("src") for f in figures]
    assert frames == ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
                      "https://platform.twitter.com/embed/Tweet.html?id=1790000000000000001&dnt=true"]
    # An address inside a sentence stays text.
    assert f"Вижте и {YOUTUBE} в текста." in editor.text
    browser.find_element(By.CSS_SELECTOR, "button[name=action][value=publish]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-info")))
    link = browser.find_element(By.LINK_TEXT, "Виж на сайта").get_attribute("href")

    # The reader's visit: every request the page makes, recorded by the browser.
    requested_urls(browser)
    browser.delete_all_cookies()
    browser.get(link)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "figure.embed-youtube .embed-facade")))
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    time.sleep(1.5)
    ours = urlsplit(server.base_url).netloc
    before = requested_urls(browser)
    assert any(urlsplit(url).path.startswith("/static/embeds.") for url in before), before
    foreign = [url for url in before if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != ours]
    assert foreign == [], foreign
    assert not browser.find_elements(By.CSS_SELECTOR, "article iframe")
    assert {c["domain"] for c in browser.get_cookies()} <= {"127.0.0.1"}
    facades = browser.find_elements(By.CSS_SELECTOR, "figure.embed .embed-facade")
    assert [f.get_attribute("href") for f in facades] == [YOUTUBE, "https://x.com/i/status/1790000000000000001"]
    assert "YouTube" in facades[0].text and "Зареди от YouTube" in facades[0].text

    # A click loads the frame, and only then does the browser go to the provider.
    facades[0].click()
    frame = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "figure.embed-youtube iframe.embed-frame")))
    assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"
    time.sleep(1)
    after = requested_urls(browser)
    assert any(urlsplit(url).netloc == "www.youtube-nocookie.com" for url in after), after
    assert not any("platform.twitter.com" in url for url in after), after  # the X post waits for its own click
    # The policy let the frame load: no Content-Security-Policy violation in the console.
    console = [entry["message"] for entry in browser.get_log("browser")]
    assert not [line for line in console if "Content Security Policy" in line], console
