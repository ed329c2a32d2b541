"""E-mail for real: a reset link asked for on the login page leaves through msmtp (Debian's), over STARTTLS, to an
SMTP server the test starts (aiosmtpd, with a certificate it makes), and the link in the message sets a password once."""

from __future__ import annotations

import email
import email.policy
import http.cookiejar
import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import BINARY, _free_port, _stop, create_user, start_server

aiosmtpd = pytest.importorskip("aiosmtpd.controller", reason="pip install aiosmtpd")

MSMTP = "/usr/bin/msmtp"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.tls: list[bool] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.tls.append(session.ssl is not None)
        return "250 OK"


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "smtp.pem", folder / "smtp.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60)
    return cert, key


def _setting(database: Path, key: str, value: str) -> None:
    subprocess.run([str(BINARY), "setting", "--database", str(database), key, value], check=True, capture_output=True, timeout=120)


def test_forgot_password_mail_goes_out_over_starttls_and_its_link_works_once(tmp_path: Path) -> None:
    if not os.access(MSMTP, os.X_OK) or shutil.which("openssl") is None:
        pytest.skip("msmtp or openssl is not installed (apt-get install msmtp openssl)")
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    inbox = Inbox()
    port = _free_port()
    smtp = aiosmtpd.Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    smtp.start()
    workdir = tmp_path / "site"
    workdir.mkdir()
    database = workdir / "mail.sqlite"
    server = start_server(workdir, database=database)
    try:
        for key_, value in (("mail.smtp_host", "127.0.0.1"), ("mail.smtp_port", str(port)), ("mail.smtp_tls", "starttls"),
                            ("mail.smtp_ca_file", str(cert)), ("mail.from", "redakcia@vestnik.bg"),
                            ("site.url", server.base_url)):
            _setting(database, key_, value)
        create_user(database, "ivan@vestnik.bg", "стара-парола-за-теста", role="author", name="Иван Писмов")

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(server.url("/newsroom/forgot"), timeout=10).read().decode()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrf": csrf, "email": "ivan@vestnik.bg"}).encode()
        answer = opener.open(server.url("/newsroom/forgot"), data=form, timeout=10).read().decode()
        assert "Ако адресът е на служител" in answer

        deadline = time.monotonic() + 30
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.2)
        assert inbox.messages, f"no message reached the SMTP server\n{server.log_tail()}"
        message = inbox.messages[0]
        assert inbox.tls[0], "the message was not sent over TLS"
        assert message["To"] == "ivan@vestnik.bg"
        assert "redakcia@vestnik.bg" in message["From"]
        assert message["Subject"].startswith("Нова парола за")
        text = message.get_content()
        assert "Иван Писмов" in text
        link = re.search(r"(http://127\.0\.0\.1:\d+/newsroom/reset/[0-9a-f]+)", text).group(1)

        page = opener.open(link, timeout=10).read().decode()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"csrf": csrf, "password": "нова-парола-от-писмото", "password2": "нова-парола-от-писмото"}).encode()
        done = opener.open(link, data=form, timeout=30)
        assert "/newsroom/login" in done.geturl()
        assert server.get(urllib.parse.urlparse(link).path).status == 404, "the link worked twice"
    finally:
        _stop(server.process)
        smtp.stop()
