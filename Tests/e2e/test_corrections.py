"""Corrections in a real browser: an editor adds a correction to a published demo article from its editor page, and
it shows at the article's foot (marked under the headline), in its JSON-LD (`correction`, schema.org
CorrectionComment, read by extruct), on /popravki and in the corrections' RSS and Atom feeds (feedparser, bozo 0)."""

from __future__ import annotations

import re

import extruct
import feedparser
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import Server, article_links, create_user
from test_browser import driver as browser  # noqa: F401  (the same headless Chromium fixture)

EMAIL = "e2e-corrections@vestnik.bg"
PASSWORD = "поправки-в-браузъра-17"
NOTE = "Мостът е открит в 11 ч., а не в 10 ч., както пишеше първоначално."


@pytest.fixture(scope="module")
def editor(server: Server) -> str:
    create_user(server.log_path.parent / "e2e.sqlite", EMAIL, PASSWORD, role="editor", name="Редактор на поправки")
    return EMAIL


def test_a_correction_added_in_the_newsroom_reaches_the_article_the_page_and_the_feeds(browser, server: Server, editor: str) -> None:
    path = article_links(server.get("/").body)[0]
    before = server.get(path)
    assert before.status == 200 and 'class="corrected-note"' not in before.body
    assert server.get("/popravki").status == 200

    wait = WebDriverWait(browser, 15)
    browser.get(server.url("/newsroom/login"))
    browser.find_element(By.NAME, "email").send_keys(editor)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-user")))

    # The article's id, from its read beacon's address; its editor page links the public page.
    article_id = re.search(r'data-beacon="/api/reads/(\d+)"', before.body).group(1)
    browser.get(server.url(f"/newsroom/articles/{article_id}"))
    assert browser.find_elements(By.CSS_SELECTOR, f"a[href='{path}']")

    form = wait.until(EC.presence_of_element_located((By.ID, "nr-correction-form")))
    form.find_element(By.CSS_SELECTOR, "input[value=correction]").click()
    browser.find_element(By.ID, "nr-correction-text").send_keys(NOTE)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-info")))
    assert NOTE in browser.find_element(By.ID, "nr-corrections").text

    # The article: marked under the headline, the note at its foot, reached from the mark.
    browser.get(server.url(path))
    mark = browser.find_element(By.CSS_SELECTOR, ".article-header .corrected-note a")
    assert mark.get_attribute("href").endswith("#popravki")
    foot = browser.find_element(By.ID, "popravki")
    assert NOTE in foot.text and "Поправка" in foot.text
    anchor = foot.find_element(By.CSS_SELECTOR, ".correction").get_attribute("id")
    assert re.fullmatch(r"popravka-\d+", anchor)

    page = server.get(path)
    data = extruct.extract(page.body, base_url=server.url(path), syntaxes=["json-ld"])["json-ld"]
    article = next(block for block in data if block.get("@type") == "NewsArticle")
    assert article["correction"][0]["@type"] == "CorrectionComment"
    assert article["correction"][0]["text"] == NOTE
    assert article["correction"][0]["url"] == server.url(path) + "#" + anchor
    assert article["dateModified"] >= article["datePublished"]

    # /popravki lists it with a link to its anchor.
    browser.get(server.url("/popravki"))
    link = browser.find_element(By.CSS_SELECTOR, f".corrections-list a[href='{path}#{anchor}']")
    assert link.text.strip()
    assert NOTE in browser.find_element(By.CSS_SELECTOR, ".corrections-list").text

    for feed_path in ("/popravki/rss.xml", "/popravki/atom.xml"):
        feed = feedparser.parse(server.get(feed_path).body)
        assert feed.bozo == 0, (feed_path, feed.get("bozo_exception"))
        assert feed.entries, feed_path
        entry = feed.entries[0]
        assert entry.link == server.url(path) + "#" + anchor
        assert entry.summary == NOTE
    assert 'href="/popravki/rss.xml"' in server.get("/popravki").body
