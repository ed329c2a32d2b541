"""Two real `vestnik serve` processes on one PostgreSQL database: an edit made through one node's newsroom is on
the other node's (cached) page within a second, and read beacons sent to both nodes add up exactly once both have
stopped. Needs VESTNIK_TEST_POSTGRES_URL (CI's throwaway cluster); each run makes a database of its own there.
bench/nodes.sh does the same, and more, behind nginx."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.parse
import uuid
from pathlib import Path

import pytest

from conftest import BINARY, REPO_ROOT, Server, _stop, article_links, start_server

sys.path.insert(0, str(REPO_ROOT / "bench"))
import nodes_edit  # noqa: E402  (bench/nodes_edit.py: the newsroom edit, shared with bench/nodes.sh)

POSTGRES_URL = os.environ.get("VESTNIK_TEST_POSTGRES_URL", "")
COUNT_ALL = ("--read-dedup-minutes", "0", "--read-rate-limit", "0")
EMAIL = "nodes-chief@vestnik.bg"
PASSWORD = "два-възела-и-една-база"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs VESTNIK_TEST_POSTGRES_URL")


def _psql() -> str:
    found = shutil.which("psql") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"), reverse=True)), None)
    if not found:
        pytest.skip("psql is not installed")
    return str(found)


def _sql(url: str, statement: str) -> str:
    result = subprocess.run([_psql(), url, "-Atq", "-c", statement], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def database_url():
    """A fresh database in the test cluster, dropped afterwards."""
    name = "e2e_nodes_" + uuid.uuid4().hex[:12]
    _sql(POSTGRES_URL, f"CREATE DATABASE {name}")
    parts = urllib.parse.urlsplit(POSTGRES_URL)
    url = urllib.parse.urlunsplit(parts._replace(path="/" + name))
    try:
        yield url
    finally:
        _sql(POSTGRES_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def nodes(tmp_path_factory, database_url: str):
    """Node A (which loads the demo site into the empty database), then node B, and a chief editor."""
    workdir = tmp_path_factory.mktemp("vestnik-nodes")
    a = start_server(workdir, database_url, COUNT_ALL)
    b = None
    try:
        b = start_server(workdir, database_url, COUNT_ALL)
        result = subprocess.run(
            [str(BINARY), "user", "create", "--database", database_url, "--email", EMAIL, "--name", "Главен Редактор",
             "--role", "chief", "--password-stdin"],
            input=PASSWORD + "\n", capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        yield a, b
    finally:
        for server in (a, b):
            if server:
                _stop(server.process)


def _stored(url: str, article_id: int) -> tuple[int, int]:
    total = int(_sql(url, f"SELECT reads FROM articles WHERE id = {article_id}"))
    hourly = int(_sql(url, f"SELECT coalesce(sum(count), 0) FROM article_reads_hourly WHERE article_id = {article_id}"))
    return total, hourly


def test_an_edit_through_one_node_is_on_the_other_nodes_cached_page_within_a_second(nodes, tmp_path: Path) -> None:
    a, b = nodes
    path = article_links(b.get("/").body)[0]
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD, encoding="utf-8")
    for editor, watcher in ((a, b), (b, a)):
        result = subprocess.run(
            [sys.executable, str(REPO_ROOT / "bench" / "nodes_edit.py"), "--edit", editor.base_url, "--watch", watcher.base_url,
             "--email", EMAIL, "--password-file", str(password_file), "--path", path, "--timeout", "5"],
            capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n{watcher.log_tail()}"
        report = json.loads(result.stdout)
        assert report["cached_before"], report
        assert report["delay_ms"] is not None and report["delay_ms"] < 1000, report


def test_beacons_sent_to_both_nodes_add_up_exactly(nodes, database_url: str) -> None:
    a, b = nodes
    path = article_links(a.get("/").body)[0]
    match = nodes_edit.BEACON.search(a.get(path).body)
    assert match, f"{path} has no read beacon"
    article_id = int(match.group(1))
    before = _stored(database_url, article_id)

    per_node = 1500
    failures: list[str] = []

    def send(server: Server) -> None:
        host, port = server.base_url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        for _ in range(per_node):
            connection.request("POST", f"/api/reads/{article_id}", headers={"User-Agent": BROWSER_UA, "Content-Length": "0"})
            response = connection.getresponse()
            response.read()
            if response.status != 204:
                failures.append(f"{server.base_url}: {response.status}")
        connection.close()

    threads = [threading.Thread(target=send, args=(server,)) for server in (a, b, a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures[:5]
    # A graceful stop flushes what each node counted and did not write yet.
    _stop(a.process)
    _stop(b.process)
    assert a.process.returncode == 0 and b.process.returncode == 0, (a.log_tail(), b.log_tail())
    after = _stored(database_url, article_id)
    sent = 4 * per_node
    assert (after[0] - before[0], after[1] - before[1]) == (sent, sent)
