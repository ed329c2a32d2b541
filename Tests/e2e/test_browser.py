"""A real browser on the public site: Debian's headless Chromium driven by Selenium.

Needs `apt-get install -y chromium chromium-driver` (/usr/bin/chromium,
/usr/bin/chromedriver; override with CHROMIUM_BIN / CHROMEDRIVER_BIN).
"""

from __future__ import annotations

import base64
import os
import re
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import Server, article_links, is_article_path

SOFIA = ZoneInfo("Europe/Sofia")
MONTHS = [
    "януари", "февруари", "март", "април", "май", "юни",
    "юли", "август", "септември", "октомври", "ноември", "декември",
]
DATELINE_DATE = re.compile(r"^(\d{2}) (" + "|".join(MONTHS) + r") (\d{4}), (\d{2}):(\d{2}) часа$")
DATELINE = re.compile(
    r"^\d{2} (?:" + "|".join(MONTHS) + r") \d{4}, \d{2}:\d{2} часа\s*•\s*\d+ \| прочитания$"
)
TOPIC_LINK = re.compile(r"^Още за .+ – четете тук$")

DESKTOP = (1280, 900)
PHONE = (390, 844)
MIN_PNG_BYTES = 10 * 1024


def replaced(element):
    """A wait condition: `element` has left the page (the page was loaded again). Selenium's `staleness_of` only
    counts a stale-element error; Chromium sometimes answers a node of the page being replaced with "Node with given id
    does not belong to the document" instead (a CI run failed on it), which is the same fact."""

    def check(_driver) -> bool:
        try:
            element.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise

    return check


def _executable(env: str, default: str) -> str:
    path = os.environ.get(env) or shutil.which(Path(default).name) or default
    if not os.path.exists(path):
        pytest.fail(f"{default} not found: apt-get install -y chromium chromium-driver (or set {env})")
    return path


@pytest.fixture(scope="module")
def driver():
    options = Options()
    options.binary_location = _executable("CHROMIUM_BIN", "/usr/bin/chromium")
    for arg in (
        "--headless=new",
        "--no-sandbox",  # Chromium refuses to run as root without it
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--hide-scrollbars",
        "--lang=bg-BG",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
    ):
        options.add_argument(arg)
    # Explicit chromedriver: Selenium Manager must not try to download one.
    service = Service(executable_path=_executable("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"))
    drv = webdriver.Chrome(service=service, options=options)
    drv.set_page_load_timeout(30)
    try:
        yield drv
    finally:
        drv.quit()


def _set_viewport(drv, width: int, height: int, mobile: bool) -> None:
    """Exact CSS viewport via DevTools (a window size would include browser chrome
    and is clamped to a minimum width on some builds)."""
    drv.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )
    drv.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": mobile})
    inner = drv.execute_script("return [window.innerWidth, window.innerHeight]")
    assert inner == [width, height], f"viewport is {inner}, wanted {[width, height]}"


def _wait_article(drv) -> None:
    WebDriverWait(drv, 15).until(EC.presence_of_element_located((By.CSS_SELECTOR, "h1.headline")))


def _screenshot(drv, path: Path) -> None:
    drv.execute_script("window.scrollTo(0, 0)")
    assert drv.save_screenshot(str(path)), f"could not save {path}"


def _full_page_screenshot(drv, path: Path) -> None:
    """The whole page, not only the viewport (for reviewing the layout by eye)."""
    shot = drv.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def _assert_png(path: Path) -> None:
    assert path.is_file(), f"{path} was not written"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    size = path.stat().st_size
    assert size > MIN_PNG_BYTES, f"{path.name} is only {size} bytes (blank page?)"


@pytest.fixture(scope="module")
def article(driver, server: Server):
    """Open the home page, then follow its first article link by clicking it."""
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.get(server.url("/"))
    assert driver.title, "home page has no title"
    links = [
        a for a in driver.find_elements(By.CSS_SELECTOR, "main a[href]")
        if is_article_path(driver.execute_script("return arguments[0].pathname", a))
    ]
    assert links, "no article link on the home page"
    first = links[0]
    link_text = first.text.strip()
    path = driver.execute_script("return arguments[0].pathname", first)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", first)
    first.click()
    WebDriverWait(driver, 15).until(EC.url_contains(path))
    _wait_article(driver)
    return {"path": path, "link_text": link_text, "url": server.url(path)}


@pytest.fixture(autouse=True)
def _back_on_article(request):
    """Tests share one browser: put it back on the followed article if another test moved it."""
    if "article" not in request.fixturenames:
        return
    driver = request.getfixturevalue("driver")
    article = request.getfixturevalue("article")
    if driver.current_url != article["url"]:
        driver.get(article["url"])
        _wait_article(driver)


