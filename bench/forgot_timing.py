#!/usr/bin/env python3
"""Does "forgot password" tell by its timing whether an address has an account? Starts the debug (or given) binary
on a fresh SQLite database with N accounts, then posts /newsroom/forgot N times for an existing address and N times
for an unknown one, alternating (existing, unknown, existing, …) over one keep-alive connection, each address once
(the form allows three requests per address in 15 minutes) and each request from another client address through
X-Forwarded-For (--trusted-proxies 1; ten per client), and reports the answer times of both paths side by side.

    python3 bench/forgot_timing.py [--requests 300] [--binary .build/debug/vestnik]

Prints a table of min / median / mean / p90 / p99 in milliseconds per path and the ratio of the medians; exits 1 if
any answer differs between the paths in status or body. Everything it starts is stopped by PID at exit; the server
listens on 127.0.0.1 only and the run is bounded (--timeout seconds, 300 by default).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300, help="requests per path")
    parser.add_argument("--binary", default=str(ROOT / ".build" / "debug" / "vestnik"))
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout

    work = Path(tempfile.mkdtemp(prefix="vestnik-forgot-"))
    database = work / "forgot.sqlite"
    subprocess.run([args.binary, "migrate", "--database", str(database)], check=True, capture_output=True, timeout=120)
    # Accounts straight into the table: their password hash is never checked here, and bcrypt for each would take minutes.
    with sqlite3.connect(database) as db:
        db.executemany(
            "INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, 'author', ?, 0)",
            [(f"user{i}@vestnik.example", f"User {i}", "$2b$12$" + "x" * 53) for i in range(args.requests)],
        )
    port = free_port()
    env = dict(os.environ, VESTNIK_MAIL_COMMAND="/bin/true", LOG_LEVEL="warning")
    server = subprocess.Popen(
        [args.binary, "serve", "--database", str(database), "--port", str(port), "--no-demo", "--trusted-proxies", "1",
         "--public-url", "https://vestnik.example", "--media-dir", str(work / "media")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    print("the server did not start", file=sys.stderr)
                    return 1
                time.sleep(0.2)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/newsroom/forgot")
        page = connection.getresponse()
        body = page.read().decode()
        cookie = page.getheader("Set-Cookie", "").split(";")[0]
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', body).group(1)

        def ask(email: str, client: int) -> tuple[float, int, str]:
            form = urllib.parse.urlencode({"csrf": csrf, "email": email})
            headers = {
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                "X-Forwarded-For": f"10.{client >> 16 & 255}.{client >> 8 & 255}.{client & 255}",
            }
            started = time.perf_counter()
            connection.request("POST", "/newsroom/forgot", body=form, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            return (time.perf_counter() - started) * 1000, response.status, text

        # A few unmeasured requests first (connection, first page render).
        for i in range(5):
            ask(f"warmup{i}@nowhere.example", 60000 + i)
        times: dict[str, list[float]] = {"existing": [], "unknown": []}
        answers: dict[str, set[tuple[int, str]]] = {"existing": set(), "unknown": set()}
        for i in range(args.requests):
            if time.monotonic() > deadline:
                print("stopped at the time limit", file=sys.stderr)
                break
            for kind, email in (("existing", f"user{i}@vestnik.example"), ("unknown", f"nobody{i}@vestnik.example")):
                elapsed, status, text = ask(email, 2 * i + (kind == "unknown"))
                times[kind].append(elapsed)
                answers[kind].add((status, re.sub(r'value="[0-9a-f]{64}"', "", text)))
        print(f"{len(times['existing'])} requests per path, alternating; answer time in ms (uptime: {os.getloadavg()})")
        print("| path | min | median | mean | p90 | p99 |")
        print("|---|---|---|---|---|---|")
        for kind, values in times.items():
            print(
                f"| {kind} | {min(values):.2f} | {statistics.median(values):.2f} | {statistics.fmean(values):.2f} | "
                f"{percentile(values, 90):.2f} | {percentile(values, 99):.2f} |")
        print(f"median existing / median unknown = {statistics.median(times['existing']) / statistics.median(times['unknown']):.3f}")
        same = answers["existing"] == answers["unknown"] and len(answers["existing"]) == 1
        print("answers (status and body): " + ("identical" if same else f"DIFFER: {answers}"))
        return 0 if same else 1
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
