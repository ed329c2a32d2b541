#!/usr/bin/env python3
"""An edit through one Vestnik node, seen through another: signs in to node A's newsroom as a real editor would
(login form, session cookie, CSRF token), opens an article's editor, changes its title and saves it; meanwhile
node B has the article page in its page cache (X-Cache: HIT). Then it polls node B until the page shows the new
title and reports the delay from node A's answer to the save. Used by bench/nodes.sh and Tests/e2e/test_nodes.py.

    python3 bench/nodes_edit.py --edit http://127.0.0.1:A --watch http://127.0.0.1:B \
        --email chief@example.bg --password-file FILE [--path /section/slug] [--timeout 5]

Prints one JSON object: {"path", "article_id", "new_title", "cached_before", "delay_ms", "polls"}; exit code 1
if node B did not show the new title within --timeout seconds.
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

ARTICLE_PATH = re.compile(r'href="(/[a-z0-9-]+/[a-z0-9-]+)"')
NOT_ARTICLES = ("/tag/", "/avtor/", "/tema/", "/static/", "/newsroom/", "/statistika/", "/api/")
BEACON = re.compile(r'data-beacon="/api/reads/(\d+)"')


class FormFields(HTMLParser):
    """The named fields of one form (by id), as a browser would send them (no button values)."""

    def __init__(self, form_id: str | None) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text = ""
        self._select: str | None = None
        self._first_option: str | None = None
        self._chosen: str | None = None
        self._option: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = self.form_id is None or a.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            self.fields.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""
        elif tag == "select" and name:
            self._select, self._first_option, self._chosen = name, None, None
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._chosen = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text))
            self._textarea = None
        elif tag == "select" and self._select:
            self.fields.append((self._select, self._chosen if self._chosen is not None else (self._first_option or "")))
            self._select = None


def form_fields(page: str, form_id: str | None = None) -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(page)
    return parser.fields


class Browser:
    """A cookie jar and no automatic redirects, so each answer is seen as it is."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect())

    def request(self, path: str, form: list[tuple[str, str]] | None = None, timeout: float = 30) -> tuple[int, dict, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.base + path, data=data, headers={"Accept-Language": "bg"})
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                return resp.status, dict(resp.headers), resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read().decode("utf-8", "replace")


def get(base: str, path: str, timeout: float = 10) -> tuple[int, dict, str]:
    return Browser(base).request(path, timeout=timeout)


def first_article_path(base: str) -> str:
    status, _, page = get(base, "/")
    if status != 200:
        raise SystemExit(f"nodes_edit: {base}/ answered {status}")
    for path in ARTICLE_PATH.findall(page):
        if not path.startswith(NOT_ARTICLES):
            return path
    raise SystemExit("nodes_edit: the home page links to no article")


def sign_in(base: str, email: str, password: str) -> Browser:
    browser = Browser(base)
    status, _, page = browser.request("/newsroom/login")
    if status != 200:
        raise SystemExit(f"nodes_edit: GET /newsroom/login answered {status}")
    fields = dict(form_fields(page))
    status, headers, _ = browser.request(
        "/newsroom/login", [("csrf", fields["csrf"]), ("email", email), ("password", password)])
    if status != 303 or headers.get("Location") != "/newsroom":
        raise SystemExit(f"nodes_edit: sign-in as {email} answered {status} {headers.get('Location')}")
    return browser


def edit_title(browser: Browser, article_id: int, title: str) -> float:
    """Saves the article with a new title through the editor form; returns the monotonic time of the answer."""
    status, _, page = browser.request(f"/newsroom/articles/{article_id}")
    if status != 200:
        raise SystemExit(f"nodes_edit: the editor of article {article_id} answered {status}")
    fields = [(name, title if name == "title" else value) for name, value in form_fields(page, "nr-article-form")]
    status, headers, body = browser.request(f"/newsroom/articles/{article_id}", fields + [("action", "save")])
    answered = time.monotonic()
    if status != 303:
        message = re.search(r'class="nr-error"[^>]*>(.*?)<', body)
        raise SystemExit(f"nodes_edit: saving article {article_id} answered {status}: {message.group(1) if message else body[:300]}")
    return answered


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edit", required=True, help="base URL of the node the editor uses")
    parser.add_argument("--watch", required=True, help="base URL of the node that must show the edit")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password-file", required=True)
    parser.add_argument("--path", help="the article page (default: the first article on node B's home page)")
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()
    password = open(args.password_file, encoding="utf-8").read().strip()

    path = args.path or first_article_path(args.watch)
    status, _, page = get(args.watch, path)
    match = BEACON.search(page)
    if status != 200 or not match:
        raise SystemExit(f"nodes_edit: {args.watch}{path} answered {status} without a read beacon")
    article_id = int(match.group(1))
    # Node B keeps the page: the second request must come from its cache, so only a change event can refresh it.
    status, headers, _ = get(args.watch, path)
    cached = headers.get("X-Cache") == "HIT"
    if not cached:
        raise SystemExit(f"nodes_edit: node B did not cache {path} (X-Cache: {headers.get('X-Cache')})")

    title = f"Редакция през друг възел {int(time.time() * 1000) % 1_000_000}"
    browser = sign_in(args.edit, args.email, password)
    answered = edit_title(browser, article_id, title)
    polls = 0
    escaped = html.escape(title, quote=False)
    while True:
        polls += 1
        status, headers, page = get(args.watch, path)
        if status == 200 and (escaped in page or title in page):
            delay = time.monotonic() - answered
            break
        if time.monotonic() - answered > args.timeout:
            print(json.dumps({"path": path, "article_id": article_id, "new_title": title, "cached_before": cached,
                              "delay_ms": None, "polls": polls}, ensure_ascii=False))
            return 1
        time.sleep(0.005)
    print(json.dumps({"path": path, "article_id": article_id, "new_title": title, "cached_before": cached,
                      "delay_ms": round(delay * 1000, 1), "polls": polls}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