def test_headline(driver, article):
    h1s = driver.find_elements(By.CSS_SELECTOR, "h1")
    assert len(h1s) == 1, f"expected one <h1>, found {len(h1s)}"
    h1 = driver.find_element(By.CSS_SELECTOR, "h1.headline")
    assert h1.is_displayed()
    text = h1.text.strip()
    assert text, "empty headline"
    # The link we followed on the home page names this article.
    assert text.startswith(article["link_text"]), (text, article["link_text"])
    kickers = h1.find_elements(By.CSS_SELECTOR, ".kicker")
    if kickers:
        kicker = kickers[0].text.strip()
        assert kicker.endswith(":") and len(kicker) > 1, f"kicker {kicker!r} is not 'Place:'"
        assert text.startswith(kicker + " "), (kicker, text)
        assert len(text) > len(kicker) + 5, "nothing after the kicker"
    # The (ВИДЕО)/(СНИМКИ) marker is outside the home page link, so compare that.
    assert article["link_text"] in driver.title, (article["link_text"], driver.title)


def test_dateline_and_read_count(driver, article):
    dateline = driver.find_element(By.CSS_SELECTOR, "p.dateline")
    assert dateline.is_displayed()
    text = " ".join(dateline.text.split())
    assert DATELINE.match(text), f"dateline {text!r} is not 'DD месец YYYY, HH:MM часа • N | прочитания'"

    time_el = dateline.find_element(By.CSS_SELECTOR, "time")
    shown = DATELINE_DATE.match(time_el.text.strip())
    assert shown, f"time text {time_el.text!r}"
    stamp = datetime.fromisoformat(time_el.get_attribute("datetime"))
    assert stamp.tzinfo is not None, "datetime attribute has no offset"
    local = stamp.astimezone(SOFIA)
    assert stamp.utcoffset() == local.utcoffset(), (
        f"datetime offset {stamp.utcoffset()} is not Sofia's {local.utcoffset()}"
    )
    day, month, year, hour, minute = shown.groups()
    assert (int(day), MONTHS.index(month) + 1, int(year), int(hour), int(minute)) == (
        local.day, local.month, local.year, local.hour, local.minute
    ), f"shown {time_el.text!r} but datetime is {local.isoformat()}"

    reads = dateline.find_element(By.CSS_SELECTOR, ".reads")
    count = reads.find_element(By.CSS_SELECTOR, ".reads-count").text.strip()
    assert count.isdigit(), f"read count {count!r}"
    assert "прочитания" in reads.text


def test_more_blocks(driver, article, server: Server):
    blocks = driver.find_elements(By.CSS_SELECTOR, ".article-body aside.more")
    assert blocks, "no 'Още:' block in the article body"
    targets = []
    for block in blocks:
        assert block.is_displayed()
        items = block.find_elements(By.CSS_SELECTOR, "li")
        assert 1 <= len(items) <= 3, f"'Още:' block with {len(items)} lines"
        for item in items:
            assert item.text.startswith("Още:"), f"line {item.text!r}"
            link = item.find_element(By.CSS_SELECTOR, "a[href]")
            path = driver.execute_script("return arguments[0].pathname", link)
            assert is_article_path(path), f"'Още:' links to {path}"
            assert path != article["path"], "'Още:' links to the article itself"
            assert link.text.strip(), "empty 'Още:' link"
            targets.append(path)
    for path in set(targets):
        assert server.get(path).status == 200, f"'Още:' link {path} is broken"


def test_topic_link_when_present(driver, article, server: Server):
    topic = driver.find_elements(By.CSS_SELECTOR, "p.topic-link")
    if not topic:
        pytest.skip("the first article belongs to no topic (see test_topic_link_on_some_article)")
    _check_topic_link(driver, server)


def test_topic_link_on_some_article(driver, server: Server, home_html: str):
    """Some article linked from the home page belongs to a topic: check its hub link."""
    for path in article_links(home_html):
        if 'class="topic-link"' in server.get(path).body:
            break
    else:
        pytest.fail("no article linked from the home page has a topic hub link")
    driver.get(server.url(path))
    _wait_article(driver)
    _check_topic_link(driver, server)


def _check_topic_link(driver, server: Server) -> None:
    link = driver.find_element(By.CSS_SELECTOR, "p.topic-link a[href]")
    assert link.is_displayed()
    text = " ".join(link.text.split())
    assert TOPIC_LINK.match(text), f"topic link text {text!r}"
    href = driver.execute_script("return arguments[0].pathname", link)
    assert server.get(href).status == 200, f"topic page {href} is broken"


