#!/usr/bin/env python3
"""What a phone downloads for pictures, before renditions (the original upload, as every page sent it until issue 17)
and after (the rendition the browser picks from the srcset), in headless Chromium at 390 CSS pixels wide and device
pixel ratios 1, 2 and 3 (an iPhone's is 3):

- the demo site's home page, its first PICTURES stories (8 unless said) given each a photograph of their own (the demo
  content has none), as the page loads and after scrolling to its end (its lower pictures load lazily);
- an article leading with one of them.

    python3 bench/picture-weight.py [--binary .build/debug/vestnik] [--pictures 8] [--output bench/results/picture-weight.md]

It starts its own server on a fresh SQLite database (the demo site), uploads the photographs (4000×3000 JPEGs of
4.2-4.4 MB that compress like photographs: `photograph`) through the newsroom, makes them the featured pictures of the
stories the home page shows first (written straight into the database; the server notices), and measures with
renditions off (`VESTNIK_RENDITIONS=off`: the very same page and pictures, each sent as uploaded), then again with them
made (`vestnik media renditions`). Bytes only, so any build of the binary will do; the report names it. Needs chromium,
chromium-driver, selenium and Pillow (Tests/e2e)."""

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


def photograph(seed: int) -> bytes:
    """A stand-in for a camera's 4000×3000 JPEG (quality 88, 4.2-4.4 MB): brightness as octaves of noise, each coarser
    one weighing twice the finer (the 1/f spectrum of natural scenes), under a fine grain, with gentle colour; it
    compresses like a photograph of foliage or a crowd, not like a gradient (bench/renditions.sh's picture, whose
    AVIF renditions came out at 2-60 KB, far below a real photograph's)."""
    import random
    from PIL import Image, ImageChops, ImageOps
    random.seed(seed)
    w, h = 4000, 3000

    def octaves(pw: int, ph: int) -> Image.Image:
        # Made at pw×ph and enlarged: a lens softens the finest scales anyway, and the grain stands for them.
        sizes, sw, sh = [], pw, ph
        while sw >= 4:
            sizes.append((sw, max(1, sh)))
            sw, sh = sw // 2, sh // 2
        acc = None
        for size in sizes:  # finest first: each blend halves what came before
            layer = Image.effect_noise(size, 60).resize((pw, ph), Image.Resampling.BICUBIC)
            acc = layer if acc is None else Image.blend(acc, layer, 0.5)
        return ImageOps.autocontrast(acc, cutoff=1).resize((w, h), Image.Resampling.BICUBIC)

    luma = ImageChops.add(octaves(w // 3, h // 3), Image.effect_noise((w, h), 12), scale=1.0, offset=-128)
    flat = Image.new("L", (w, h), 128)
    cb, cr = (Image.blend(flat, octaves(w // 16, h // 16), 0.2) for _ in range(2))
    out = io.BytesIO()
    Image.merge("YCbCr", (luma, cb, cr)).convert("RGB").save(out, "JPEG", quality=88)
    return out.getvalue()


# Bytes the page and its pictures took over the network, how many pictures, in which formats; and the featured
# picture's address (an article's).
MEASURE = """
const entries = performance.getEntriesByType('resource');
const pictures = entries.filter(r => r.initiatorType === 'img' || new URL(r.name).pathname.startsWith('/media/'));
const n = performance.getEntriesByType('navigation')[0];
const formats = {};
for (const p of pictures) { const e = p.name.split('.').pop(); formats[e] = (formats[e] || 0) + 1; }
const featured = document.querySelector('figure.featured img');
return {total: n.transferSize + entries.reduce((s, r) => s + r.transferSize, 0),
        pictures: pictures.reduce((s, r) => s + r.transferSize, 0), count: pictures.length, formats: formats,
        chosen: featured ? featured.currentSrc : '', height: document.documentElement.scrollHeight};
"""


def weigh(url: str, ratio: int, scroll: bool = False) -> tuple[dict, dict | None]:
    """What the page took as it loaded, and (with `scroll`) in all once scrolled to its end a screen at a time."""
    from selenium import webdriver
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": ratio}})
    driver = webdriver.Chrome(service=webdriver.ChromeService("/usr/bin/chromedriver"), options=options)
    try:
        driver.set_script_timeout(30)
        driver.get(url)
        time.sleep(1.5)  # lazy images near the fold, then quiet
        loaded = driver.execute_script(MEASURE)
        if not scroll:
            return loaded, None
        y = 0
        while y < driver.execute_script("return document.documentElement.scrollHeight"):
            y += 700
            driver.execute_script("window.scrollTo(0, arguments[0])", y)
            time.sleep(0.3)
        time.sleep(1.5)
        return loaded, driver.execute_script(MEASURE)
    finally:
        driver.quit()


def stories_on(server: Server, database: Path, count: int) -> list[str]:
    """The slugs of the first `count` published stories the home page links to, in the page's order."""
    html = urllib.request.urlopen(server.url("/"), timeout=30).read().decode("utf-8")
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT a.slug, s.slug FROM articles a JOIN sections s ON s.id = a.section_id "
                          "WHERE a.status = 'published'").fetchall()
    found = sorted((html.find(f'/{section}/{slug}"'), slug) for slug, section in rows if f'/{section}/{slug}"' in html)
    return [slug for _, slug in found[:count]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.environ.get("VESTNIK_BIN", str(ROOT / ".build" / "debug" / "vestnik")))
    parser.add_argument("--pictures", type=int, default=int(os.environ.get("PICTURES", "8")))
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "picture-weight.md"))
    args = parser.parse_args()
    load_start = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="vestnik-picture-weight-"))
    database = work / "site.sqlite"
    ratios = (1, 2, 3)
    server = Server(args.binary, work, database, renditions=False)
    try:
        email, password = "weight@vestnik.bg", "тегло-на-страницата-17"
        subprocess.run([args.binary, "user", "create", "--database", str(database), "--email", email, "--name", "Тегло",
                        "--role", "editor", "--password-stdin"], input=password + "\n", text=True, check=True,
                       capture_output=True)
        session = signed_in(server, email, password)
        stories = stories_on(server, database, args.pictures)
        uploaded = 0
        for index, slug in enumerate(stories):
            data = photograph(17 + index)
            uploaded += len(data)
            status, item = upload(session, server, f"photo-{index}.jpg", data, f"Снимка {index + 1}")
            assert status == 201, item
            with sqlite3.connect(database) as db:
                db.execute("UPDATE articles SET featured_media = ? WHERE slug = ?", (item["hash"], slug))
        with sqlite3.connect(database) as db:
            path = "/{}/{}".format(*reversed(db.execute(
                "SELECT a.slug, s.slug FROM articles a JOIN sections s ON s.id = a.section_id WHERE a.slug = ?",
                (stories[0],)).fetchone()))
        time.sleep(2)  # the server sees the outside write and drops its cached pages
        before = {r: weigh(server.url(path), r)[0] for r in ratios}
        home_before = {r: weigh(server.url("/"), r, scroll=True) for r in ratios}
    finally:
        server.stop()
    started = time.monotonic()
    made = subprocess.run([args.binary, "media", "renditions", "--database", str(database)], capture_output=True, text=True)
    making = time.monotonic() - started
    assert made.returncode == 0, made.stderr
    server = Server(args.binary, work, database, renditions=True)
    try:
        after = {r: weigh(server.url(path), r)[0] for r in ratios}
        home_after = {r: weigh(server.url("/"), r, scroll=True) for r in ratios}
    finally:
        server.stop()
    load_end = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()

    def describe(url: str) -> str:
        name = url.rsplit("/", 1)[-1]
        with sqlite3.connect(database) as db:
            row = db.execute("SELECT format, width, height, bytes FROM media_renditions WHERE file_hash = ?",
                             (name.split(".")[0],)).fetchone()
        return f"{row[0]} {row[1]}×{row[2]}, {row[3]:,} B" if row else f"original {name[:12]}…"

    def pictures(m: dict) -> str:
        formats = ", ".join(f"{n} {f}" for f, n in sorted(m["formats"].items()))
        return f"{m['pictures']:,} B in {m['count']} ({formats})" if m["count"] else "none"

    lines = [f"# Picture weight, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit}", "",
             f"Binary `{args.binary}`. Headless Chromium at 390×844 CSS px. Load at the start: {load_start}. "
             f"At the end: {load_end}.", "",
             f"## The demo home page, its first {len(stories)} stories with a photograph each "
             f"(4000×3000 JPEGs, {uploaded:,} B uploaded in all)", "",
             "| device pixel ratio | | before: page and all it loaded | before: pictures | after: page and all it loaded "
             "| after: pictures |", "|---:|---|---:|---|---:|---|"]
    for r in ratios:
        for moment, index in (("as it loads", 0), ("scrolled to its end", 1)):
            b, a = home_before[r][index], home_after[r][index]
            lines.append(f"| {r} | {moment} | {b['total']:,} B | {pictures(b)} | {a['total']:,} B | {pictures(a)} |")
    lines += ["", f"Renditions of the {len(stories)} pictures made by `vestnik media renditions` in {making:.0f} s.", "",
              f"## An article leading with one of them (`{path}`), as it loads", "",
              "| device pixel ratio | before: bytes | picture | after: bytes | picture the browser chose |",
              "|---:|---:|---|---:|---|"]
    for r in ratios:
        lines.append(f"| {r} | {before[r]['total']:,} | {describe(before[r]['chosen'])} | {after[r]['total']:,} "
                     f"| {describe(after[r]['chosen'])} |")
    lines.append("")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
