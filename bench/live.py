#!/usr/bin/env python3
"""bench/live.py — many readers with a live blog open on one node (issue 18).

Vestnik's live pages poll (`/na-zhivo/{id}?t=<2-second slot>`, every 2 s) rather than hold Server-Sent Events
connections: each answer is a page-cache hit until the next entry drops it, and the slot in the address lets a CDN
answer all readers of a slot with one copy. So "10,000 open pages" is 10,000 keep-alive connections each asking
every 2 seconds (5,000 req/s at the origin without a CDN). This script opens READERS such connections (asyncio,
HTTP/1.1 keep-alive, each reader starting at a random point of the slot), has an editor post an entry every few
seconds through the newsroom, and measures:
  * the time from an entry's save (the POST's answer) to the last reader having it (p50, p99, max);
  * the answers per second, the server's CPU (from /proc) and its resident memory (VmRSS, VmHWM);
  * meanwhile, the article page's cached req/s from one extra keep-alive client asking as fast as it can.
Bounded: it stops after --seconds, and stops the server it started (by PID).

  Usage: python3 bench/live.py [--readers 1000] [--seconds 30] [--bin .build/debug/vestnik]
A real 10,000-reader figure needs a quiet machine, `ulimit -n` above 20,000, and a release build
(`swift build -c release`, `--bin .build/release/vestnik`): on a shared machine run a smaller size and say so.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import resource
import time
import urllib.request

from vestnik_process import ROOT, Server, uptime

SLOT = 2.0


async def request(reader, writer, path: str) -> bytes:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
    return await reader.readexactly(length)


class Stats:
    def __init__(self) -> None:
        self.answers = 0
        self.errors = 0
        self.seen: dict[str, list[float]] = {}  # marker -> when each reader first saw it


async def reader_loop(port: int, path: str, stats: Stats, stop: float, markers: list[str]) -> None:
    try:
        r, w = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        stats.errors += 1
        return
    mine: set[str] = set()
    await asyncio.sleep(random.uniform(0, SLOT))
    try:
        while time.monotonic() < stop:
            slot = int(time.time() / SLOT)
            body = await request(r, w, f"{path}?t={slot}")
            stats.answers += 1
            now = time.monotonic()
            for marker in markers:
                if marker not in mine and marker.encode() in body:
                    mine.add(marker)
                    stats.seen.setdefault(marker, []).append(now)
            await asyncio.sleep(SLOT - (time.time() % SLOT) + 0.05)
    except (OSError, asyncio.IncompleteReadError):
        stats.errors += 1
    finally:
        w.close()


async def page_loop(port: int, path: str, stop: float, counter: list[int]) -> None:
    r, w = await asyncio.open_connection("127.0.0.1", port)
    while time.monotonic() < stop:
        await request(r, w, path)
        counter[0] += 1
    w.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=str(ROOT / ".build" / "debug" / "vestnik"))
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--entry-every", type=float, default=5.0)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.readers * 2 + 100)), hard))

    server = Server(args.bin, "--read-rate-limit", "0")
    port = server.port
    base = server.base
    try:
        opener = urllib.request.build_opener()
        home = opener.open(base + "/", timeout=30).read().decode()
        article = [href for href in re.findall(r'href="(/[a-z0-9-]+/[a-z0-9-]+)"', home)
                   if not href.startswith(("/tag/", "/tema/", "/avtor/"))][0]
        article_id = re.search(r'data-beacon="/api/reads/(\d+)"', opener.open(base + article).read().decode()).group(1)
        editor = server.editor()
        desk = f"/newsroom/articles/{article_id}/live"
        editor.post(desk + "/start", {"csrf": editor.token(desk)})
        csrf = editor.token(desk)

        stats = Stats()
        markers: list[str] = []
        saved: dict[str, float] = {}
        page_count = [0]

        async def run() -> None:
            stop = time.monotonic() + args.seconds
            loop = asyncio.get_running_loop()
            tasks = [asyncio.create_task(reader_loop(port, f"/na-zhivo/{article_id}", stats, stop, markers))
                     for _ in range(args.readers)]
            tasks.append(asyncio.create_task(page_loop(port, article, stop, page_count)))
            await asyncio.sleep(SLOT * 2)
            cpu0, t0, answers0, pages0 = server.cpu_seconds(), time.monotonic(), stats.answers, page_count[0]
            n = 0
            while time.monotonic() < stop - SLOT * 3:
                marker = f"bench-entry-{n}-{random.randrange(10**9)}"
                markers.append(marker)
                await loop.run_in_executor(None, editor.post, desk + "/entries", {"csrf": csrf, "text": marker})
                saved[marker] = time.monotonic()
                n += 1
                await asyncio.sleep(args.entry_every)
            cpu1, t1, answers1, pages1 = server.cpu_seconds(), time.monotonic(), stats.answers, page_count[0]
            memory = server.memory_mib()
            await asyncio.gather(*tasks)
            elapsed = t1 - t0
            delays = sorted(max(seen) - saved[m] for m, seen in stats.seen.items()
                            if m in saved and len(seen) >= args.readers - stats.errors)
            incomplete = sum(1 for m in saved if len(stats.seen.get(m, [])) < args.readers - stats.errors)
            print(f"binary {args.bin}; {args.readers} readers polling every {SLOT:.0f} s; {args.seconds} s; "
                  f"an entry every {args.entry_every} s; uptime: {uptime()}")
            print(f"| readers | answers/s | server CPU | RSS / peak MiB | entries | save→last reader p50 / p99 / max (s) "
                  f"| not seen by all | article page req/s meanwhile (1 client) | reader errors |")
            print("|---|---|---|---|---|---|---|---|---|")
            pct = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))] if delays else float("nan")
            print(f"| {args.readers} | {(answers1 - answers0) / elapsed:,.0f} | {(cpu1 - cpu0) / elapsed * 100:.0f} % "
                  f"| {memory.get('VmRSS')} / {memory.get('VmHWM')} | {len(saved)} "
                  f"| {pct(0.5):.2f} / {pct(0.99):.2f} / {(delays[-1] if delays else float('nan')):.2f} | {incomplete} "
                  f"| {(pages1 - pages0) / elapsed:,.0f} | {stats.errors} |")

        asyncio.run(run())
    finally:
        server.stop()

if __name__ == "__main__":
    main()
