"""`vestnik import-wordpress` as an editor runs it: the export a real WordPress wrote (Tests/fixtures/wordpress, made
by make-export.sh with Debian's WordPress) with its uploads folder and --create-users, read on a running site; and
an import killed with SIGKILL half-way (every post it had committed whole, `PRAGMA integrity_check` ok), then run
again, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import REPO_ROOT, signed_in, start_server, _stop

BINARY = Path(os.environ.get("VESTNIK_BIN", REPO_ROOT / ".build" / "debug" / "vestnik"))
FIXTURE = REPO_ROOT / "Tests" / "fixtures" / "wordpress"
PASSWORD = "Нова-парола-2026"


def run(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(BINARY), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def first_hop(url: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def test_a_real_wordpress_export_with_its_pictures_and_authors(tmp_path: Path) -> None:
    database = tmp_path / "site.sqlite"
    media = tmp_path / "media"
    server = start_server(tmp_path, database=database, extra_args=("--media-dir", str(media), "--no-demo"))
    try:
        args = ("import-wordpress", str(FIXTURE / "export.xml"), "--database", str(database), "--uploads",
                str(FIXTURE / "uploads"), "--media-dir", str(media), "--create-users", "--public-url", server.base_url)
        result = run(*args, cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        out = result.stdout
        assert "Imported 7 new and 0 updated articles." in out
        assert "Not imported: page 3, status private 1, status trash 1; comments: 3 (not imported); sticky posts: 1." in out
        assert "Pictures: 1 copied into the media library, 0 there already, 0 missing; featured pictures: 1." in out
        links = dict(re.findall(r"<([^>]+)>: contributor account created; set a password at (\S+)", out))
        assert sorted(links) == ["admin@stariat-vestnik.bg", "iivanov@stariat-vestnik.bg", "mpetrova@stariat-vestnik.bg"]
        assert all(link.startswith(server.base_url + "/newsroom/reset/") for link in links.values())

        # The old permalink (percent-encoded Cyrillic) answers 301 with the new address, which shows the article and
        # its picture from the media library, scrubbed of its GPS position.
        status, location = first_hop(server.url("/2026/11/%d0%b1%d1%8e%d0%b4%d0%b6%d0%b5%d1%82-2027/"))
        assert status == 301 and location.endswith("/byudzhet-2027"), (status, location)
        assert first_hop(server.url("/?p=4"))[1] == location
        page = server.get(urllib.parse.urlsplit(location).path)
        assert page.status == 200 and "Общината прие бюджета за 2027 г." in page.body
        with sqlite3.connect(database) as db:
            hashes = [row[0] for row in db.execute("SELECT hash FROM media")]
            shown = hashes + [row[0] for row in db.execute("SELECT file_hash FROM media_renditions")]
        # The original's address, or one of its renditions' once the server has made them (a CI run was that quick).
        assert len(hashes) == 1 and any(f"/media/{shown_hash}." in page.body for shown_hash in shown)
        with urllib.request.urlopen(server.url(f"/media/{hashes[0]}.jpg"), timeout=10) as response:
            picture = response.read()
        assert response.headers["Content-Type"] == "image/jpeg"
        original = (FIXTURE / "uploads" / "2026" / "11" / "zala.jpg").read_bytes()
        assert picture != original and b"GPS" not in picture[:4096] and len(picture) > 20_000

        # Mariya sets her password from the printed link, signs in, and finds her imported draft as her own.
        reset_path = urllib.parse.urlsplit(links["mpetrova@stariat-vestnik.bg"]).path
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        form_page = opener.open(server.url(reset_path), timeout=10).read().decode("utf-8")
        token = re.search(r'name="csrf" value="([^"]+)"', form_page).group(1)
        opener.open(server.url(reset_path), data=urllib.parse.urlencode({"csrf": token, "password": PASSWORD, "password2": PASSWORD}).encode(),
                    timeout=30).read()
        session = signed_in(server, "mpetrova@stariat-vestnik.bg", PASSWORD)
        newsroom = session.open(server.url("/newsroom"), timeout=10).read().decode("utf-8")
        assert "Чернова за изборите" in newsroom and "Чака редактор" in newsroom

        # Again: no new account, article or picture.
        again = run(*args, cwd=tmp_path)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "Imported 0 new and 7 updated articles." in again.stdout
        assert again.stdout.count("has an account already") == 3 and "account created" not in again.stdout
        assert "Pictures: 0 copied into the media library, 1 there already, 0 missing" in again.stdout
    finally:
        _stop(server.process)


def test_fetch_media_downloads_the_pictures_and_refuses_local_addresses_unless_allowed(tmp_path: Path) -> None:
    # The old site, serving its uploads folder on this machine.
    site = tmp_path / "old-site"
    (site / "wp-content").mkdir(parents=True)
    (site / "wp-content" / "uploads").symlink_to(FIXTURE / "uploads")
    requests: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format, *args):
            requests.append(self.path)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        export = tmp_path / "export.xml"
        export.write_text((FIXTURE / "export.xml").read_text(encoding="utf-8").replace("https://stariat-vestnik.bg", base),
                          encoding="utf-8")
        database = tmp_path / "site.sqlite"
        args = ("import-wordpress", str(export), "--database", str(database), "--media-dir", str(tmp_path / "media"),
                "--fetch-media")
        refused = run(*args, cwd=tmp_path)
        assert refused.returncode == 0, refused.stdout + refused.stderr
        assert "Pictures:" not in refused.stdout and "a loopback address: refused" in refused.stdout
        assert requests == []

        allowed = run(*args, "--allow-local-media", cwd=tmp_path)
        assert allowed.returncode == 0, allowed.stdout + allowed.stderr
        assert "Pictures: 1 copied into the media library, 0 there already, 0 missing; featured pictures: 1." in allowed.stdout
        assert "/wp-content/uploads/2026/11/zala.jpg" in " ".join(requests)
        with sqlite3.connect(database) as db:
            body = db.execute("SELECT body_html FROM articles WHERE slug = 'byudzhet-2027'").fetchone()[0]
            (media_hash,) = db.execute("SELECT hash FROM media").fetchone()
        assert f'<img src="/media/{media_hash}.jpg"' in body and base not in body
    finally:
        httpd.shutdown()


def generated_export(path: Path, posts: int) -> int:
    """bench/wordpress-export.py's export of `posts` posts; returns how many of them are imported (not private)."""
    with open(path, "w", encoding="utf-8") as out:
        subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "wordpress-export.py"), str(posts)], stdout=out, check=True)
    return sum(1 for i in range(1, posts + 1) if i % 50 != 1)


