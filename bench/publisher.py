#!/usr/bin/env python3
"""bench/publisher.py — the newsroom publishing through its own form while readers load the site (issue 20).

    python3 bench/publisher.py http://127.0.0.1:PORT --email E --password-file F --every 5 --seconds 22

Signs in as a chief editor (made beforehand with `vestnik user create`), then every --every seconds opens the new
article form (GET /newsroom/articles/new), fills in a headline, lead, body and the form's first section, and sends it
with action=publish, as the "Публикувай" button does. It times each publish request (the POST, until the 303) and
the whole round (form + POST), and stops by itself after --seconds. Prints one JSON object: publishes, errors (the
first few), p50/p99/max of the publish request and of the round, in ms. Only the standard library.

--action save: publishes one article first (not timed), then every round opens its editor page, changes its lead and
body and sends the form with action=save ("Запази"): a save of a published article (its page, lists and "Още:"
neighbours refreshed), timed the same way ("publishes" then counts saves).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nodes_edit import form_fields, sign_in  # noqa: E402  (bench/ is not a package)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def publish(browser, number: int) -> tuple[float, float, str | None]:
    """One article through the form; returns (POST ms, round ms, error or None)."""
    started = time.monotonic()
    status, _, page = browser.request("/newsroom/articles/new", timeout=30)
    if status != 200:
        return 0.0, 0.0, f"GET /newsroom/articles/new answered {status}"
    fields = dict(form_fields(page, "nr-article-form"))
    select = re.search(r'<select[^>]*name="section"[^>]*>(.*?)</select>', page, re.S)
    sections = [value for value in re.findall(r'<option value="([^"]+)"', select.group(1))] if select else []
    stamp = time.strftime("%H:%M:%S")
    fields.update({
        "title": f"Новина {number} от бюрото в {stamp}",
        "lead": f"Кратко резюме на новина {number}, публикувана по време на натоварване.",
        "body": "".join(f"<p>Абзац {i} на новина {number}: общината обяви мерки за транспорта.</p>" for i in range(1, 9)),
        "action": "publish",
    })
    if sections and not fields.get("section"):
        fields["section"] = sections[0]
    posted = time.monotonic()
    status, headers, body = browser.request("/newsroom/articles/new", list(fields.items()), timeout=30)
    done = time.monotonic()
    if status != 303:
        return 0.0, 0.0, f"publish {number} answered {status}: {body[:200]}"
    return (done - posted) * 1000, (done - started) * 1000, None


def save(browser, path: str, number: int) -> tuple[float, float, str | None]:
    """One save of the published article at `path` (its editor page); returns (POST ms, round ms, error or None)."""
    started = time.monotonic()
    status, _, page = browser.request(path, timeout=30)
    if status != 200:
        return 0.0, 0.0, f"GET {path} answered {status}"
    fields = form_fields(page, "nr-article-form")
    changed = {
        "lead": f"Кратко резюме, поправено за {number}-и път по време на натоварване.",
        "body": "".join(f"<p>Абзац {i}, редакция {number}: общината обяви мерки за транспорта.</p>" for i in range(1, 9)),
        "action": "save",
    }
    # Every field as the page has it (tags and bylines repeat), the changed ones once, and the "Запази" button's action.
    form = [(name, changed.pop(name) if name in changed else value) for name, value in fields if name != "action"]
    form += list(changed.items())
    posted = time.monotonic()
    status, headers, body = browser.request(path, form, timeout=30)
    done = time.monotonic()
    if status != 303:
        return 0.0, 0.0, f"save {number} answered {status}: {body[:200]}"
    return (done - posted) * 1000, (done - started) * 1000, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password-file", required=True)
    parser.add_argument("--every", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--action", choices=("publish", "save"), default="publish")
    args = parser.parse_args()
    with open(args.password_file, encoding="utf-8") as handle:
        password = handle.read().strip()
    browser = sign_in(args.base.rstrip("/"), args.email, password)
    editing = None
    if args.action == "save":
        status, headers, body = browser.request("/newsroom/articles/new", timeout=30)
        fields = dict(form_fields(body, "nr-article-form"))
        select = re.search(r'<select[^>]*name="section"[^>]*>(.*?)</select>', body, re.S)
        fields.update({"title": f"Новина за редакции {time.strftime('%H:%M:%S')}", "lead": "Резюме.",
                       "body": "<p>Първи текст.</p>", "action": "publish"})
        if select and not fields.get("section"):
            fields["section"] = re.findall(r'<option value="([^"]+)"', select.group(1))[0]
        status, headers, body = browser.request("/newsroom/articles/new", list(fields.items()), timeout=30)
        if status != 303:
            raise SystemExit(f"publisher: the article to save answered {status}: {body[:200]}")
        editing = headers["Location"].split("?")[0]
    posts: list[float] = []
    rounds: list[float] = []
    errors: list[str] = []
    stop = time.monotonic() + args.seconds
    number = 0
    next_at = time.monotonic()
    while next_at < stop:
        time.sleep(max(0.0, next_at - time.monotonic()))
        number += 1
        post_ms, round_ms, error = save(browser, editing, number) if editing else publish(browser, number)
        if error:
            errors.append(error)
        else:
            posts.append(post_ms)
            rounds.append(round_ms)
        next_at += args.every
    print(json.dumps({
        "publishes": len(posts), "errors": len(errors), "first_errors": errors[:3],
        "publish_ms": {"p50": round(percentile(posts, 0.5), 1), "p99": round(percentile(posts, 0.99), 1),
                       "max": round(max(posts, default=0.0), 1)},
        "round_ms": {"p50": round(percentile(rounds, 0.5), 1), "p99": round(percentile(rounds, 0.99), 1),
                     "max": round(max(rounds, default=0.0), 1)},
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
