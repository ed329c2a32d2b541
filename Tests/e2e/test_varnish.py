"""A real Varnish (Debian's, with the xkey module of varnish-modules) in front of Vestnik, configured by the
repository's deploy/varnish/vestnik.vcl: pages are shared from Varnish, an edit in the newsroom purges exactly the
pages that show the article (by the keys in their Surrogate-Key header), and a purge target that is down is retried
while the site goes on."""

from __future__ import annotations

import http.cookiejar
import http.server
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import BINARY, REPO_ROOT, _free_port, _stop, article_links, start_server

VCL = REPO_ROOT / "deploy" / "varnish" / "vestnik.vcl"
NGINX_CONF = REPO_ROOT / "deploy" / "nginx" / "vestnik.conf"
EMAIL = "varnish-chief@vestnik.bg"
PASSWORD = "лакова-парола-42"


def _varnishd() -> str:
    path = shutil.which("varnishd") or ("/usr/sbin/varnishd" if os.path.exists("/usr/sbin/varnishd") else None)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("varnishd is not installed (.ci/run installs varnish and varnish-modules)")
        pytest.skip("varnishd is not installed (apt-get install varnish varnish-modules)")
    return path


def _wait_for_home(process, url: str, seconds: float, name: str, log) -> None:
    """Polls `url` until it answers 200; fails with the process's log if it stops or the time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} stopped: " + log())
        try:
            if _get(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{name} did not answer within {seconds:g} s")


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read().decode("utf-8", "replace")


class Varnish:
    """varnishd in the foreground on a free port, in front of one Vestnik node; with `purge_port`, also on the
    listen address named `purge` where the VCL takes purges."""

    def __init__(self, backend_port: int, port: int, purge_port: int | None = None) -> None:
        self.port = port
        self.purge_port = purge_port
        # The child process runs as Varnish's own user: its folder must be readable by it.
        self.folder = Path(tempfile.mkdtemp(prefix="vestnik-varnish-"))
        self.folder.chmod(0o755)
        vcl = self.folder / "vestnik.vcl"
        vcl.write_text(VCL.read_text().replace('.port = "8080";', f'.port = "{backend_port}";'))
        vcl.chmod(0o644)
        self.log = open(self.folder / "varnishd.log", "wb")
        self.process = subprocess.Popen(
            [_varnishd(), "-F", "-n", str(self.folder / "state"), "-a", f"127.0.0.1:{port}",
             *(["-a", f"purge=127.0.0.1:{purge_port}"] if purge_port else []), "-f", str(vcl),
             "-s", "malloc,64m", "-p", "default_ttl=60"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        _wait_for_home(self.process, self.url("/"), 30, "varnishd",
                       lambda: (self.folder / "varnishd.log").read_text(errors="replace"))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        _stop(self.process)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class _Form(HTMLParser):
    """The fields of the article editor's form as the browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "checkbox"):
            self.fields[name] = a.get("value") or ""
        elif tag == "input" and name and a.get("type") == "checkbox" and "checked" in a:
            self.fields[name] = a.get("value") or "on"
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.fields):
            self.fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


