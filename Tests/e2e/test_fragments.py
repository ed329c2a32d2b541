""""Новините днес" spliced into cached article pages (issue 20, item 3): a publication does not drop the article pages
from the page cache; the next reader of an unrelated article gets the page from the cache (X-Cache: HIT) with the
new article in its list, in Chromium as over plain HTTP. The gzip encoding, joined from deflate segments compressed
apart, inflates with Python's zlib to exactly the bytes sent to a client without gzip, and the ETag changed with the
list."""

from __future__ import annotations

import re
import time
import urllib.request
import zlib

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import _stop, article_links, start_server, Server
from test_browser import driver as browser  # noqa: F401  (the same headless Chromium fixture)
from test_paste import create_staff, sign_in

EMAIL = "e2e-fragments@vestnik.bg"
PASSWORD = "новините-днес-на-парчета-5"
TITLE = "Общинският съвет прие бюджета за зимата"


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # noqa: F811
    """A site of its own (it publishes), with pages kept for ten minutes: a page still cached after the publication
    is one the publication did not drop."""
    srv = start_server(tmp_path_factory.mktemp("vestnik-fragments"), extra_args=("--page-lifetime", "600"))
    try:
        yield srv
    finally:
        _stop(srv.process)


def fetch(server: Server, path: str, **headers: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(server.url(path), headers=headers)
    with urllib.request.urlopen(request, timeout=10) as resp:
        return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()


def today_block(html: str) -> str:
    found = re.search(r'<section class="today".*?</section>', html, flags=re.S)
    assert found, "the page has no 'Новините днес' block"
    return found.group(0)


def test_a_publication_keeps_article_pages_and_splices_the_new_list(browser, server: Server) -> None:
    create_staff(server, EMAIL, PASSWORD, "chief", "Редактор на деня")
    paths = list(dict.fromkeys(article_links(server.get("/").body)))
    assert paths, "the demo site links to no article"
    before = {}
    for path in paths:
        # A page rendered while the new site's background work announces a change (the epoch rule) is served but
        # not kept: ask again until it is kept, as a reader's next request would.
        for _ in range(20):
            status, headers, body = fetch(server, path)
            if headers.get("x-cache") == "HIT":
                break
            time.sleep(0.25)
        assert status == 200 and headers["x-cache"] == "HIT", path
        assert TITLE not in body.decode()
        assert "latest" in headers["surrogate-key"].split()  # a CDN cannot splice: to it the page shows the block
        before[path] = headers["etag"]

    sign_in(browser, server, EMAIL, PASSWORD)
    browser.get(server.url("/newsroom/articles/new"))
    wait = WebDriverWait(browser, 20)
    browser.find_element(By.NAME, "title").send_keys(TITLE)
    browser.find_element(By.NAME, "lead").send_keys("Какво реши съветът за снегорините.")
    browser.execute_script(
        "const e = document.getElementById('nr-editor'); e.innerHTML = '<p>Снегорините тръгват в пет.</p>';"
        "e.dispatchEvent(new Event('input'));")
    browser.find_element(By.CSS_SELECTOR, "button[name=action][value=publish]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-info")))

    # Over HTTP: every page shows the new article in its list; those whose "Още:" did not change are still the kept
    # pages (the new article's neighbours get new "Още:" lists and are rendered again), with a new ETag.
    kept = []
    for path in paths:
        status, headers, identity = fetch(server, path)
        assert status == 200
        assert TITLE in today_block(identity.decode()), path
        assert headers["etag"] != before[path]
        assert int(headers["content-length"]) == len(identity)
        status, zipped_headers, zipped = fetch(server, path, **{"Accept-Encoding": "gzip"})
        assert zipped_headers["content-encoding"] == "gzip"
        assert zlib.decompress(zipped, 16 + zlib.MAX_WBITS) == identity, path
        assert int(zipped_headers["content-length"]) == len(zipped)
        if headers["x-cache"] == "HIT":
            kept.append(path)
    assert kept, "the publication dropped every article page"
    path = kept[0]

    # In Chromium: the reader's list shows the new article, linking to it.
    browser.get(server.url(path))
    items = browser.find_elements(By.CSS_SELECTOR, ".today-list li a")
    assert any(TITLE in item.text for item in items), [item.text for item in items]
