#!/usr/bin/env python3
"""bench/banner.py — what the breaking-news banner costs the page cache, both ways (issue 18).

A banner is on every public page. Two ways to keep cached pages right:
  purge   (what Vestnik does) setting or clearing it drops every cached page; each renders again once, on its next
          request; expiry at its end does the same.
  splice  cached pages stay as they are, and the banner is inserted into each response as it is sent.
This measures both sides on one running server, in one run:
  * purge: the server's CPU (from /proc) to answer every public page of the site once after a banner change (all
    misses), against answering the same pages again from the cache (all hits);
  * splice: the work a splice adds to every response, timed in this process on the very pages the server sent:
    copying the page with the fragment in (identity clients), and gzip-compressing that copy again (gzip clients,
    zlib level 6, as the cache's own gzip copy). Both are C (memcpy, zlib) here as they would be in the server.
Break-even: how many requests it takes for splicing to cost more than one purge.

  Usage: python3 bench/banner.py [--bin .build/debug/vestnik] [--rounds 3]
The server runs on 127.0.0.1 on a free port with a fresh demo database in a temporary folder, and is stopped (by its
PID) at the end, also on error. It prints a Markdown table; `uptime` is printed beside it.
"""

from __future__ import annotations

import argparse
import re
import time
import urllib.request
import zlib

from vestnik_process import ROOT, Server, uptime


def get(opener, url: str) -> tuple[bytes, str]:
    with opener.open(url, timeout=30) as resp:
        return resp.read(), resp.headers.get("X-Cache", "")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=str(ROOT / ".build" / "debug" / "vestnik"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-pages", type=int, default=300)
    args = parser.parse_args()

    server = Server(args.bin)
    base = server.base
    try:
        plain = urllib.request.build_opener()
        # Every public page reachable from the home page and the section pages (bounded).
        pages: list[str] = ["/", "/popravki"]
        frontier = ["/"]
        while frontier and len(pages) < args.max_pages:
            html = get(plain, base + frontier.pop(0))[0].decode()
            for href in re.findall(r'href="(/[^"#?]*)"', html):
                if href.startswith(("/static/", "/newsroom", "/api/", "/media/")) or href.endswith((".xml", ".json")):
                    continue
                if href not in pages and len(pages) < args.max_pages:
                    pages.append(href)
                    if href.count("/") == 1:
                        frontier.append(href)
        for path in pages * 2:  # twice: the cache keeps a page asked for again
            get(plain, base + path)

        editor = server.editor()
        until = re.search(r'name="until" value="([^"]+)"', editor.get("/newsroom/banner")).group(1)

        rows = []
        bodies: list[bytes] = []
        for round_number in range(args.rounds):
            editor.post("/newsroom/banner", {"csrf": editor.token("/newsroom/banner"), "action": "set", "text": "Извънредно: бенчмарк",
                                      "url": "/", "until": until})
            start = server.cpu_seconds()
            misses = 0
            bodies = []
            for path in pages:
                body, cache = get(plain, base + path)
                bodies.append(body)
                misses += cache == "MISS"
            purge_cpu = server.cpu_seconds() - start
            for path in pages:  # the second request of each page: admitted now
                get(plain, base + path)
            start = server.cpu_seconds()
            hits = 0
            for path in pages:
                hits += get(plain, base + path)[1] == "HIT"
            hit_cpu = server.cpu_seconds() - start
            rows.append((purge_cpu, misses, hit_cpu, hits))
        editor.post("/newsroom/banner", {"csrf": editor.token("/newsroom/banner"), "action": "clear"})

        fragment = ('<p class="breaking" role="status"><a href="/"><strong class="breaking-label">Извънредно</strong> '
                    "Извънредно: бенчмарк</a></p>\n").encode()
        stripped = [body.replace(fragment, b"") for body in bodies]
        repeats = 20
        start = time.process_time()
        for _ in range(repeats):
            for body in stripped:
                at = body.find(b"<header")
                spliced = body[:at] + fragment + body[at:]
        copy_ms = (time.process_time() - start) / repeats / len(stripped) * 1000
        start = time.process_time()
        for _ in range(repeats):
            for body in stripped:
                zlib.compress(body, 6)
        gzip_ms = (time.process_time() - start) / repeats / len(stripped) * 1000
        assert spliced
    finally:
        server.stop()

    n = len(pages)
    average_bytes = sum(map(len, stripped)) // max(1, len(stripped))
    print(f"binary: {args.bin}; {n} public pages of the demo site (average {average_bytes:,} bytes); {args.rounds} rounds")
    print(f"uptime: {uptime()}\n")
    print("| round | after a banner change: misses | server CPU, all pages (ms) | per page (ms) | cached again: hits | server CPU (ms) | per page (ms) |")
    print("|---|---|---|---|---|---|---|")
    for i, (purge_cpu, misses, hit_cpu, hits) in enumerate(rows, 1):
        print(f"| {i} | {misses} of {n} | {purge_cpu * 1000:.0f} | {purge_cpu * 1000 / n:.2f} | {hits} of {n} | "
              f"{hit_cpu * 1000:.0f} | {hit_cpu * 1000 / n:.3f} |")
    purge_ms = sorted(r[0] for r in rows)[len(rows) // 2] * 1000
    hit_ms = sorted(r[2] for r in rows)[len(rows) // 2] * 1000 / n
    print(f"\nmedian purge of every page: {purge_ms:.0f} ms of server CPU; a cached hit {hit_ms:.3f} ms")
    print(f"splice per response: copy {copy_ms:.4f} ms (identity), copy + gzip {copy_ms + gzip_ms:.3f} ms (gzip clients)")
    for label, extra in (("identity", copy_ms), ("gzip", copy_ms + gzip_ms)):
        print(f"break-even ({label}): one purge = {purge_ms / extra:,.0f} spliced responses")


if __name__ == "__main__":
    main()