# A few thousand posts for a real run (WP_KILL_POSTS=3000); 600 by default, as a debug build imports some 10 posts/s
# on a loaded 2-core machine.
POSTS = int(os.environ.get("WP_KILL_POSTS", "600"))


def kill_half_way(database: str, export: Path, cwd: Path, count) -> int:
    """Starts the import, kills it with SIGKILL once a sixth of the posts are in, and returns how many were."""
    process = subprocess.Popen([str(BINARY), "import-wordpress", str(export), "--database", database], cwd=cwd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and process.poll() is None:
            if count() >= POSTS // 6:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the import ended before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
    done = count()
    assert 0 < done < POSTS, done
    return done


# After the kill, before the rerun: every post the import had committed is whole (its article with a body, its one
# revision, all its tags, its import row), and no article stands without its import row.
UNFINISHED = """SELECT COUNT(*) FROM import_items i LEFT JOIN articles a ON a.id = i.article_id
    WHERE a.id IS NULL OR a.body_html = ''
       OR (SELECT COUNT(*) FROM article_revisions r WHERE r.article_id = a.id) <> 1
       OR (SELECT COUNT(*) FROM article_tags t WHERE t.article_id = a.id) < 3"""
ORPHANS = "SELECT COUNT(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM import_items i WHERE i.article_id = a.id)"


def check_rerun(database: str, export: Path, cwd: Path, expected: int, killed_at: int) -> None:
    result = run("import-wordpress", str(export), "--database", database, cwd=cwd)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    numbers = re.search(r"Imported (\d+) new and (\d+) updated articles\.", result.stdout)
    assert numbers, result.stdout
    created, updated = int(numbers.group(1)), int(numbers.group(2))
    # Whatever was committed before the kill is updated, the rest created: nothing twice, nothing lost.
    assert created + updated == expected and updated >= killed_at, (created, updated, killed_at)


def test_sqlite_import_killed_half_way_completes_on_a_rerun(tmp_path: Path) -> None:
    export = tmp_path / "export.xml"
    expected = generated_export(export, POSTS)
    database = tmp_path / "import.sqlite"
    assert run("migrate", "--database", str(database), cwd=tmp_path).returncode == 0

    def count() -> int:
        try:
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
                return db.execute("SELECT COUNT(*) FROM import_items").fetchone()[0]
        except sqlite3.OperationalError:
            return 0

    killed_at = kill_half_way(str(database), export, tmp_path, count)
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute(UNFINISHED).fetchone()[0] == 0
        assert db.execute(ORPHANS).fetchone()[0] == 0
    check_rerun(str(database), export, tmp_path, expected, killed_at)
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == expected
        assert db.execute("SELECT COUNT(*), COUNT(DISTINCT article_id), COUNT(DISTINCT item_id) FROM import_items").fetchone() == (
            expected, expected, expected)
        assert db.execute("SELECT COUNT(DISTINCT slug) FROM articles").fetchone()[0] == expected
        # Each article has its one revision (a rerun of an unchanged post adds none) and all its tags.
        assert db.execute("SELECT COUNT(*) FROM article_revisions").fetchone()[0] == expected
        assert db.execute("SELECT COUNT(*) FROM articles a WHERE (SELECT COUNT(*) FROM article_tags t WHERE t.article_id = a.id) < 3"
                          ).fetchone()[0] == 0


@pytest.mark.skipif(not os.environ.get("VESTNIK_TEST_POSTGRES_URL"), reason="VESTNIK_TEST_POSTGRES_URL is not set")
def test_postgresql_import_killed_half_way_completes_on_a_rerun(tmp_path: Path) -> None:
    base = os.environ["VESTNIK_TEST_POSTGRES_URL"]
    name = "wp_kill_" + uuid.uuid4().hex[:12]
    url = base.rsplit("/", 1)[0] + "/" + name

    def psql(target: str, sql: str) -> str:
        return subprocess.run(["psql", target, "-Atc", sql], capture_output=True, text=True, check=True, timeout=60).stdout.strip()

    psql(base, f"CREATE DATABASE {name}")
    try:
        export = tmp_path / "export.xml"
        expected = generated_export(export, POSTS)
        assert run("migrate", "--database", url, cwd=tmp_path).returncode == 0

        def count() -> int:
            return int(psql(url, "SELECT COUNT(*) FROM import_items"))

        killed_at = kill_half_way(url, export, tmp_path, count)
        assert psql(url, UNFINISHED) == "0" and psql(url, ORPHANS) == "0"
        check_rerun(url, export, tmp_path, expected, killed_at)
        assert psql(url, "SELECT COUNT(*) FROM articles") == str(expected)
        assert psql(url, "SELECT COUNT(*), COUNT(DISTINCT article_id), COUNT(DISTINCT item_id) FROM import_items") == (
            f"{expected}|{expected}|{expected}")
        assert psql(url, "SELECT COUNT(DISTINCT slug) FROM articles") == str(expected)
        assert psql(url, "SELECT COUNT(*) FROM article_revisions") == str(expected)
        # PostgreSQL's own check of every B-tree index of the tables the import writes.
        psql(url, "CREATE EXTENSION IF NOT EXISTS amcheck")
        checked = psql(url, """SELECT COUNT(*) FROM (SELECT bt_index_check(c.oid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                              JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree'
                              AND i.indrelid IN ('articles'::regclass, 'import_items'::regclass, 'legacy_redirects'::regclass,
                              'article_revisions'::regclass, 'article_tags'::regclass)) x""")
        assert int(checked) > 0
    finally:
        subprocess.run(["psql", base, "-Atc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True, timeout=60)
