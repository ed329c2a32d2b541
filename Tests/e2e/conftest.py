"""End-to-end fixtures: one real `vestnik serve` process per test session.

The server runs on a fresh SQLite file in a temporary directory, on a free
local port; on first start it migrates and loads the built-in demo site.

Environment:
  VESTNIK_BIN       path of the server binary (default: <repo>/.build/debug/vestnik)
  VESTNIK_BIN_WAIT  seconds to wait for the binary to appear (default: 600);
                    it is built by `swift build`, possibly by someone else.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parents[1]
ARTIFACTS_DIR = E2E_DIR / "artifacts"

READY_TIMEOUT = 60.0

# An article lives at /<section-slug>/<article-slug>; other two-segment paths
# (tags, authors, topics, static files) are not articles.
ARTICLE_PATH = re.compile(r"^/[a-z0-9-]+/[a-z0-9-]+$")
NON_ARTICLE_PREFIXES = ("/tag/", "/avtor/", "/tema/", "/static/", "/feed", "/search", "/tarsene")


def is_article_path(path: str) -> bool:
    return bool(ARTICLE_PATH.match(path)) and not path.startswith(NON_ARTICLE_PREFIXES)


@dataclass
class Response:
    status: int
    headers: dict
    body: str


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log_path: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def get(self, path: str, timeout: float = 10.0) -> Response:
        """GET without raising on 4xx/5xx (urllib, so the status code is real)."""
        request = urllib.request.Request(self.url(path), headers={"Accept-Language": "bg"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                return Response(resp.status, dict(resp.headers), resp.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            return Response(err.code, dict(err.headers), err.read().decode("utf-8", "replace"))

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def create_user(database: Path, email: str, password: str, role: str = "chief", name: str = "Е2Е Редактор") -> None:
    """A newsroom account made with the command line on the server's own database."""
    binary = Path(os.environ.get("VESTNIK_BIN", REPO_ROOT / ".build" / "debug" / "vestnik"))
    result = subprocess.run(
        [str(binary), "user", "create", "--database", str(database), "--email", email, "--name", name, "--role", role,
         "--password-stdin"],
        input=password + "\n", capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def signed_in(server: Server, email: str, password: str) -> urllib.request.OpenerDirector:
    """An HTTP client with a newsroom session: it fetched the login page (CSRF token and cookie) and signed in."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(server.url("/newsroom/login"), timeout=10).read().decode("utf-8")
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf": token, "email": email, "password": password}).encode()
    opener.open(server.url("/newsroom/login"), data=form, timeout=30).read()
    assert any(cookie.name == "vestnik_session" for cookie in jar), "no session after login"
    return opener


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def article_links(html: str) -> list[str]:
    """Article paths linked from a page, in document order, without duplicates."""
    parser = _LinkCollector()
    parser.feed(html)
    seen: list[str] = []
    for href in parser.hrefs:
        if is_article_path(href) and href not in seen:
            seen.append(href)
    return seen


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_binary(path: Path) -> None:
    deadline = time.monotonic() + float(os.environ.get("VESTNIK_BIN_WAIT", "600"))
    while not (path.is_file() and os.access(path, os.X_OK)):
        if time.monotonic() > deadline:
            pytest.fail(f"server binary {path} not found; build it with `swift build`")
        time.sleep(2)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _start(binary: Path, workdir: Path, database: Path | None = None, extra_args: tuple[str, ...] = ()) -> Server:
    """Start `vestnik serve` on a free port; `database` defaults to a fresh file of its own."""
    port = _free_port()
    workdir = workdir / f"port-{port}"
    workdir.mkdir()
    log_path = workdir / "server.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [
            str(binary), "serve",
            "--database", str(database or workdir / "e2e.sqlite"),
            "--hostname", "127.0.0.1",
            "--port", str(port),
            *extra_args,
        ],
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        # SIGTERM stops at once unless a test asks for the drain time (`--drain-seconds`).
        env={"VESTNIK_DRAIN_SECONDS": "0", **os.environ},
    )
    log.close()
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return server  # exited; the caller decides whether to retry
        try:
            with urllib.request.urlopen(server.url("/"), timeout=2) as resp:
                if resp.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.25)
    _stop(process)
    pytest.fail(f"server not ready on {server.base_url} within {READY_TIMEOUT:.0f} s\n{server.log_tail()}")


BINARY = Path(os.environ.get("VESTNIK_BIN", REPO_ROOT / ".build" / "debug" / "vestnik"))


def start_server(workdir: Path, database: Path | None = None, extra_args: tuple[str, ...] = ()) -> Server:
    """A running `vestnik serve`; the caller stops it (`_stop(server.process)`)."""
    _wait_for_binary(BINARY)
    # The free port is chosen before the server binds it; retry if another
    # process grabbed it in between (the server then exits at once).
    for _attempt in range(3):
        srv = _start(BINARY, workdir, database, extra_args)
        if srv.process.poll() is None:
            return srv
    pytest.fail(f"server exited with code {srv.process.returncode}\n{srv.log_tail()}")


def own_site(tmp_path_factory):
    """A server for one module that publishes: its articles must not become the shared site's newest, which the
    browser, machine and reader tests read as "the first article". Use as `yield from own_site(…)` in a fixture."""
    srv = start_server(tmp_path_factory.mktemp("vestnik-own"), extra_args=("--page-lifetime", "1"))
    try:
        yield srv
    finally:
        _stop(srv.process)


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    # Pages live a second in the page cache (60 s by default): tests that read a read count off a page see it
    # change soon after the reads are stored, as a reader would after the cache's lifetime.
    srv = start_server(tmp_path_factory.mktemp("vestnik-e2e"), extra_args=("--page-lifetime", "1"))
    try:
        yield srv
    finally:
        _stop(srv.process)


@pytest.fixture(scope="session")
def home_html(server: Server) -> str:
    resp = server.get("/")
    assert resp.status == 200
    return resp.body


@pytest.fixture(scope="session")
def first_article_path(home_html: str) -> str:
    """The first article the home page links to."""
    links = article_links(home_html)
    assert links, "the home page links to no article"
    return links[0]


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR
