"""Copies of outside pictures (issue 17): with `media.copy_external` on, a picture an article body shows from another
site (here a local HTTPS server with its own certificate authority, reached with `--allow-local-media`) is downloaded
in the background into the media library, and the published page then shows the library's copy: a reader's Chromium
asks the other site nothing."""

from __future__ import annotations

import os
import re
import ssl
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import BINARY, Server, _stop, create_user, signed_in, start_server
from test_browser import driver as browser  # noqa: F401  (the same headless Chromium fixture)
from test_renditions import photo

EMAIL = "e2e-outside@vestnik.bg"
PASSWORD = "снимки-отвън-17-копия"


class Pictures(BaseHTTPRequestHandler):
    requests: list[str] = []
    body = b""

    def do_GET(self):  # noqa: N802
        Pictures.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(Pictures.body)))
        self.end_headers()
        self.wfile.write(Pictures.body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def outside(tmp_path_factory):
    """An HTTPS server on localhost with a certificate of its own; the address of its picture and the CA file."""
    folder = tmp_path_factory.mktemp("outside-pictures")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True)
    Pictures.body = photo(1600, 1200, orientation=1)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Pictures)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://localhost:{httpd.server_address[1]}", cert
    finally:
        httpd.shutdown()


@pytest.fixture(scope="module")
def copying_server(tmp_path_factory, outside) -> Server:
    _, cert = outside
    workdir = tmp_path_factory.mktemp("vestnik-outside")
    database = workdir / "outside.sqlite"
    # curl (Outbound) trusts the test's authority: SSL_CERT_FILE, and no SSL_CERT_DIR (which curl reads first).
    saved = {name: os.environ.pop(name, None) for name in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    os.environ["SSL_CERT_FILE"] = str(cert)
    try:
        server = start_server(workdir, database, ("--allow-local-media",))
    finally:
        os.environ.pop("SSL_CERT_FILE")
        os.environ.update({name: value for name, value in saved.items() if value is not None})
    try:
        create_user(database, EMAIL, PASSWORD, role="chief", name="Главен Редактор")
        subprocess.run([str(BINARY), "setting", "--database", str(database), "media.copy_external", "yes"], check=True,
                       capture_output=True, timeout=60)
        yield server
    finally:
        _stop(server.process)


def test_an_outside_picture_is_copied_and_the_page_shows_the_copy(browser, copying_server: Server, outside) -> None:  # noqa: F811
    server = copying_server
    base, _ = outside
    picture = f"{base}/agencia/snimka.jpg?razmer=1600&amp;v=2"
    opener = signed_in(server, EMAIL, PASSWORD)
    page = opener.open(server.url("/newsroom/articles/new"), timeout=10).read().decode("utf-8")
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    section = re.search(r'<select name="section"><option value="([^"]*)"', page).group(1)
    fields = {"csrf": token, "revision": "0", "title": "Снимка от агенцията", "lead": "Снимката е от друг сайт.",
              "body": f'<p>Текст.</p><figure><img src="{picture}" alt="Снимка от агенцията" width="1600" height="1200">'
                      "<figcaption>Агенцията</figcaption></figure>",
              "section": section, "authors": "Главен Редактор", "action": "publish"}
    edited = opener.open(server.url("/newsroom/articles/new"), data=urllib.parse.urlencode(fields).encode(),
                         timeout=30).read().decode("utf-8")
    link = re.search(r'<a href="([^"]+)"[^>]*>Виж на сайта</a>', edited).group(1)
    path = urllib.parse.urlparse(link).path

    # The worker copies it in the background; the page then names the library's copy.
    deadline = time.monotonic() + 120
    html = ""
    while time.monotonic() < deadline:
        html = server.get(path).body
        if "localhost:" not in html:
            break
        time.sleep(0.5)
    assert "localhost:" not in html, f"{html[:200]}\n{server.log_tail()}"
    assert Pictures.requests == ["/agencia/snimka.jpg?razmer=1600&v=2"], Pictures.requests
    copy = re.search(r'<img src="(/media/[0-9a-f]{64}\.jpg)"[^>]* alt="Снимка от агенцията"', html)
    assert copy, html
    # Copied through the library's intake: scrubbed (no maker, no position), with the body's alt text.
    with urllib.request.urlopen(server.url(copy.group(1)), timeout=10) as response:
        data = response.read()
    assert b"PhoneMaker" not in data and data != Pictures.body

    # A reader's browser asks the other site nothing.
    before = len(Pictures.requests)
    browser.get(server.url(path))
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert not [name for name in loaded if "localhost:" in name], loaded
    assert len(Pictures.requests) == before
