"""Independent readers: what trafilatura (as used by aggregators and archives)
reads from an article page must match what the page shows.

trafilatura reads, in this order (trafilatura/metadata.py, extract_metadata):
  title  <- og:title / <meta name="title"...>, else <title> or the <h1>
  author <- <meta name="author"> / article:author, JSON-LD overrides both,
            else byline markup (rel=author, class*=author ...)
  date   <- htmldate.find_date: article:published_time first (original_date=True)
  categories <- JSON-LD articleSection, else category links, else article:section
  tags   <- article:tag (examine_meta), else tag links
"""

from __future__ import annotations

import copy
import re
import urllib.parse
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import lxml.html
import pytest
import trafilatura
from trafilatura.settings import set_date_params

from conftest import Server, article_links, create_user, own_site, signed_in

SOFIA = ZoneInfo("Europe/Sofia")


def _text(el) -> str:
    return " ".join(el.text_content().split())


def _cls(name: str) -> str:
    """XPath predicate: the element has CSS class `name`."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def page_facts(html: str) -> dict:
    """What a human sees on the article page."""
    tree = lxml.html.fromstring(html)
    h1 = tree.xpath(f"//h1[{_cls('headline')}]")
    assert len(h1) == 1, "no h1.headline"
    headline = _text(h1[0])
    kicker = " ".join(_text(k) for k in h1[0].xpath(f".//*[{_cls('kicker')}]"))
    # The article title proper: the headline without the kicker and the (ВИДЕО)/(СНИМКИ) markers.
    bare = copy.deepcopy(h1[0])
    for span in bare.xpath(f".//*[{_cls('kicker')} or {_cls('marker')}]"):
        span.drop_tree()
    title = _text(bare)
    times = tree.xpath(f"//p[{_cls('dateline')}]//time[@datetime]")
    assert times, "no <time datetime> in the dateline"
    published = datetime.fromisoformat(times[0].get("datetime"))
    authors = [
        _text(n)
        for n in tree.xpath(f"//*[{_cls('byline')}]//a[{_cls('author')}]//*[{_cls('author-name')}]")
    ]
    section = [_text(a) for a in tree.xpath(f"//p[{_cls('article-section')}]/a")]
    tags = [_text(a) for a in tree.xpath(f"//ul[{_cls('tags')}]//a")]
    assert title and authors and len(section) == 1
    return {
        "headline": headline,
        "kicker": kicker,
        "title": title,
        "published": published,
        "sofia_date": published.astimezone(SOFIA).date().isoformat(),
        "authors": authors,
        "section": section[0],
        "tags": tags,
        "tree": tree,
    }


def read_with_trafilatura(html: str) -> dict:
    # trafilatura's only date setting that matters here is htmldate's sanity
    # bound max_date, which it takes from the *machine's* local clock: on a UTC
    # machine between 00:00 and 02:00/03:00 Sofia time today's articles would
    # look "in the future" and be rejected. A reader of a Bulgarian site knows
    # today's date in Sofia, so use the later of the two; nothing else changes.
    params = set_date_params(extensive=True)
    params["max_date"] = max(params["max_date"], (datetime.now(SOFIA) + timedelta(minutes=1)).date().isoformat())
    doc = trafilatura.bare_extraction(html, with_metadata=True, date_extraction_params=params)
    assert doc is not None, "trafilatura extracted nothing"
    return doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)


def _authors(extracted: str | None) -> list[str]:
    # trafilatura joins several authors with "; ".
    return [a.strip() for a in (extracted or "").split(";") if a.strip()]


@pytest.fixture(scope="module")
def lead_article(server: Server, first_article_path: str) -> dict:
    resp = server.get(first_article_path)
    assert resp.status == 200
    return {"path": first_article_path, "facts": page_facts(resp.body), "read": read_with_trafilatura(resp.body)}


def test_trafilatura_title(lead_article):
    facts, read = lead_article["facts"], lead_article["read"]
    title = read.get("title") or ""
    assert facts["title"] in title, f"trafilatura title {title!r} lacks the article title {facts['title']!r}"
    # Allowed extras: the kicker in front, the site name after " | ".
    allowed = {facts["title"], f"{facts['kicker']} {facts['title']}".strip()}
    assert title.split(" | ")[0].strip() in allowed, f"trafilatura title {title!r}; page headline {facts['headline']!r}"


def test_trafilatura_author(lead_article):
    facts, read = lead_article["facts"], lead_article["read"]
    assert _authors(read.get("author")) == facts["authors"], (
        f"trafilatura author {read.get('author')!r}; byline {facts['authors']!r}"
    )


def test_trafilatura_date(lead_article):
    facts, read = lead_article["facts"], lead_article["read"]
    assert read.get("date") == facts["sofia_date"], (
        f"trafilatura date {read.get('date')!r}; <time datetime> {facts['published'].isoformat()} "
        f"is {facts['sofia_date']} in Sofia"
    )


def test_trafilatura_section_and_tags(lead_article):
    facts, read = lead_article["facts"], lead_article["read"]
    assert read.get("categories") == [facts["section"]], f"trafilatura categories {read.get('categories')!r}"
    assert facts["tags"], "the lead article has no tags to check"
    assert read.get("tags") == facts["tags"], f"trafilatura tags {read.get('tags')!r}; page tags {facts['tags']!r}"


def test_trafilatura_on_every_linked_article(server: Server, home_html: str):
    """The same facts for every article the home page and the section pages link to."""
    paths = _reachable_articles(server, home_html)

    problems = []
    for path in paths:
        resp = server.get(path)
        if resp.status != 200:
            problems.append(f"{path}: status {resp.status}")
            continue
        facts, read = page_facts(resp.body), read_with_trafilatura(resp.body)
        if facts["title"] not in (read.get("title") or ""):
            problems.append(f"{path}: title {read.get('title')!r} vs {facts['title']!r}")
        if _authors(read.get("author")) != facts["authors"]:
            problems.append(f"{path}: author {read.get('author')!r} vs {facts['authors']!r}")
        if read.get("date") != facts["sofia_date"]:
            problems.append(f"{path}: date {read.get('date')!r} vs {facts['sofia_date']!r}")
        if read.get("categories") != [facts["section"]]:
            problems.append(f"{path}: section {read.get('categories')!r} vs {facts['section']!r}")
        if (read.get("tags") or []) != facts["tags"]:
            problems.append(f"{path}: tags {read.get('tags')!r} vs {facts['tags']!r}")
    assert not problems, "\n".join(problems)


def test_meta_tags_agree_with_the_page(lead_article):
    """The markup trafilatura (and social sites) read agrees with the visible page."""
    facts = lead_article["facts"]
    tree = facts["tree"]

    def meta(attr: str, value: str) -> list[str]:
        return [m.get("content") for m in tree.xpath(f'//meta[@{attr}="{value}"]')]

    assert meta("name", "author"), "no <meta name=author>"
    assert _authors(meta("name", "author")[0].replace(",", ";")) == facts["authors"]
    published = meta("property", "article:published_time")
    assert published, "no article:published_time"
    assert datetime.fromisoformat(published[0]) == facts["published"], (published[0], facts["published"])
    og_title = meta("property", "og:title")
    assert og_title and facts["title"] in og_title[0], og_title
    assert meta("property", "og:type") == ["article"]


def _reachable_articles(server: Server, home_html: str) -> list[str]:
    """Every article the home page and the section pages link to."""
    nav = lxml.html.fromstring(home_html).xpath(f"//nav[{_cls('sections')}]//a[@href]")
    pages = ["/"] + [a.get("href") for a in nav if a.get("href") != "/"]
    paths: list[str] = []
    for page in pages:
        resp = server.get(page)
        assert resp.status == 200, f"{page}: {resp.status}"
        paths += [p for p in article_links(resp.body) if p not in paths]
    assert len(paths) >= 10, f"only {len(paths)} articles reachable from the home and section pages"
    return paths


def _words(text: str) -> str:
    return " ".join(text.split())


def test_text_extractors_take_the_lead_and_the_whole_body_and_nothing_else(server: Server, home_html: str):
    """Reader modes and text extractors (trafilatura; Mozilla Readability's algorithm as readability-lxml runs it) get
    each article's lead and every paragraph of its body, and none of the "Още:" lines, navigation or lists."""
    from readability import Document

    problems = []
    paths = _reachable_articles(server, home_html)
    for path in paths:
        page = server.get(path).body
        tree = lxml.html.fromstring(page)
        lead = _words(tree.xpath('//p[@class="lead"]')[0].text_content())
        paragraphs = [_words(p.text_content()) for p in tree.xpath('//div[@class="article-body"]/p')]
        assert paragraphs, f"{path}: no paragraph in the body"
        readers = {
            "trafilatura": _words(trafilatura.extract(page) or ""),
            "readability": _words(lxml.html.fromstring(Document(page).summary()).text_content()),
        }
        for name, text in readers.items():
            for wanted in [lead, *paragraphs]:
                if wanted[:60] not in text:
                    problems.append(f"{path}: {name} lost {wanted[:60]!r}")
            for unwanted in ("Още:", "Новините днес", "Най-четени", "Начало"):
                if unwanted in text:
                    problems.append(f"{path}: {name} took {unwanted!r}")
    assert not problems, "\n".join(problems[:30])


@pytest.fixture(scope="module")
def gallery_site(tmp_path_factory):
    """A site of its own for the gallery article (conftest.own_site): it must not become the shared site's newest."""
    yield from own_site(tmp_path_factory)


def test_readers_keep_the_text_around_a_gallery(gallery_site: Server):
    """A gallery among the paragraphs (as on /bulgaria/dostapna-galeria): readability-lxml dropped the block holding
    the body ("too many images": more pictures than 1 + 1.3 × its paragraphs), and with it the paragraphs before and
    after the grid (its check runs on blocks with fewer than ten commas: these captions have none). Each picture of the
    grid stands in a paragraph of its own now, and both readers keep the lead and every paragraph; the same page with
    the pictures taken out of their paragraphs loses them again (the cause)."""
    from readability import Document

    from test_gallery import upload_pictures

    server = gallery_site
    email, password = "e2e-readers-gallery@vestnik.bg", "галерия-и-читатели-6"
    create_user(server.log_path.parent / "e2e.sqlite", email, password, role="editor", name="Галерия Читатели")
    opener = signed_in(server, email, password)
    items = upload_pictures(opener, server, 6)
    page = opener.open(server.url("/newsroom/media"), timeout=10).read().decode("utf-8")
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    for index, item in enumerate(items):
        words = {"csrf": token, "alt": f"Снимка {index + 1} от митинга",
                 "caption": f"Хиляди души на площада пред парламента в кадър {index + 1}", "credit": "БГНЕС"}
        opener.open(server.url(f"/newsroom/media/{item['hash']}"), data=urllib.parse.urlencode(words).encode(),
                    timeout=10).read()
    page = opener.open(server.url("/newsroom/articles/new"), timeout=10).read().decode("utf-8")
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    section = re.search(r'<select name="section"><option value="([^"]*)"', page).group(1)
    names = " ".join(item["src"].removeprefix("/media/") for item in items)
    lead = "Протестиращите поискаха оставката на кабинета и нови избори до края на пролетта."
    before = ["Шествието тръгна от Орлов мост малко след шест часа вечерта и стигна до площада за час.",
              "Полицията съобщи за спокойно протичане, без задържани, и затвори движението по булеварда."]
    after = "Организаторите обявиха, че ще излязат отново в събота, ако исканията им не бъдат чути."
    body = "".join(f"<p>{p}</p>" for p in before) + f'<figure class="gallery" data-media="{names}"></figure><p>{after}</p>'
    fields = {"csrf": token, "revision": "0", "title": "Протестът в снимки пред парламента", "lead": lead, "body": body,
              "section": section, "authors": "Галерия Читатели", "action": "publish"}
    edited = opener.open(server.url("/newsroom/articles/new"), data=urllib.parse.urlencode(fields).encode(),
                         timeout=30).read().decode("utf-8")
    link = re.search(r'<a href="([^"]+)"[^>]*>Виж на сайта</a>', edited)
    assert link, edited[:3000]
    html = server.get(urllib.parse.urlparse(link.group(1)).path).body
    grid = html.split('<ul class="gallery-grid">')[1].split("</ul>")[0]
    assert grid.count('<p class="gallery-picture">') == 6 and grid.count("Хиляди души на площада") == 6

    def lost(page: str) -> dict:
        readers = {
            "trafilatura": _words(trafilatura.extract(page) or ""),
            "readability": _words(lxml.html.fromstring(Document(page).summary()).text_content()),
        }
        return {name: [wanted[:40] for wanted in [lead, *before, after] if wanted not in text]
                for name, text in readers.items()}

    assert lost(html) == {"trafilatura": [], "readability": []}
    # The cause: the same page with each picture straight in its figure, as before.
    unwrapped = re.sub(r'<p class="gallery-picture">(.*?)</p>', r"\1", html)
    assert lost(unwrapped)["readability"], "readability-lxml kept the text without the pictures' paragraphs"
