"""Crash safety with a real process: the server is killed with SIGKILL right after each acknowledged write (an
article saved through the admin API, a publication, a picture uploaded in the newsroom), restarted on the same
database and media folder, and every write it had acknowledged must be there, whole: on SQLite `PRAGMA
integrity_check` says ok; on PostgreSQL each article has its revision and each media row its file. (Reads lost on
SIGKILL stay within the flush window: test_reads.py measures that.)"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from conftest import Server, _stop, signed_in, start_server
from test_api import admin_token
from test_media import make_png, upload
from test_nodes import POSTGRES_URL, _sql

ROUNDS = 9
# The chief admin_token makes.
EMAIL = "api-chief@vestnik.bg"
PASSWORD = "много-тайна-парола"


def _api(server: Server, token: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        server.url(path), data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status in (200, 201)
        return json.loads(response.read())


def _kill(server: Server) -> None:
    server.process.kill()  # SIGKILL: no graceful stop, no last flush
    server.process.wait(timeout=10)


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path: Path):
    if request.param == "sqlite":
        yield str(tmp_path / "crash.sqlite")
        return
    if not POSTGRES_URL:
        pytest.skip("needs VESTNIK_TEST_POSTGRES_URL")
    name = "e2e_crash_" + uuid.uuid4().hex[:12]
    _sql(POSTGRES_URL, f"CREATE DATABASE {name}")
    yield urllib.parse.urlunsplit(urllib.parse.urlsplit(POSTGRES_URL)._replace(path="/" + name))
    _sql(POSTGRES_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _rows(database: str, query: str) -> list[tuple]:
    if database.startswith("postgres"):
        out = _sql(database, query)
        return [tuple(line.split("|")) for line in out.splitlines() if line]
    with sqlite3.connect(database) as connection:
        return [tuple(str(value) for value in row) for row in connection.execute(query).fetchall()]


def test_every_acknowledged_write_survives_sigkill(database: str, tmp_path: Path) -> None:
    media = tmp_path / "media"
    args = ("--media-dir", str(media))
    server = start_server(tmp_path, database, args)
    saved: dict[int, str] = {}
    published: set[int] = set()
    uploaded: set[str] = set()
    try:
        token = admin_token(server, database, tmp_path)
        opener = signed_in(server, EMAIL, PASSWORD)
        last: dict | None = None
        for n in range(ROUNDS):
            kind = n % 3
            if kind == 0 or last is None:
                title = f"Статия преди срив {n} {uuid.uuid4().hex[:6]}"
                last = _api(server, token, "/api/admin/v1/articles",
                            {"title": title, "section": "Свят", "body_html": f"<p>Текст {n}</p>" * 40})
                saved[last["id"]] = title
            elif kind == 1:
                last = _api(server, token, f"/api/admin/v1/articles/{last['id']}/publish", {"base_revision": last["revision"]})
                assert last["status"] == "published"
                published.add(last["id"])
            else:
                status, item = upload(opener, server, f"crash-{n}.png", make_png(40 + n, 30, (n * 9 % 255, 80, 160)), f"Снимка {n}")
                assert status in (200, 201)
                uploaded.add(item["hash"])
            _kill(server)
            server = start_server(tmp_path, database, args)
            # Every acknowledged write is there, whole.
            titles = dict(_rows(database, "SELECT id, title FROM articles"))
            for article_id, title in saved.items():
                assert titles.get(str(article_id)) == title, f"round {n}: article {article_id} lost"
            statuses = dict(_rows(database, "SELECT id, status FROM articles"))
            for article_id in published:
                assert statuses[str(article_id)] == "published", f"round {n}: publication of {article_id} lost"
            revisions = {row[0] for row in _rows(database, "SELECT DISTINCT article_id FROM article_revisions")}
            assert all(str(article_id) in revisions for article_id in saved), f"round {n}: an article without its revision"
            hashes = {row[0]: row[1] for row in _rows(database, "SELECT hash, type FROM media")}
            for digest in uploaded:
                assert digest in hashes, f"round {n}: upload {digest} lost"
                assert any(media.glob(f"{digest}.*")), f"round {n}: the file of {digest} is missing"
            if not database.startswith("postgres"):
                assert _rows(database, "PRAGMA integrity_check") == [("ok",)]
        assert len(saved) == ROUNDS // 3 and len(published) == ROUNDS // 3 and len(uploaded) == ROUNDS // 3
    finally:
        _stop(server.process)