def test_byline_with_role(driver, article):
    authors = driver.find_elements(By.CSS_SELECTOR, ".byline a.author[rel~='author']")
    assert authors, "no byline"
    for author in authors:
        assert author.is_displayed()
        name = author.find_element(By.CSS_SELECTOR, ".author-name")
        role = author.find_element(By.CSS_SELECTOR, ".author-role")
        assert name.text.strip(), "author without a name"
        assert role.text.strip(), f"{name.text} has no role"
        assert author.get_attribute("href"), "byline does not link to the author's page"
        # The role is on the line below the name.
        assert role.rect["y"] >= name.rect["y"] + name.rect["height"] - 1, (name.rect, role.rect)


def test_today_list(driver, article, server: Server):
    section = driver.find_element(By.CSS_SELECTOR, "section.today")
    # textContent: CSS shows the heading in capitals (text-transform).
    assert "Новините днес" in section.find_element(By.CSS_SELECTOR, "h2").get_attribute("textContent")
    stamps = [
        datetime.fromisoformat(t.get_attribute("datetime"))
        for t in section.find_elements(By.CSS_SELECTOR, "li time[datetime]")
    ]
    midnight = datetime.now(SOFIA).replace(hour=0, minute=0, second=0, microsecond=0)
    if not stamps:
        # Empty only when nothing but this article was published since midnight in Sofia (the list leaves out the
        # article it stands beside; a run just after midnight sees this), and then it says so.
        own = datetime.fromisoformat(driver.find_element(By.CSS_SELECTOR, ".dateline time").get_attribute("datetime"))
        published = {datetime.fromisoformat(d) for d in re.findall(r'datetime="([^"]+)"', server.get("/").body)}
        others_today = {d for d in published if d >= midnight} - {own}
        assert not others_today, f"'Новините днес' is empty, but {sorted(others_today)} are today in Sofia"
        assert section.find_elements(By.CSS_SELECTOR, "p"), "an empty 'Новините днес' says nothing"
    assert all(stamp >= midnight for stamp in stamps), "'Новините днес' holds an article from before midnight"
    assert stamps == sorted(stamps, reverse=True), "'Новините днес' is not latest first"


def test_phone_layout_and_screenshots(driver, article, artifacts_dir: Path):
    desktop_png = artifacts_dir / "article-desktop.png"
    phone_png = artifacts_dir / "article-phone.png"
    for stale in (desktop_png, phone_png):
        stale.unlink(missing_ok=True)
    try:
        _set_viewport(driver, *DESKTOP, mobile=False)
        driver.refresh()
        _wait_article(driver)
        _screenshot(driver, desktop_png)
        _full_page_screenshot(driver, artifacts_dir / "article-desktop-full.png")

        _set_viewport(driver, *PHONE, mobile=True)
        driver.refresh()
        _wait_article(driver)
        assert driver.execute_script("return window.innerWidth") == PHONE[0]
        _screenshot(driver, phone_png)
        _full_page_screenshot(driver, artifacts_dir / "article-phone-full.png")

        overflow = driver.execute_script(
            """
            const w = window.innerWidth;
            const wide = [];
            for (const el of document.querySelectorAll('body *')) {
              const r = el.getBoundingClientRect();
              if (r.width && r.right > w + 1 && getComputedStyle(el).position !== 'fixed'
                  && !el.closest('.sections ul')) {
                wide.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                          + ' right=' + Math.round(r.right));
              }
            }
            return {scrollWidth: document.documentElement.scrollWidth, innerWidth: w,
                    wide: wide.slice(0, 10)};
            """
        )
        assert overflow["scrollWidth"] <= overflow["innerWidth"], f"horizontal overflow at 390 px: {overflow}"

        nav = driver.find_element(By.CSS_SELECTOR, "nav.sections")
        assert nav.is_displayed(), "section nav hidden on a phone"
        rect = driver.execute_script("return arguments[0].getBoundingClientRect().toJSON()", nav)
        assert rect["height"] > 0 and rect["top"] < PHONE[1] and rect["left"] >= 0, rect
        visible_links = [a for a in nav.find_elements(By.CSS_SELECTOR, "a") if a.is_displayed()]
        assert visible_links, "no section link visible in the nav"
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": False})

    _assert_png(desktop_png)
    _assert_png(phone_png)


def test_not_found_page_in_bulgarian(driver, server: Server):
    resp = server.get("/no-such-section/no-such-article")
    assert resp.status == 404, f"status {resp.status}"
    assert re.search(r'<html[^>]*\blang="bg"', resp.body), "404 page is not lang=bg"
    assert "не е намерена" in resp.body or "не съществува" in resp.body, "404 text is not Bulgarian"

    driver.get(server.url("/no-such-section/no-such-article"))
    h1 = driver.find_element(By.CSS_SELECTOR, "h1").text
    assert re.search(r"[а-яА-Я]", h1), f"404 heading {h1!r} is not in Bulgarian"
    assert driver.find_elements(By.CSS_SELECTOR, "a[href='/']"), "404 page has no way home"
