#!/usr/bin/env python3
"""bench/crawler.py — one crawler walking the archive of a site made by bench/generate.py, at a steady rate.

    python3 bench/crawler.py http://127.0.0.1:PORT --articles 100000 --rate 200 --seconds 20 [--start 1]

Asks for /rubrika-<1 + i % 8>/statia-<i> for i = start, start + 1, … (wrapping after --articles) over one kept-alive
connection, paced to --rate requests a second, with a search engine's User-Agent and Accept-Encoding: gzip, and
stops by itself after --seconds. Prints one JSON object: requests, the rate reached, X-Cache hits and misses, errors.
"""

import argparse
import http.client
import json
import time
import urllib.parse

USER_AGENT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base")
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--start", type=int, default=1)
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
    counts = {"requests": 0, "hits": 0, "misses": 0, "errors": 0}
    started = time.monotonic()
    article = args.start
    while True:
        now = time.monotonic()
        if now - started >= args.seconds:
            break
        due = started + counts["requests"] / args.rate
        if due > now:
            time.sleep(due - now)
        try:
            connection.request("GET", f"/rubrika-{1 + article % 8}/statia-{article}", headers=headers)
            response = connection.getresponse()
            response.read()
            cache = response.getheader("X-Cache")
            if response.status != 200:
                counts["errors"] += 1
            elif cache == "HIT":
                counts["hits"] += 1
            elif cache == "MISS":
                counts["misses"] += 1
        except (OSError, http.client.HTTPException):
            counts["errors"] += 1
            connection.close()
            connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        counts["requests"] += 1
        article = article % args.articles + 1
    connection.close()
    counts["rate"] = round(counts["requests"] / (time.monotonic() - started), 1)
    counts["next"] = article
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