class Newsroom:
    """An editor's browser without the browser: cookies, the CSRF token, the editor's form."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def _open(self, path: str, data: dict | None = None) -> str:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            return response.read().decode()

    def login(self) -> None:
        page = self._open("/newsroom/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        after = self._open("/newsroom/login", {"email": EMAIL, "password": PASSWORD, "csrf": csrf})
        assert "logout" in after, after[:500]

    def retitle(self, article_id: int, suffix: str) -> None:
        parser = _Form()
        parser.feed(self._open(f"/newsroom/articles/{article_id}"))
        fields = parser.fields
        fields["title"] = fields["title"] + suffix
        fields["action"] = "save"
        self._open(f"/newsroom/articles/{article_id}", fields)


def _create_chief(database: Path) -> None:
    result = subprocess.run(
        [str(BINARY), "user", "create", "--database", str(database), "--email", EMAIL, "--name", "Лаков Редактор",
         "--role", "chief", "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def _article_id(html: str) -> int:
    return int(re.search(r"/api/reads/(\d+)", html).group(1))


def test_an_edit_purges_exactly_its_pages_from_varnish(tmp_path: Path) -> None:
    purge_port = _free_port()
    server = start_server(tmp_path, extra_args=("--purge-url", f"http://127.0.0.1:{purge_port}/"))
    varnish = Varnish(int(server.base_url.rsplit(":", 1)[1]), _free_port(), purge_port)
    try:
        _create_chief(server.log_path.parent / "e2e.sqlite")
        # The server notices that write by another process within a second and drops everything; let it pass.
        time.sleep(1.5)
        links = article_links(_get(varnish.url("/"))[2])
        pages: dict[str, set[str]] = {}
        ids: dict[str, int] = {}
        for path in ["/", *links[:16]]:
            _get(varnish.url(path))
            status, headers, html = _get(varnish.url(path))
            assert status == 200
            assert headers.get("x-cache-varnish") == "HIT", path
            assert "xkey" not in headers
            pages[path] = set(headers["surrogate-key"].split())
            if path != "/":
                ids[path] = _article_id(html)
        # The story shown on the fewest of these pages (today's newest show everywhere, in "Новините днес").
        target = min(ids, key=lambda path: sum(f"a{ids[path]}" in keys for keys in pages.values()))
        article_id = ids[target]
        key = f"a{article_id}"
        untouched = [path for path, keys in pages.items() if key not in keys]
        touched = [path for path, keys in pages.items() if key in keys]
        assert untouched, "every page shows the article; pick a site with older stories"

        newsroom = Newsroom(server.base_url)
        newsroom.login()
        started = time.monotonic()
        newsroom.retitle(article_id, " (обновено)")
        # The purge is sent by the node right after the save; give it a moment, then every page that showed the
        # story shows the new headline, and every other page is still served by Varnish from its cache.
        deadline = started + 3
        while True:
            if "(обновено)" in _get(varnish.url(target))[2]:
                break
            assert time.monotonic() < deadline, "Varnish still serves the old headline 3 s after the edit"
            time.sleep(0.05)
        print(f"fresh through Varnish {time.monotonic() - started:.3f} s after the save was sent")
        for path in touched:
            assert "(обновено)" in _get(varnish.url(path))[2], path
        for path in untouched:
            assert _get(varnish.url(path))[1].get("x-cache-varnish") == "HIT", path
        # Purges are taken on the purge address only, and must name keys; readers' address refuses them.
        assert _get(varnish.url("/"), {"X-Forwarded-For": "10.0.0.1"})[0] == 200
        assert _send("PURGE", varnish.url("/"), {"xkey-purge": "site"})[0] == 403
        assert _send("PURGE", f"http://127.0.0.1:{purge_port}/")[0] == 400
    finally:
        varnish.stop()
        _stop(server.process)


def _send(method: str, url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read().decode("utf-8", "replace")


class Nginx:
    """nginx in the foreground with deploy/nginx/vestnik.conf, made local: plain HTTP on a free port instead of
    TLS on 443, its upstreams pointed at this test's Varnish and node."""

    def __init__(self, port: int, varnish_port: int, node_port: int) -> None:
        nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
        if nginx is None:
            if os.environ.get("CI"):
                pytest.fail("nginx is not installed (apt-get install nginx)")
            pytest.skip("nginx is not installed (apt-get install nginx)")
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="vestnik-nginx-"))
        self.folder.chmod(0o777)
        site = NGINX_CONF.read_text()
        # The sample's second server (port 80 → https) has no place here.
        site = site[: site.rindex("server {")]
        site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
        site = re.sub(r"\n\s*ssl_certificate(_key)?\s[^\n]*", "", site)
        site = site.replace("127.0.0.1:6081", f"127.0.0.1:{varnish_port}").replace("127.0.0.1:8081", f"127.0.0.1:{node_port}")
        site = re.sub(r"\n\s*server 127\.0\.0\.1:8082[^\n]*", "", site)
        temp = "".join(f"{kind}_temp_path {self.folder}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (self.folder / "nginx.conf").write_text(
            f"daemon off;\nworker_processes 1;\npid {self.folder}/nginx.pid;\nerror_log {self.folder}/error.log;\n"
            f"events {{}}\nhttp {{\naccess_log off;\n{temp}{site}\n}}\n")
        self.log = open(self.folder / "nginx.out", "wb")
        self.process = subprocess.Popen(
            [nginx, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf")],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        _wait_for_home(self.process, self.url("/"), 15, "nginx",
                       lambda: (self.folder / "nginx.out").read_text(errors="replace")
                       + (self.folder / "error.log").read_text(errors="replace"))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        _stop(self.process)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def test_nobody_outside_can_purge_through_nginx(tmp_path: Path) -> None:
    """Issue 27, finding 16: behind the sample nginx every request reaches Varnish from 127.0.0.1, the address its
    purge ACL trusts. A PURGE (or BAN) from the internet must not get through nginx, nor be taken on the address
    nginx talks to; the nodes' own purges still work."""
    purge_port = _free_port()
    server = start_server(tmp_path, extra_args=("--purge-url", f"http://127.0.0.1:{purge_port}/"))
    node_port = int(server.base_url.rsplit(":", 1)[1])
    varnish = Varnish(node_port, _free_port(), purge_port)
    nginx = Nginx(_free_port(), varnish.port, node_port)
    try:
        time.sleep(1.5)  # the demo's load is a write the node notices and purges for; let it pass
        _get(nginx.url("/"))
        status, headers, _ = _get(nginx.url("/"))
        assert status == 200 and headers.get("x-cache-varnish") == "HIT"
        for method in ("PURGE", "BAN"):
            status, _, body = _send(method, nginx.url("/"), {"xkey-purge": "site"})
            assert status == 405, f"{method} through nginx: {status} {body[:200]}"
        # Straight at Varnish's readers' address (as nginx would pass it on) it is refused as well.
        status, _, body = _send("PURGE", varnish.url("/"), {"xkey-purge": "site"})
        assert status == 403, f"PURGE at Varnish's readers' address: {status} {body[:200]}"
        # Nothing was dropped: the home page is still served from Varnish's cache.
        assert _get(nginx.url("/"))[1].get("x-cache-varnish") == "HIT"
        # The purge address works for the nodes.
        status, _, body = _send("PURGE", f"http://127.0.0.1:{purge_port}/", {"xkey-purge": "site"})
        assert status == 200 and "Purged" in body, body[:200]
        assert _get(nginx.url("/"))[1].get("x-cache-varnish") == "MISS"
    finally:
        nginx.stop()
        varnish.stop()
        _stop(server.process)


class _PurgeRecorder(http.server.BaseHTTPRequestHandler):
    received: list[str] = []

    def do_PURGE(self):  # noqa: N802 (the method name is the HTTP verb)
        _PurgeRecorder.received.append(self.headers.get("xkey-purge", ""))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_purge_target_that_is_down_is_retried_and_the_site_goes_on(tmp_path: Path) -> None:
    purge_port = _free_port()
    server = start_server(tmp_path, extra_args=("--purge-url", f"http://127.0.0.1:{purge_port}/"))
    recorder = None
    try:
        _create_chief(server.log_path.parent / "e2e.sqlite")
        target = article_links(_get(server.url("/"))[2])[0]
        article_id = _article_id(_get(server.url(target))[2])
        newsroom = Newsroom(server.base_url)
        newsroom.login()
        newsroom.retitle(article_id, " (при спрян кеш)")
        # Nobody listens at the purge address: the site still answers with the fresh page at once.
        status, _, html = _get(server.url(target))
        assert status == 200 and "(при спрян кеш)" in html
        time.sleep(1)
        assert "failed, retrying" in server.log_path.read_text(errors="replace")
        # The cache comes back: the owed purge arrives, naming the article (or everything: creating the user from
        # the command line was a write by another process, which drops every page).
        _PurgeRecorder.received = []
        recorder = http.server.HTTPServer(("127.0.0.1", purge_port), _PurgeRecorder)
        threading.Thread(target=recorder.serve_forever, daemon=True).start()
        deadline = time.monotonic() + 20
        while not any({f"a{article_id}", "site"} & set(keys.split()) for keys in _PurgeRecorder.received):
            assert time.monotonic() < deadline, f"no purge arrived: {_PurgeRecorder.received}"
            time.sleep(0.1)
    finally:
        if recorder:
            recorder.shutdown()
        _stop(server.process)


def test_with_every_node_down_varnish_serves_the_pages_it_keeps(tmp_path: Path) -> None:
    """stale-if-error as deploy/varnish/vestnik.vcl does it: pages stay 1 day past their s-maxage (60 s), served
    that old only while no node is healthy; a page Varnish never had gets a short 503 with Retry-After."""
    server = start_server(tmp_path)
    varnish = Varnish(int(server.base_url.rsplit(":", 1)[1]), _free_port())
    try:
        links = article_links(_get(varnish.url("/"))[2])
        kept, never = ["/", links[0]], links[1]
        pages = {}
        for path in kept:
            status, headers, html = _get(varnish.url(path))
            assert status == 200, path
            pages[path] = html
        fetched = time.monotonic()
        _stop(server.process)
        # Past the pages' s-maxage (60 s) and Varnish's default grace (10 s), so that only the VCL's 1 day of grace
        # can serve them, with the node down long enough for Varnish's probe to call it sick.
        time.sleep(max(0.0, fetched + 75 - time.monotonic()))
        for path in kept:
            status, headers, html = _get(varnish.url(path))
            assert status == 200, f"{path}: {status} with every node down"
            assert html == pages[path], path
            assert int(headers.get("age", "0")) >= 70, f"{path} is not the kept copy: {headers}"
        status, headers, _ = _get(varnish.url(never))
        assert status == 503, f"{never}: {status}"
        assert headers.get("retry-after") == "5"
    finally:
        varnish.stop()
        _stop(server.process)
