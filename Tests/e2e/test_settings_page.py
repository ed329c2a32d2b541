"""Issue 24's settings page in a real browser: the chief editor renames the site in the newsroom and the public page
shows the new name at once, with no restart; a bad address is refused with a message and the form keeps what was
typed; `vestnik setting` run from the shell beside the running server reaches it too. /readyz says whether the
run-time libraries (libvips, libqrencode) are there."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BINARY, _stop, create_user, start_server
from test_browser import driver as browser  # noqa: F401  (the same headless Chromium fixture)

CHIEF, CHIEF_PASSWORD = "chief-settings@vestnik.bg", "главна-парола-за-настройките"


def page_text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def test_chief_renames_the_site_in_the_browser(browser, tmp_path: Path) -> None:  # noqa: F811
    workdir = tmp_path / "site"
    workdir.mkdir()
    database = workdir / "settings.sqlite"
    server = start_server(workdir, database=database)
    try:
        create_user(database, CHIEF, CHIEF_PASSWORD, role="chief", name="Главна Редакторка")
        ready = json.loads(page_text(server.url("/readyz")))
        assert "qr_codes" in ready and "picture_renditions" in ready, ready
        assert "Вестник" in page_text(server.url("/"))

        browser.get(server.url("/newsroom/login"))
        browser.find_element(By.NAME, "email").send_keys(CHIEF)
        browser.find_element(By.NAME, "password").send_keys(CHIEF_PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
        WebDriverWait(browser, 10).until(lambda d: d.current_url.rstrip("/").endswith("/newsroom"))
        browser.find_element(By.CSS_SELECTOR, "a[href='/newsroom/settings']").click()
        WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.NAME, "site.name"))

        # A bad address: refused with a message, the typed text kept, nothing changed.
        name = browser.find_element(By.NAME, "site.name")
        name.clear()
        name.send_keys("Браузърен вестник")
        address = browser.find_element(By.NAME, "site.url")
        address.clear()
        address.send_keys("javascript:alert(1)")
        browser.find_element(By.CSS_SELECTOR, "form.nr-settings button[type=submit]").click()
        WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".nr-setting .nr-error"))
        assert browser.find_element(By.NAME, "site.url").get_attribute("value") == "javascript:alert(1)"
        assert browser.find_element(By.NAME, "site.name").get_attribute("value") == "Браузърен вестник"
        assert "Браузърен вестник" not in page_text(server.url("/"))

        # Corrected: saved, and the public page shows the new name without a restart.
        browser.find_element(By.NAME, "site.url").clear()
        browser.find_element(By.CSS_SELECTOR, "form.nr-settings button[type=submit]").click()
        WebDriverWait(browser, 10).until(lambda d: "saved=1" in d.current_url)
        browser.get(server.url("/"))
        assert "Браузърен вестник" in browser.title, browser.title
        assert "Браузърен вестник" in browser.find_element(By.TAG_NAME, "header").text

        # The shell's `vestnik setting` reaches the running server (its external-write watcher, about a second).
        subprocess.run([str(BINARY), "setting", "--database", str(database), "site.name", "Вестник от терминала"],
                       check=True, capture_output=True, timeout=120)
        deadline = time.monotonic() + 15
        while "Вестник от терминала" not in page_text(server.url("/")) and time.monotonic() < deadline:
            time.sleep(0.25)
        assert "Вестник от терминала" in page_text(server.url("/")), server.log_tail()
        assert server.process.poll() is None
    finally:
        _stop(server.process)
