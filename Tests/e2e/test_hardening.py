"""HTTP hardening with a real process: security headers on every kind of answer (HSTS only for an https site), the
security.txt from its setting, an oversized request head refused without harm, and a slowloris of a few hundred
connections that dribble their heads does not stop other readers."""

from __future__ import annotations

import socket
import subprocess
import threading
import time

import pytest

from conftest import BINARY, Server, _stop, article_links, start_server

SLOW_CONNECTIONS = 300


@pytest.fixture(scope="module")
def hardened(tmp_path_factory) -> Server:
    srv = start_server(tmp_path_factory.mktemp("hardening"), extra_args=("--idle-timeout", "20"))
    yield srv
    _stop(srv.process)


def _port(server: Server) -> int:
    return int(server.base_url.rsplit(":", 1)[1])


def test_every_answer_has_the_security_headers(hardened: Server) -> None:
    home = hardened.get("/")
    paths = ["/", article_links(home.body)[0], "/no-such-page", "/healthz", "/rss.xml", "/newsroom/login", "/api/v1/articles"]
    for path in paths:
        response = hardened.get(path)
        headers = {key.lower(): value for key, value in response.headers.items()}
        csp = headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "frame-ancestors 'self'" in csp and "object-src 'none'" in csp, (path, headers)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers.get("x-content-type-options") == "nosniff", path
        assert headers.get("referrer-policy") == "strict-origin-when-cross-origin", path
        # The site runs on plain http here: no HSTS, which would lock browsers out of it.
        assert "strict-transport-security" not in headers, path
    # The pages have no inline script a CSP without nonces would block (JSON-LD is data).
    assert "<script>" not in home.body and "onclick=" not in home.body


def test_hsts_when_the_site_is_https(tmp_path) -> None:
    server = start_server(tmp_path, extra_args=("--public-url", "https://vestnik.example"))
    try:
        headers = {key.lower(): value for key, value in server.get("/").headers.items()}
        assert headers.get("strict-transport-security", "").startswith("max-age=31536000")
    finally:
        _stop(server.process)


def test_security_txt_comes_from_its_setting(tmp_path) -> None:
    database = tmp_path / "site.sqlite"

    def setting(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BINARY), "setting", "--database", str(database), "security.contact", *args],
            capture_output=True, text=True, timeout=120)

    refused = setting("javascript:alert(1)")
    assert refused.returncode != 0 and "mailto:" in refused.stderr
    server = start_server(tmp_path, database)
    try:
        assert server.get("/.well-known/security.txt").status == 404
        assert setting("mailto:security@vestnik.example, https://vestnik.example/security").returncode == 0
        answer = server.get("/.well-known/security.txt")
        assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/plain")
        lines = answer.body.splitlines()
        assert "Contact: mailto:security@vestnik.example" in lines
        assert "Contact: https://vestnik.example/security" in lines
        assert any(line.startswith("Expires: 20") for line in lines)
    finally:
        _stop(server.process)


def test_an_oversized_head_is_refused_and_the_site_goes_on(hardened: Server) -> None:
    with socket.create_connection(("127.0.0.1", _port(hardened)), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 200_000 + b"\r\n\r\n")
        sock.settimeout(10)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass
    assert not answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert hardened.get("/").status == 200


def test_a_slowloris_does_not_stop_other_readers(hardened: Server) -> None:
    """300 connections each send a request head one byte a second; meanwhile ordinary readers are answered fast."""
    stop = threading.Event()
    sockets: list[socket.socket] = []
    for _ in range(SLOW_CONNECTIONS):
        sock = socket.create_connection(("127.0.0.1", _port(hardened)), timeout=10)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        sockets.append(sock)

    def dribble() -> None:
        while not stop.is_set():
            for sock in sockets:
                try:
                    sock.send(b"a")
                except OSError:
                    pass
            stop.wait(1.0)

    sender = threading.Thread(target=dribble, daemon=True)
    sender.start()
    try:
        time.sleep(2)
        article = article_links(hardened.get("/").body)[0]
        slowest = 0.0
        for n in range(30):
            started = time.monotonic()
            response = hardened.get("/" if n % 2 else article, timeout=5)
            slowest = max(slowest, time.monotonic() - started)
            assert response.status == 200
        assert slowest < 2.0, f"a reader waited {slowest:.2f} s while {SLOW_CONNECTIONS} slow clients were connected"
    finally:
        stop.set()
        sender.join(timeout=5)
        for sock in sockets:
            sock.close()
