#!/usr/bin/env python3
"""What a phone downloads for an article that leads with a 4000×3000 photograph, before renditions (the original,
as every page sent it until issue 17) and after (the rendition the browser picks from the srcset), in headless
Chromium at 390 CSS pixels wide and device pixel ratios 1, 2 and 3; and the demo home page, which shows no pictures.

    python3 bench/picture-weight.py [--binary .build/debug/vestnik] [--output bench/results/picture-weight.md]

It starts its own server on a fresh SQLite database (the demo site), uploads the photograph through the newsroom,
makes it the featured picture of the newest demo article (written straight into the database; the server notices),
and measures with renditions off (`VESTNIK_RENDITIONS=off`), then again with them made (`vestnik media renditions`).
Bytes only, so any build of the binary will do. Needs chromium, chromium-driver, selenium and Pillow (Tests/e2e)."""

from __future__ import annotations

import argparse
import datetime
import io
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "e2e"))
from conftest import signed_in  # noqa: E402
from test_media import upload  # noqa: E402


class Server:
    def __init__(self, binary: str, workdir: Path, database: Path, renditions: bool):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.database = database
        env = dict(os.environ)
        if not renditions:
            env["VESTNIK_RENDITIONS"] = "off"
        self.log = open(workdir / f"server-{self.port}.log", "wb")
        self.process = subprocess.Popen(
            [binary, "serve", "--database", str(database), "--hostname", "127.0.0.1", "--port", str(self.port)],
            cwd=workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        for _ in range(240):
            try:
                urllib.request.urlopen(self.base_url + "/", timeout=2).read()
                return
            except OSError:
                time.sleep(0.5)
        raise SystemExit("the server did not start")

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def photograph() -> bytes:
    """The same statistics as bench/renditions.sh's input: gradients under fine noise, 4000×3000, quality 88."""
    import random
    from PIL import Image, ImageFilter
    random.seed(17)
    w, h = 4000, 3000
    base = Image.linear_gradient("L").resize((w, h))
    noise = Image.effect_noise((w, h), 40).filter(ImageFilter.GaussianBlur(1))
    out = io.BytesIO()
    Image.merge("RGB", (base, noise, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT))).save(out, "JPEG", quality=88)
    return out.getvalue()


def weigh(url: str, ratio: int) -> tuple[int, str]:
    """Bytes transferred for the page and everything it loaded, and the featured picture the browser chose."""
    from selenium import webdriver
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": ratio}})
    driver = webdriver.Chrome(service=webdriver.ChromeService("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(url)
        time.sleep(1.5)  # lazy images near the fold, then quiet
        total = driver.execute_script(
            "const n = performance.getEntriesByType('navigation')[0];"
            "return n.transferSize + performance.getEntriesByType('resource').reduce((s, r) => s + r.transferSize, 0);")
        chosen = driver.execute_script("const i = document.querySelector('figure.featured img'); return i ? i.currentSrc : '';")
        return int(total), chosen
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.environ.get("VESTNIK_BIN", str(ROOT / ".build" / "debug" / "vestnik")))
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "picture-weight.md"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vestnik-picture-weight-"))
    database = work / "site.sqlite"
    server = Server(args.binary, work, database, renditions=False)
    try:
        email, password = "weight@vestnik.bg", "тегло-на-страницата-17"
        subprocess.run([args.binary, "user", "create", "--database", str(database), "--email", email, "--name", "Тегло",
                        "--role", "editor", "--password-stdin"], input=password + "\n", text=True, check=True,
                       capture_output=True)
        status, item = upload(signed_in(server, email, password), server, "photo.jpg", photograph(), "Снимка")
        assert status == 201, item
        with sqlite3.connect(database) as db:
            slug, section = db.execute(
                "SELECT a.slug, s.slug FROM articles a JOIN sections s ON s.id = a.section_id WHERE a.status = 'published' "
                "ORDER BY a.published_at DESC LIMIT 1").fetchone()
            db.execute("UPDATE articles SET featured_media = ? WHERE slug = ?", (item["hash"], slug))
        path = f"/{section}/{slug}"
        time.sleep(2)  # the server sees the outside write and drops its cached pages
        before = {r: weigh(server.url(path), r) for r in (1, 2, 3)}
        home_before = weigh(server.url("/"), 3)[0]
    finally:
        server.stop()
    made = subprocess.run([args.binary, "media", "renditions", "--database", str(database)], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    server = Server(args.binary, work, database, renditions=True)
    try:
        after = {r: weigh(server.url(path), r) for r in (1, 2, 3)}
        home_after = weigh(server.url("/"), 3)[0]
    finally:
        server.stop()
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    lines = [f"# Picture weight, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit}", "",
             f"Article `{path}` leading with a {len(photograph()):,}-byte 4000×3000 JPEG; Chromium at 390 CSS px.", "",
             "| device pixel ratio | before: bytes | picture | after: bytes | picture the browser chose |", "|---:|---:|---|---:|---|"]
    def describe(url: str) -> str:
        name = url.rsplit("/", 1)[-1]
        with sqlite3.connect(database) as db:
            row = db.execute("SELECT format, width, height, bytes FROM media_renditions WHERE file_hash = ?",
                             (name.split(".")[0],)).fetchone()
        return f"{row[0]} {row[1]}×{row[2]}, {row[3]:,} bytes" if row else f"original {name[:12]}…"
    for r in (1, 2, 3):
        lines.append(f"| {r} | {before[r][0]:,} | {describe(before[r][1])} | {after[r][0]:,} | {describe(after[r][1])} |")
    lines += ["", f"Demo home page (no pictures on it), ratio 3: {home_before:,} bytes before, {home_after:,} after.", ""]
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
