"""Operating a real process: every response carries a request id (a sane incoming X-Request-Id is kept), the JSON
log format writes one object a line with that id, and SIGTERM drains: /readyz turns 503 at once while pages are still
served for the drain time, then the process stops gracefully (the reads counted meanwhile are written)."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import sqlite3
import time
import urllib.request

import pytest

from conftest import Server, _stop, article_links, start_server

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
DRAIN = 3.0


@pytest.fixture(scope="module")
def logged(tmp_path_factory) -> Server:
    """A server logging JSON at the debug level (a line per request)."""
    previous = os.environ.get("LOG_LEVEL")
    os.environ["LOG_LEVEL"] = "debug"
    try:
        srv = start_server(tmp_path_factory.mktemp("vestnik-ops"), extra_args=("--log-format", "json"))
    finally:
        if previous is None:
            os.environ.pop("LOG_LEVEL")
        else:
            os.environ["LOG_LEVEL"] = previous
    yield srv
    _stop(srv.process)


def _get(server: Server, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(server.url(path), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers)


def _log_objects(server: Server) -> list[dict]:
    objects = []
    for line in server.log_path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            objects.append(json.loads(line))  # every JSON-looking line must be whole JSON
    return objects


def test_every_response_has_a_request_id(logged: Server) -> None:
    ids = set()
    for path in ("/", "/", "/no-such-page", "/healthz"):
        status, headers = _get(logged, path, {})
        assert re.fullmatch(r"[0-9a-f]{16}", headers.get("X-Request-Id", "")), (path, status, headers)
        ids.add(headers["X-Request-Id"])
    assert len(ids) == 4, "request ids repeat"
    # A proxy's id is kept; one that could break a log line or a header is replaced.
    assert _get(logged, "/", {"X-Request-Id": "edge-7f3a.42:1"})[1]["X-Request-Id"] == "edge-7f3a.42:1"
    replaced = _get(logged, "/", {"X-Request-Id": "<script>" + "x" * 200})[1]["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{16}", replaced)


def test_json_log_lines_carry_the_request_id(logged: Server) -> None:
    _get(logged, "/healthz", {"X-Request-Id": "e2e-json-log-1"})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = _log_objects(logged)
        mine = [line for line in lines if line.get("hb.request.id") == "e2e-json-log-1"]
        if mine:
            break
        time.sleep(0.2)
    assert mine, logged.log_tail()
    assert mine[0]["message"] == "request" and mine[0]["path"] == "/healthz" and mine[0]["status"] == "200"
    for line in lines:
        assert {"time", "level", "label", "message"} <= line.keys()
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"]), line["time"]
    assert any("Vestnik serves" in line["message"] for line in lines)


def test_sigterm_drains_before_it_stops(tmp_path) -> None:
    server = start_server(
        tmp_path, extra_args=("--drain-seconds", str(DRAIN), "--read-dedup-minutes", "0", "--read-rate-limit", "0")
    )
    try:
        assert server.get("/readyz").status == 200
        path = article_links(server.get("/").body)[0]
        beacon = re.search(r'data-beacon="(/api/reads/(\d+))"', server.get(path).body)
        port = int(server.base_url.rsplit(":", 1)[1])
        kept = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # a keep-alive connection open before
        kept.request("GET", "/healthz")
        assert kept.getresponse().read()
        sent_at = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        # Draining: not ready, but still serving, on new connections and on the open one; reads still count.
        assert server.get("/readyz").status == 503
        assert "stopping" in server.get("/readyz").body
        assert server.get(path).status == 200
        kept.request("GET", path)
        page = kept.getresponse()
        assert page.status == 200 and page.read()
        counted = 0
        for _ in range(5):
            kept.request("POST", beacon.group(1), headers={"User-Agent": BROWSER_UA, "Content-Length": "0"})
            response = kept.getresponse()
            response.read()
            counted += response.status == 204
        assert counted == 5
        assert server.process.poll() is None, "the process stopped before the drain time"
        code = server.process.wait(timeout=DRAIN + 20)
        stopped_after = time.monotonic() - sent_at
        assert code == 0, server.log_tail()
        assert stopped_after >= DRAIN - 0.5, f"stopped {stopped_after:.1f} s after SIGTERM"
    finally:
        _stop(server.process)
    # The reads counted while draining were written before the process exited.
    database = next(tmp_path.glob("port-*/e2e.sqlite"))
    with sqlite3.connect(database) as connection:
        stored = connection.execute(
            "SELECT COALESCE(SUM(count), 0) FROM article_reads_hourly WHERE article_id = ?", (int(beacon.group(2)),)
        ).fetchone()[0]
    assert stored >= 5
