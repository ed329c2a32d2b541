"""The APIs read by programs other people wrote, against a real `vestnik serve` on the demo site.

- A third-party WordPress REST client from PyPI (wp-api-client, `wp_api`) reads /wp-json/wp/v2/.
- A webhook receiver (Python's http.server) checks the signature as the README shows, after a kill -9 and restart.
- Schemathesis generates requests from the served OpenAPI document (/api/openapi.json) for the content API and,
  with a token a chief made on the newsroom page, the admin API: no answer may be a 5xx, and every answer must
  match the document (status, content type, schema).
"""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import requests
from wp_api import WPClient, WPAPINotFoundError

from conftest import Server, create_user, signed_in


def test_a_wordpress_client_reads_posts_terms_users_and_media(server: Server) -> None:
    client = WPClient(server.base_url)
    root = client.discover_endpoints()
    assert "wp/v2" in root["namespaces"]
    posts = client.posts.list(per_page=5)
    assert len(posts) == 5
    for post in posts:
        assert post["status"] == "publish" and post["type"] == "post"
        assert post["title"]["rendered"] and post["content"]["rendered"].startswith("<")
        assert post["link"].startswith(server.base_url + "/")
    second = client.posts.list(per_page=5, page=2)
    assert {p["id"] for p in second}.isdisjoint({p["id"] for p in posts})
    one = client.posts.get(posts[0]["id"])
    assert one["slug"] == posts[0]["slug"]
    categories = client.categories.list(per_page=100)
    assert categories and all(c["taxonomy"] == "category" for c in categories)
    assert posts[0]["categories"][0] in {c["id"] for c in categories}
    in_category = client.posts.list(categories=categories[0]["id"], per_page=100)
    assert in_category and all(categories[0]["id"] in p["categories"] for p in in_category)
    tags = client.tags.list(per_page=10)
    assert tags and all(t["taxonomy"] == "post_tag" for t in tags)
    users = client.users.list(per_page=10)
    assert users and all(u["link"].startswith(server.base_url) for u in users)
    try:
        client.posts.get(999_999)
        raise AssertionError("a missing post must be a 404")
    except WPAPINotFoundError:
        pass
    # What the client does not expose, read as WordPress sends it.
    response = requests.get(server.url("/wp-json/wp/v2/posts"), params={"per_page": 5, "_embed": "1"}, timeout=30)
    total = int(response.headers["X-WP-Total"])
    assert int(response.headers["X-WP-TotalPages"]) == -(-total // 5)
    assert f'<{server.base_url}/wp-json/>; rel="https://api.w.org/"' in response.headers["Link"]
    embedded = response.json()[0]["_embedded"]
    assert embedded["author"][0]["name"] and embedded["wp:term"][0][0]["taxonomy"] == "category"


def admin_token(server: Server, database, tmp_path) -> str:
    """A token with every scope for a chief, made on the newsroom page as a person would."""
    create_user(database, "api-chief@vestnik.bg", "много-тайна-парола", role="chief", name="API Главен")
    opener = signed_in(server, "api-chief@vestnik.bg", "много-тайна-парола")
    page = opener.open(server.url("/newsroom/api-tokens"), timeout=30).read().decode("utf-8")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    user = re.search(r'<option value="(\d+)">API Главен', page).group(1)
    form = urllib.parse.urlencode(
        [("csrf", csrf), ("name", "schemathesis"), ("user", user), ("scope", "read"), ("scope", "write"), ("scope", "publish")]
    ).encode()
    made = opener.open(server.url("/newsroom/api-tokens"), data=form, timeout=30).read().decode("utf-8")
    return re.search(r'<code class="nr-token">(vst_[0-9a-f]{64})</code>', made).group(1)


def schemathesis(server: Server, *arguments: str) -> subprocess.CompletedProcess:
    command = shutil.which("schemathesis") or shutil.which("st")
    base = [command] if command else [sys.executable, "-m", "schemathesis.cli"]
    return subprocess.run(
        [*base, "run", server.url("/api/openapi.json"), "--url", server.base_url,
         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
         "--max-examples", "25", "--seed", "16", "--no-color", "--warnings", "off", *arguments],
        # Its own files (.schemathesis/) go to a temporary folder, not into the repository.
        capture_output=True, text=True, timeout=900, cwd=tempfile.mkdtemp(prefix="schemathesis-"))


def test_schemathesis_finds_no_error_in_the_content_api(server: Server) -> None:
    run = schemathesis(server, "--include-path-regex", "^/api/(v1/|openapi|docs)")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]


