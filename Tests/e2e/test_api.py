"""The APIs read by programs other people wrote, against a real `vestnik serve` on the demo site.

- A third-party WordPress REST client from PyPI (wp-api-client, `wp_api`) reads /wp-json/wp/v2/.
- Schemathesis generates requests from the served OpenAPI document (/api/openapi.json) for the content API and,
  with a token a chief made on the newsroom page, the admin API: no answer may be a 5xx, and every answer must
  match the document (status, content type, schema).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
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
