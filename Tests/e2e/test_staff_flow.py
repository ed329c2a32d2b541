"""Issue 24's proof in a real browser: a chief invites an author by e-mail (the message read from an SMTP server the
test starts, sent by Debian's msmtp); the author sets a password, signs in, enrols in two-factor sign-in (TOTP, the
code computed here from the key the page shows) and signs in again with a code; the chief suspends them while their
editor is open: their next save is refused and nothing they typed is lost (the server's autosave goes to whoever takes
the work over, the browser keeps its copy); "forgot password" sends a link that works once."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import os
import re
import struct
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BINARY, _free_port, _stop, create_user, signed_in, start_server
from test_browser import driver as browser  # noqa: F401  (the same headless Chromium fixture)
from test_mail import Inbox

aiosmtpd = pytest.importorskip("aiosmtpd.controller", reason="pip install aiosmtpd")

MSMTP = "/usr/bin/msmtp"
CHIEF, CHIEF_PASSWORD = "chief-flow@vestnik.bg", "главна-парола-за-теста"
AUTHOR, AUTHOR_PASSWORD = "nova-avtorka@vestnik.bg", "паролата-на-новата-авторка"


def wait_for(inbox: Inbox, count: int, log: str) -> email.message.EmailMessage:
    deadline = time.monotonic() + 30
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(inbox.messages) >= count, f"message {count} did not reach the SMTP server\n{log}"
    return inbox.messages[count - 1]


def totp(key_text: str, at: float) -> str:
    """RFC 6238 with the standard library: HMAC-SHA1 of the 30-second step, 6 digits."""
    key = base64.b32decode(key_text.replace(" ", "") + "=" * (-len(key_text.replace(" ", "")) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def form_post(opener, url: str, fields: dict[str, str], page_url: str):
    page = opener.open(page_url, timeout=10).read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    return opener.open(url, data=urllib.parse.urlencode({"csrf": csrf, **fields}).encode(), timeout=30)


def submit(browser, selector: str = "form.nr-form button[type=submit]") -> None:
    browser.find_element(By.CSS_SELECTOR, selector).click()


def test_invite_totp_suspend_while_editing_and_forgot_password(browser, tmp_path: Path) -> None:  # noqa: F811
    if not os.access(MSMTP, os.X_OK):
        pytest.skip("msmtp is not installed (apt-get install msmtp)")
    inbox = Inbox()
    smtp_port = _free_port()
    smtp = aiosmtpd.Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    workdir = tmp_path / "site"
    workdir.mkdir()
    database = workdir / "staff.sqlite"
    server = start_server(workdir, database=database)
    try:
        for key, value in (("mail.smtp_host", "127.0.0.1"), ("mail.smtp_port", str(smtp_port)), ("mail.smtp_tls", "off"),
                           ("mail.from", "redakcia@vestnik.bg"), ("site.url", server.base_url)):
            subprocess.run([str(BINARY), "setting", "--database", str(database), key, value], check=True, timeout=120)
        create_user(database, CHIEF, CHIEF_PASSWORD, role="chief", name="Главна Редакторка")
        chief = signed_in(server, CHIEF, CHIEF_PASSWORD)

        # The chief invites; the link arrives by e-mail.
        form_post(chief, server.url("/newsroom/users/invite"), {"name": "Нова Авторка", "email": AUTHOR, "role": "author"},
                  server.url("/newsroom/users"))
        invitation = wait_for(inbox, 1, server.log_tail())
        assert invitation["To"] == AUTHOR
        link = re.search(r"(http://127\.0\.0\.1:\d+/newsroom/invite/[0-9a-f]+)", invitation.get_content()).group(1)

        # The author sets a password (a common one is refused first, keeping the page) and signs in.
        browser.get(link)
        assert browser.find_elements(By.NAME, "password"), f"{link}: {browser.page_source[-1500:]}"
        for name in ("password", "password2"):
            browser.find_element(By.NAME, name).send_keys("Password1234")
        submit(browser)
        WebDriverWait(browser, 10).until(
            lambda d: any("сред най-често използваните" in e.text for e in d.find_elements(By.CSS_SELECTOR, ".nr-error")))
        for name in ("password", "password2"):
            browser.find_element(By.NAME, name).send_keys(AUTHOR_PASSWORD)
        submit(browser)
        WebDriverWait(browser, 10).until(lambda d: "/newsroom/login" in d.current_url)

        def sign_in() -> None:
            browser.get(server.url("/newsroom/login"))
            browser.find_element(By.NAME, "email").send_keys(AUTHOR)
            browser.find_element(By.NAME, "password").send_keys(AUTHOR_PASSWORD)
            submit(browser)

        sign_in()
        WebDriverWait(browser, 10).until(lambda d: d.current_url.rstrip("/").endswith("/newsroom"))

        # Enrols in two-factor sign-in: a QR code and the key as text; a code from the key confirms.
        browser.get(server.url("/newsroom/password"))
        browser.find_element(By.CSS_SELECTOR, "a[href='/newsroom/two-factor']").click()
        key_text = browser.find_element(By.ID, "totp-key").text
        assert browser.find_elements(By.CSS_SELECTOR, ".nr-qr svg path"), "no QR code (libqrencode4 installed?)"
        browser.find_element(By.NAME, "code").send_keys(totp(key_text, time.time()))
        submit(browser)
        WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#recovery-codes code"))
        codes = [element.text for element in browser.find_elements(By.CSS_SELECTOR, "#recovery-codes code")]
        assert len(codes) == 10, browser.page_source[-3000:]

        # Signs out, and in again: the password, then a code (the next step's: the one used is spent).
        browser.find_element(By.CSS_SELECTOR, "form.nr-logout button[type=submit]").click()
        sign_in()
        WebDriverWait(browser, 10).until(lambda d: "/newsroom/login/code" in d.current_url)
        assert not any(cookie["name"] == "vestnik_session" for cookie in browser.get_cookies())
        browser.find_element(By.NAME, "code").send_keys(totp(key_text, time.time() + 30))
        submit(browser)
        WebDriverWait(browser, 10).until(lambda d: d.current_url.rstrip("/").endswith("/newsroom"))

        # Writes an article; the editor's autosave sends it to the server every few seconds.
        browser.get(server.url("/newsroom/articles/new"))
        browser.find_element(By.NAME, "title").send_keys("Статия на новата авторка")
        browser.find_element(By.CSS_SELECTOR, "button[name=action][value=save]").click()
        try:
            WebDriverWait(browser, 10).until(lambda d: re.search(r"/newsroom/articles/\d+(\?saved=1)?$", d.current_url))
        except Exception:
            errors = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".nr-error")]
            raise AssertionError(f"not saved: {browser.current_url} {errors}")
        article_path = urllib.parse.urlparse(browser.current_url).path
        title = browser.find_element(By.NAME, "title")
        title.send_keys(" – допълнено преди спирането")
        time.sleep(7)  # past one autosave (every 5 s)

        # The chief suspends her while the editor is open.
        staff = chief.open(server.url("/newsroom/users"), timeout=10).read().decode()
        suspend_url = re.search(r'action="(/newsroom/users/(\d+)/suspend)"', staff[staff.index(AUTHOR):]).group(1)
        author_id = suspend_url.split("/")[3]
        form_post(chief, server.url(suspend_url), {}, server.url("/newsroom/users"))

        title.send_keys(" и след него")
        local_key = "vestnik-draft:" + article_path
        WebDriverWait(browser, 5).until(
            lambda d: "и след него" in (d.execute_script("return localStorage.getItem(arguments[0])", local_key) or ""))
        browser.find_element(By.CSS_SELECTOR, "button[name=action][value=save]").click()
        time.sleep(3)  # the save's answer (a refusal) has come; the server is asked below what it kept
        # Refused: the article on the server is as it was saved, and this browser still has every word typed.
        editor = chief.open(server.url(article_path), timeout=10).read().decode()
        assert "и след него" not in editor
        browser.get(server.url("/newsroom"))
        assert "/newsroom/login" in browser.current_url

        # The chief takes the work over: the author's autosave (what she typed before the suspension) comes along.
        form_post(chief, server.url(f"/newsroom/users/{author_id}/delete"),
                  {"successor": re.search(r'<option value="(\d+)"[^>]*>Главна Редакторка', staff).group(1)},
                  server.url("/newsroom/users"))
        taken = chief.open(server.url(article_path), timeout=10).read().decode()
        assert "допълнено преди спирането" in taken, "the autosave did not reach whoever took over"

        # "Forgot password": the link arrives, works once.
        browser.get(server.url("/newsroom/login"))
        browser.find_element(By.CSS_SELECTOR, "a[href='/newsroom/forgot']").click()
        browser.find_element(By.NAME, "email").send_keys(CHIEF)
        submit(browser)
        reset = wait_for(inbox, 2, server.log_tail())
        reset_link = re.search(r"(http://127\.0\.0\.1:\d+/newsroom/reset/[0-9a-f]+)", reset.get_content()).group(1)
        browser.get(reset_link)
        for name in ("password", "password2"):
            browser.find_element(By.NAME, name).send_keys("новата-парола-на-главната")
        submit(browser)
        WebDriverWait(browser, 10).until(lambda d: "/newsroom/login" in d.current_url)
        with pytest.raises(urllib.error.HTTPError) as second:
            urllib.request.urlopen(reset_link, timeout=10)
        assert second.value.code == 404, "the reset link worked twice"
        assert signed_in(server, CHIEF, "новата-парола-на-главната")
    finally:
        _stop(server.process)
        smtp.stop()