def test_schemathesis_finds_no_error_in_the_admin_api(tmp_path_factory) -> None:
    from conftest import _stop, start_server

    workdir = tmp_path_factory.mktemp("vestnik-admin-api")
    database = workdir / "admin.sqlite"
    server = start_server(workdir, database=database)
    try:
        token = admin_token(server, database, workdir)
        run = schemathesis(server, "--include-path-regex", "^/api/admin/", "-H", f"Authorization: Bearer {token}", "--rate-limit", "8/s")
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    finally:
        _stop(server.process)


class _Receiver(http.server.BaseHTTPRequestHandler):
    """A webhook receiver someone else wrote: it keeps every POST's headers and raw body."""

    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"got it")

    def log_message(self, *args) -> None:
        pass


def _deliveries(database) -> list[tuple[str, str, int]]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT event, status, attempts FROM webhook_deliveries ORDER BY id").fetchall()


def test_a_webhook_is_signed_retried_and_survives_a_kill(tmp_path_factory) -> None:
    """Issue 16's proof: a receiver that is down, the server killed (-9) after the first failed try, the receiver up,
    the server started again: the delivery arrives once, signed as the README says, and the chief sees it."""
    from conftest import BINARY, _free_port, _stop, start_server

    workdir = tmp_path_factory.mktemp("vestnik-webhooks")
    database = workdir / "hooks.sqlite"
    # The receiver runs on this machine: the setting lets webhooks reach it (off by default).
    subprocess.run([str(BINARY), "setting", "webhooks.allow_private", "on", "--database", str(database)],
                   check=True, capture_output=True, timeout=120, cwd=workdir)
    port = _free_port()
    server = start_server(workdir, database=database)
    try:
        token = admin_token(server, database, workdir)
        chief = signed_in(server, "api-chief@vestnik.bg", "много-тайна-парола")
        page = chief.open(server.url("/newsroom/webhooks"), timeout=30).read().decode("utf-8")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            [("csrf", csrf), ("url", f"http://127.0.0.1:{port}/hook"), ("event", "article.published")]).encode()
        made = chief.open(server.url("/newsroom/webhooks"), data=form, timeout=30).read().decode("utf-8")
        secret = re.search(r'<code class="nr-token">(whsec_[^<]+)</code>', made).group(1)
        # An app publishes through the admin API.
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {token}"
        section = requests.get(server.url("/api/v1/sections"), timeout=30).json()["items"][0]["name"]
        created = api.post(server.url("/api/admin/v1/articles"), timeout=30, json={
            "title": "Уебкукичката чака", "section": section, "lead": "Кратко.", "body_html": "<p>Текст.</p>"})
        assert created.status_code == 201, created.text
        article = created.json()
        published = api.post(server.url(f"/api/admin/v1/articles/{article['id']}/publish"), timeout=30,
                             json={"base_revision": article["revision"]})
        assert published.status_code == 200, published.text
        # The receiver is down: the first try fails and waits.
        deadline = time.monotonic() + 60
        while _deliveries(database) != [("article.published", "queued", 1)]:
            assert time.monotonic() < deadline, (_deliveries(database), server.log_tail())
            time.sleep(0.5)
        server.process.kill()
        server.process.wait(timeout=30)
    except BaseException:
        _stop(server.process)
        raise
    _Receiver.received = []
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    server = start_server(workdir, database=database)
    try:
        deadline = time.monotonic() + 90
        while not _Receiver.received:
            assert time.monotonic() < deadline, (_deliveries(database), server.log_tail())
            time.sleep(0.5)
        time.sleep(6)  # another round of the sender: nothing more may come
        assert len(_Receiver.received) == 1
        headers, body = _Receiver.received[0]
        fields = dict(part.split("=", 1) for part in headers["vestnik-signature"].split(","))
        expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(expected, fields["v1"]) and abs(time.time() - int(fields["t"])) <= 300
        assert headers["vestnik-event"] == "article.published"
        payload = json.loads(body)
        assert payload["event"] == "article.published" and payload["article"]["id"] == article["id"]
        assert _deliveries(database) == [("article.published", "sent", 2)]
        shown = signed_in(server, "api-chief@vestnik.bg", "много-тайна-парола").open(
            server.url("/newsroom/webhooks"), timeout=30).read().decode("utf-8")
        assert "HTTP 200 got it" in shown and secret not in shown
    finally:
        _stop(server.process)
        receiver.shutdown()
