#!/usr/bin/env python3
"""Page weight and requests of an article with three embeds (a YouTube video, an X post, a Vimeo video), as headless
Chromium loads it, before (the build given as --before: YouTube as an iframe on the page, X and Facebook as links)
and after click-to-load facades (--binary). Every request the page makes is read from Chromium's performance log
(`Network.requestWillBeSent`; bytes from `Network.loadingFinished`), split into this site's and other hosts'.

    python3 bench/embed-weight.py --before /path/to/main/.build/debug/vestnik [--binary .build/debug/vestnik]

Each build gets a fresh SQLite database (the demo site); the newest demo article gets the three embed markers
(written straight into the database; the server notices). Embeds a build does not know (Vimeo before) stay out of its
page, as they did. A machine without internet access cannot load the providers' players: their requests are counted
as the browser sends them, but their bytes are not known (they fail), so "other hosts" bytes are a floor.
Needs chromium, chromium-driver and selenium (Tests/e2e)."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
MARKERS = [
    '<figure class="embed" data-embed="youtube" data-id="dQw4w9WgXcQ"></figure>',
    '<figure class="embed" data-embed="x" data-id="1790000000000000001"></figure>',
    '<figure class="embed" data-embed="vimeo" data-id="76979871"></figure>',
]


def serve(binary: str, work: Path) -> tuple[subprocess.Popen, str, Path]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    database = work / f"site-{port}.sqlite"
    log = open(work / f"server-{port}.log", "wb")
    process = subprocess.Popen(
        [binary, "serve", "--database", str(database), "--hostname", "127.0.0.1", "--port", str(port)],
        cwd=work, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(base + "/", timeout=2).read()
            return process, base, database
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not start")


def weigh(url: str) -> dict:
    from selenium import webdriver
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(url)
        driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        time.sleep(3)
        requests, sizes = {}, {}
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message.get("method") == "Network.requestWillBeSent":
                requests[params["requestId"]] = params["request"]["url"]
            elif message.get("method") == "Network.loadingFinished":
                sizes[params["requestId"]] = int(params.get("encodedDataLength", 0))
        ours = urlsplit(url).netloc
        result = {"own": 0, "own_bytes": 0, "other": 0, "other_bytes": 0, "other_hosts": set()}
        for rid, address in requests.items():
            if not address.startswith("http"):
                continue
            side = "own" if urlsplit(address).netloc == ours else "other"
            result[side] += 1
            result[side + "_bytes"] += sizes.get(rid, 0)
            if side == "other":
                result["other_hosts"].add(urlsplit(address).netloc)
        return result
    finally:
        driver.quit()


def measure(binary: str) -> dict:
    work = Path(tempfile.mkdtemp(prefix="vestnik-embed-weight-"))
    process, base, database = serve(binary, work)
    try:
        with sqlite3.connect(database) as db:
            slug, section = db.execute(
                "SELECT a.slug, s.slug FROM articles a JOIN sections s ON s.id = a.section_id WHERE a.status = 'published' "
                "ORDER BY a.published_at DESC LIMIT 1").fetchone()
            db.execute("UPDATE articles SET body_html = body_html || ? WHERE slug = ?", ("\n" + "\n".join(MARKERS), slug))
        time.sleep(2)  # the server sees the outside write and drops its cached pages
        return weigh(f"{base}/{section}/{slug}")
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True, help="a build from before the facades (e.g. main's)")
    parser.add_argument("--binary", default=os.environ.get("VESTNIK_BIN", str(ROOT / ".build" / "debug" / "vestnik")))
    args = parser.parse_args()
    load = os.getloadavg()
    rows = [("before", measure(args.before)), ("after", measure(args.binary))]
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"# Embed weight, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit}, load {load[0]:.1f}\n")
    print("| build | requests to this site | bytes from this site | requests to other hosts | other hosts |")
    print("|---|---:|---:|---:|---|")
    for name, r in rows:
        print(f"| {name} | {r['own']} | {r['own_bytes']:,} | {r['other']} | {', '.join(sorted(r['other_hosts'])) or '—'} |")


if __name__ == "__main__":
    main()
