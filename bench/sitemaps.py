#!/usr/bin/env python3
"""Sitemaps in constant memory: the release binary streams every sitemap of a site with 1,000 and with 1,000,000
articles; its peak resident memory must not grow with the site.

    swift build -c release --product vestnik
    python3 bench/sitemaps.py                      # SQLite: 1,000 and 1,000,000 articles
    python3 bench/sitemaps.py --articles 1000 100000
    python3 bench/sitemaps.py --postgres postgres://vestnik@127.0.0.1:5432   # also on PostgreSQL (a throwaway
                                                   # database is created on that server and dropped afterwards)

For each size the script
  1. makes a fresh database with `vestnik migrate` and fills it with one INSERT ... SELECT over a recursive CTE
     (one article every 30 seconds back from now, so a Sofia month holds about 86,000 and its sitemap is paged;
     8 sections, 50 topics, 5,000 tags, 200 authors, a tag and an author per article);
  2. starts `.build/release/vestnik serve --no-demo` on a free port and fetches the home page once;
  3. resets the kernel's peak-RSS mark (/proc/PID/clear_refs), then reads robots.txt, the index, every sitemap it
     names and the news sitemap, each as a stream in 64 KB pieces that are thrown away, counting <loc> elements;
  4. reports the peak resident memory while it did (VmHWM), the resident memory after start-up, and the times.
Needs Linux (/proc), python3, and psql for PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BINARY = Path(os.environ.get("VESTNIK_BIN", ROOT / ".build" / "release" / "vestnik"))
SPACING = 30  # seconds between two generated articles


def generate_sql(count: int, now: int) -> list[str]:
    """The rows of a big site, as a few INSERT ... SELECT statements (SQLite and PostgreSQL alike)."""
    def series(n: int) -> str:
        return f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})"

    return [
        f"""INSERT INTO sections (slug, name, description, position)
            {series(8)} SELECT 'rubrika-' || i, 'Рубрика ' || i, '', i FROM n""",
        f"""INSERT INTO topics (slug, name, description) {series(50)} SELECT 'tema-' || i, 'Тема ' || i, '' FROM n""",
        f"""INSERT INTO tags (slug, name) {series(5000)} SELECT 'etiket-' || i, 'етикет ' || i FROM n""",
        f"""INSERT INTO authors (slug, name, role, bio) {series(200)} SELECT 'avtor-' || i, 'Автор ' || i, 'Репортер', '' FROM n""",
        f"""INSERT INTO articles (slug, kicker, title, lead, body_html, section_id, topic_id, sources, has_video,
                has_gallery, status, published_at, created_at, updated_at, reads)
            {series(count)}
            SELECT 'statia-' || i, 'София', 'Статия номер ' || i || ' за сайтовите карти',
                'Резюме на статия ' || i || '.', '<p>Текст на статия ' || i || '.</p>',
                1 + i % 8, CASE WHEN i % 10 = 0 THEN 1 + i % 50 END, 'БТА', 0, 0, 'published',
                {now} - i * {SPACING}, {now} - i * {SPACING}, {now} - i * {SPACING}, 0
            FROM n""",
        "INSERT INTO article_tags (article_id, tag_id, position) SELECT id, 1 + id % 5000, 1 FROM articles",
        "INSERT INTO article_authors (article_id, author_id, position) SELECT id, 1 + id % 200, 1 FROM articles",
    ]


def run(*args: str) -> None:
    subprocess.run([str(BINARY), *args], check=True, stdout=subprocess.DEVNULL)


def fill_sqlite(path: Path, count: int, now: int) -> None:
    with sqlite3.connect(path) as db:
        for statement in generate_sql(count, now):
            db.execute(statement)
    with sqlite3.connect(path) as db:
        db.execute("ANALYZE")


def fill_postgres(url: str, count: int, now: int) -> None:
    script = ";\n".join(generate_sql(count, now)) + ";\nANALYZE;\n"
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url], input=script, text=True, check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def stream(url: str) -> tuple[int, int, float]:
    """Reads `url` in 64 KB pieces without keeping them: (bytes, <loc> count, seconds)."""
    started = time.monotonic()
    total = locs = 0
    carry = b""
    with urllib.request.urlopen(url, timeout=600) as resp:
        assert resp.status == 200, url
        while piece := resp.read(65536):
            total += len(piece)
            window = carry + piece
            locs += window.count(b"<loc>")
            carry = window[-4:]  # a <loc> split across two pieces is counted once, in the next window
    return total, locs, time.monotonic() - started


def locs_of(url: str) -> list[str]:
    with urllib.request.urlopen(url, timeout=600) as resp:
        text = resp.read().decode()
    return [part.split("</loc>")[0] for part in text.split("<loc>")[1:]]


def measure(database: str, label: str, count: int) -> dict:
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="vestnik-bench-", suffix=".log", delete=False)
    server = subprocess.Popen(
        [str(BINARY), "serve", "--database", database, "--no-demo", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"the server did not start; see {log.name}")
                time.sleep(0.2)
        started_kb = status_kb(server.pid, "VmRSS")
        Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # reset the peak-RSS mark

        robots = urllib.request.urlopen(base + "/robots.txt", timeout=10).read().decode()
        named = [line.split(":", 1)[1].strip() for line in robots.splitlines() if line.startswith("Sitemap:")]
        began = time.monotonic()
        index_started = time.monotonic()
        sitemaps = locs_of(named[0])
        index_seconds = time.monotonic() - index_started
        results = []
        for url in sitemaps + named[1:]:
            results.append((url[len(base):],) + stream(url))
        elapsed = time.monotonic() - began
        peak_kb = status_kb(server.pid, "VmHWM")
        biggest = max(results, key=lambda r: r[2])
        return {
            "label": label, "articles": count, "sitemaps": len(sitemaps), "urls": sum(r[2] for r in results),
            "megabytes": sum(r[1] for r in results) / 1e6, "seconds": elapsed, "index_seconds": index_seconds,
            "biggest": biggest, "started_mb": started_kb / 1024, "peak_mb": peak_kb / 1024,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        os.unlink(log.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 1_000_000])
    parser.add_argument("--postgres", help="postgres://user@host:port of a server where a throwaway database may be made")
    args = parser.parse_args()
    if not BINARY.exists():
        raise SystemExit(f"{BINARY} is missing: swift build -c release --product vestnik")

    rows = []
    for count in args.articles:
        now = int(time.time())
        with tempfile.TemporaryDirectory(prefix="vestnik-sitemaps-") as folder:
            path = Path(folder) / "bench.sqlite"
            run("migrate", "--database", str(path))
            began = time.monotonic()
            fill_sqlite(path, count, now)
            print(f"SQLite: {count:,} articles generated in {time.monotonic() - began:.1f} s", file=sys.stderr)
            rows.append(measure(str(path), "SQLite", count))
        if args.postgres:
            name = f"vestnik_bench_sitemaps_{os.getpid()}"
            admin = args.postgres.rstrip("/") + "/postgres"
            subprocess.run(["psql", "-q", admin, "-c", f"CREATE DATABASE {name}"], check=True)
            url = args.postgres.rstrip("/") + "/" + name
            try:
                run("migrate", "--database", url)
                began = time.monotonic()
                fill_postgres(url, count, now)
                print(f"PostgreSQL: {count:,} articles generated in {time.monotonic() - began:.1f} s", file=sys.stderr)
                rows.append(measure(url, "PostgreSQL", count))
            finally:
                subprocess.run(["psql", "-q", admin, "-c", f"DROP DATABASE IF EXISTS {name}"], check=True)

    print("| database | articles | sitemaps in the index | URLs streamed | MB streamed | all sitemaps | index "
          "| largest sitemap | RSS after start | peak RSS while streaming |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for r in rows:
        path, size, locs, seconds = r["biggest"]
        print(f"| {r['label']} | {r['articles']:,} | {r['sitemaps']} | {r['urls']:,} | {r['megabytes']:.1f} "
              f"| {r['seconds']:.1f} s | {r['index_seconds'] * 1000:.0f} ms "
              f"| `{path}`: {locs:,} URLs, {size / 1e6:.1f} MB in {seconds:.2f} s "
              f"| {r['started_mb']:.1f} MB | {r['peak_mb']:.1f} MB |")


if __name__ == "__main__":
    main()
