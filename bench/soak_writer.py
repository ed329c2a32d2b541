#!/usr/bin/env python3
"""bench/soak_writer.py — the newsroom's side of bench/soak.sh: for SECONDS, a save through the admin API every
SAVE_EVERY seconds (PUT articles/{id}, the body growing by a paragraph, with its base_revision) and a new article
created and published every PUBLISH_EVERY seconds (POST articles, then POST articles/{id}/publish), as a chief
editor's token made on the newsroom's "API tokens" page (the user made with `vestnik user create`). Every call
must answer 200/201; it prints one JSON object: counts, errors (with the first few), latency p50/p99/max in ms.

  python3 bench/soak_writer.py --url http://127.0.0.1:PORT --database SITE.sqlite --binary vestnik --seconds 1800
Only the standard library; bounded by --seconds (each call times out after 30 s)."""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

EMAIL = "soak-chief@vestnik.bg"
PASSWORD = "дълга-парола-за-soak"


def token(url: str, database: str, binary: str) -> str:
    made = subprocess.run(
        [binary, "user", "create", "--database", database, "--email", EMAIL, "--name", "Soak Главен", "--role",
         "chief", "--password-stdin"], input=PASSWORD + "\n", capture_output=True, text=True, timeout=120)
    if made.returncode != 0 and "exists" not in made.stderr:
        raise SystemExit(f"vestnik user create: {made.stderr}")
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def csrf(page: str) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    page = opener.open(url + "/newsroom/login", timeout=30).read().decode()
    form = urllib.parse.urlencode({"csrf": csrf(page), "email": EMAIL, "password": PASSWORD}).encode()
    opener.open(url + "/newsroom/login", data=form, timeout=30).read()
    page = opener.open(url + "/newsroom/api-tokens", timeout=30).read().decode()
    user = re.search(r'<option value="(\d+)">Soak Главен', page).group(1)
    form = urllib.parse.urlencode([("csrf", csrf(page)), ("name", "soak"), ("user", user), ("scope", "read"),
                                   ("scope", "write"), ("scope", "publish")]).encode()
    page = opener.open(url + "/newsroom/api-tokens", data=form, timeout=30).read().decode()
    return re.search(r'<code class="nr-token">(vst_[0-9a-f]{64})</code>', page).group(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--save-every", type=float, default=2.0)
    parser.add_argument("--publish-every", type=float, default=10.0)
    args = parser.parse_args()
    bearer = token(args.url, args.database, args.binary)
    latencies: list[float] = []
    errors: list[str] = []
    counts = {"saves": 0, "creates": 0, "publishes": 0}

    def call(method: str, path: str, body: dict) -> dict | None:
        request = urllib.request.Request(
            args.url + "/api/admin/v1/" + path, data=json.dumps(body).encode(), method=method,
            headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = json.loads(response.read())
            latencies.append((time.monotonic() - started) * 1000)
            return answer
        except (urllib.error.URLError, OSError, ValueError) as error:
            detail = error.read().decode(errors="replace")[:200] if isinstance(error, urllib.error.HTTPError) else ""
            errors.append(f"{method} {path}: {error} {detail}".strip())
            return None

    end = time.monotonic() + args.seconds
    draft: dict | None = None
    next_publish = time.monotonic()
    n = 0
    while time.monotonic() < end:
        n += 1
        if time.monotonic() >= next_publish or draft is None:
            next_publish += args.publish_every
            made = call("POST", "articles", {"title": f"Сок тест {n}: общинският съвет заседава",
                                             "section": "Рубрика " + str(1 + n % 8), "lead": "Кратко резюме.",
                                             "body_html": "<p>Първи абзац на статията.</p>"})
            if made:
                counts["creates"] += 1
                published = call("POST", f"articles/{made['id']}/publish", {"base_revision": made["revision"]})
                if published:
                    counts["publishes"] += 1
                    draft = published
        elif draft is not None:
            body = dict(draft)
            body["base_revision"] = draft["revision"]
            body["body_html"] = draft["body_html"] + f"<p>Допълнение {n}.</p>"
            body = {k: v for k, v in body.items() if k in (
                "title", "section", "kicker", "slug", "lead", "topic", "tags", "authors", "sources", "body_html",
                "base_revision")}
            saved = call("PUT", f"articles/{draft['id']}", body)
            if saved:
                counts["saves"] += 1
                draft = saved
        time.sleep(max(0.0, min(args.save_every, end - time.monotonic())))
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1) if latencies else 0.0

    print(json.dumps({**counts, "errors": len(errors), "first_errors": errors[:5], "calls": len(latencies),
                      "p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": round(latencies[-1], 1) if latencies else 0}))


if __name__ == "__main__":
    main()
