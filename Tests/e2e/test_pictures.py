"""Pictures where a news site shows them (issue 17), in a real Chromium with libvips: the home page's cards load a
WebP/AVIF crop of the featured picture, with width and height (no layout shift); a picture dropped or pasted into the
editor is uploaded through the library (alt text asked for), placed, and served on the published page as WebP/AVIF."""

from __future__ import annotations

import base64
import ctypes.util
import hashlib
import io
import re
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import Server, _stop, create_user, signed_in, start_server
from test_browser import driver as browser  # noqa: F401  (the same headless Chromium fixture)
from test_media import upload
from test_renditions import photo, wait_for

EMAIL = "e2e-pictures@vestnik.bg"
PASSWORD = "снимки-на-всяка-страница-17"

pytestmark = pytest.mark.skipif(
    ctypes.util.find_library("vips") is None, reason="libvips is not installed (apt-get install libvips42)")

# The sum of the page's layout shifts (CLS without its windows), read after load; shifts right after input excepted.
LAYOUT_SHIFT = """
const done = arguments[arguments.length - 1];
let total = 0;
new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value; })
  .observe({type: 'layout-shift', buffered: true});
setTimeout(() => done(total), 1500);
"""


@pytest.fixture(scope="module")
def pictures_server(tmp_path_factory) -> Server:
    """A server of its own: its newest articles lead with pictures, which no other test expects."""
    workdir = tmp_path_factory.mktemp("vestnik-pictures")
    database = workdir / "pictures.sqlite"
    server = start_server(workdir, database)
    server.database = database
    try:
        create_user(database, EMAIL, PASSWORD, role="editor", name="Фото Редактор")
        yield server
    finally:
        _stop(server.process)


def sign_in(browser, server: Server) -> WebDriverWait:
    wait = WebDriverWait(browser, 30)
    browser.get(server.url("/newsroom/login"))
    if browser.find_elements(By.NAME, "email"):
        browser.find_element(By.NAME, "email").send_keys(EMAIL)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-user")))
    return wait


def publish(browser, wait: WebDriverWait, server: Server, title: str, featured: str | None = None) -> str:
    """A new article through the editor, published; its public address."""
    browser.get(server.url("/newsroom/articles/new"))
    browser.find_element(By.NAME, "title").send_keys(title)
    browser.find_element(By.NAME, "lead").send_keys("Резюме на статията със снимка.")
    editor = wait.until(EC.visibility_of_element_located((By.ID, "nr-editor")))
    editor.click()
    editor.send_keys("Абзац от статията.")
    if featured:
        browser.execute_script("document.getElementById('nr-featured').value = arguments[0];", featured)
    browser.find_element(By.CSS_SELECTOR, "button[name=action][value=publish]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-info")))
    return browser.find_element(By.LINK_TEXT, "Виж на сайта").get_attribute("href")


def test_home_page_cards_load_a_small_webp_or_avif_crop(browser, pictures_server: Server) -> None:
    server = pictures_server
    opener = signed_in(server, EMAIL, PASSWORD)
    status, item = upload(opener, server, "площад.jpg", photo(2400, 1600, orientation=1), "Площадът в центъра")
    assert status == 201, item
    assert wait_for(server, item["hash"], {"done", "failed", "skipped"}) == "done"
    wait = sign_in(browser, server)
    for title in ("Площадът се изпълни с хора", "Вечер на площада"):
        publish(browser, wait, server, title, featured=f"/media/{item['hash']}.jpg")

    # A phone: 390 CSS pixels wide.
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 2,
                                                                   "mobile": True})
    try:
        browser.get(server.url("/"))
        wait.until(lambda d: d.execute_script(
            "const i = [...document.querySelectorAll('.card-picture img')];"
            "return i.length >= 2 && i.slice(0, 2).every(x => x.complete && x.naturalWidth > 0);"))
        pictures = browser.execute_script(
            "return [...document.querySelectorAll('.card-picture img')].map(i => ({src: i.currentSrc, alt: i.alt,"
            " width: i.getAttribute('width'), height: i.getAttribute('height'), loading: i.getAttribute('loading'),"
            " box: [i.getBoundingClientRect().width, i.getBoundingClientRect().height], natural: i.naturalWidth}))")
        assert len(pictures) >= 2, pictures
        lead, card = pictures[0], pictures[1]
        shapes = {"lead": (lead, 3, 2), "card": (card, 4, 3)}  # the lead whole (2400×1600), cards a 4×3 crop
        for name, (picture, across, down) in shapes.items():
            # A rendition in a better format than the JPEG (not the 2400-pixel original), with its size given.
            assert re.search(r"/media/[0-9a-f]{64}\.(webp|avif)$", picture["src"]), (name, picture)
            assert picture["alt"] == "Площадът в центъра"
            assert int(picture["width"]) * down == int(picture["height"]) * across, (name, picture)
            width, height = picture["box"]
            assert width > 0 and abs(width * down - height * across) <= across + down, (name, picture)
            assert picture["loading"] is None, "above the fold: loaded at once"
        # The lead across the phone's column; the card a 7.5rem thumbnail, for which (at 2 device pixels per CSS
        # pixel) the browser took the 320-wide crop; read back with Pillow.
        assert lead["box"][0] > 300 and card["box"][0] == 120, pictures
        from PIL import Image
        with urllib.request.urlopen(card["src"], timeout=10) as response:
            assert Image.open(io.BytesIO(response.read())).size == (320, 240)
        # Lower cards wait until they are scrolled near.
        assert all(p["loading"] == "lazy" for p in pictures[3:]), pictures
        shift = browser.execute_async_script(LAYOUT_SHIFT)
        assert shift < 0.01, f"layout shift {shift}"
        # Feeds name the picture too (the 16×9 crop).
        rss = server.get("/rss.xml").body
        assert re.search(r'<media:content url="[^"]+/media/[0-9a-f]{64}\.jpg" type="image/jpeg" medium="image" '
                         r'fileSize="\d+" width="1200" height="675"/>', rss), rss[:2000]
        # And feed readers find it: feedparser reads both feeds without a fault, with the picture as Media RSS content
        # and as the enclosure.
        import feedparser
        for path in ("/rss.xml", "/atom.xml"):
            parsed = feedparser.parse(server.get(path).body)
            assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
            entry = parsed.entries[0]
            content = entry.media_content[0]
            assert (content["medium"], content["type"], content["width"], content["height"]) == (
                "image", "image/jpeg", "1200", "675"), (path, content)
            assert entry.enclosures and entry.enclosures[0]["type"] == "image/jpeg", (path, entry.enclosures)
            assert entry.enclosures[0]["href"] == content["url"], path
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# A File made in the page from bytes, dropped (or pasted) onto the editor by a synthetic event; dispatched after the
# script returns, since the editor's alt-text prompt would hold it.
DROP = """
const [b64, name, kind] = arguments;
const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
const data = new DataTransfer();
data.items.add(new File([bytes], name, {type: 'image/jpeg'}));
const editor = document.getElementById('nr-editor');
const box = editor.getBoundingClientRect();
setTimeout(() => editor.dispatchEvent(kind === 'drop'
  ? new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true, clientX: box.left + 5, clientY: box.bottom - 5})
  : new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true})), 0);
"""


def test_drop_and_paste_a_picture_into_the_editor(browser, pictures_server: Server) -> None:
    server = pictures_server
    wait = sign_in(browser, server)
    browser.get(server.url("/newsroom/articles/new"))
    browser.find_element(By.NAME, "title").send_keys("Снимка, пусната в текста")
    browser.find_element(By.NAME, "lead").send_keys("Репортерът пусна снимката направо в редактора.")
    editor = wait.until(EC.visibility_of_element_located((By.ID, "nr-editor")))
    editor.click()
    editor.send_keys("Абзац преди снимката.")
    placed = []
    for kind, jpeg, alt in (("drop", photo(1600, 1200, orientation=1), "Пусната снимка"),
                            ("paste", photo(1200, 900, orientation=1), "Поставена снимка")):
        before = len(placed)
        browser.execute_script(DROP, base64.b64encode(jpeg).decode(), f"{kind}.jpg", kind)
        prompt = wait.until(EC.alert_is_present())
        assert f"{kind}.jpg" in prompt.text, "the editor asks for the alt text of that picture"
        prompt.send_keys(alt)
        prompt.accept()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#nr-editor figure img")) > before)
        placed = browser.execute_script(
            "return [...document.querySelectorAll('#nr-editor figure img')].map(i => [i.getAttribute('src'), i.alt,"
            " i.getAttribute('width'), i.getAttribute('height')])")
        src, got_alt, width, height = placed[-1]
        assert re.fullmatch(r"/media/[0-9a-f]{64}\.jpg", src) and got_alt == alt, placed
        assert (int(width), int(height)) == ((1600, 1200) if kind == "drop" else (1200, 900))
        # Uploaded through the library's intake: in the library with its alt text, its location scrubbed.
        with urllib.request.urlopen(server.url(src), timeout=10) as response:
            data = response.read()
        assert b"PhoneMaker" not in data and hashlib.sha256(data).hexdigest() == src[7:71]
    browser.find_element(By.CSS_SELECTOR, "button[name=action][value=publish]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-info")))
    link = browser.find_element(By.LINK_TEXT, "Виж на сайта").get_attribute("href")
    for src, *_ in placed:
        assert wait_for(server, src[7:71], {"done", "failed", "skipped"}) == "done"

    browser.get(link)
    wait.until(lambda d: d.execute_script(
        "const i = [...document.querySelectorAll('.article-body figure img')];"
        "return i.length === 2 && i.every(x => x.complete && x.naturalWidth > 0);"))
    shown = browser.execute_script(
        "return [...document.querySelectorAll('.article-body figure img')].map(i => [i.currentSrc, i.alt,"
        " i.closest('picture') !== null])")
    assert [alt for _, alt, _ in shown] == ["Пусната снимка", "Поставена снимка"], shown
    for current, _, in_picture in shown:
        # The browser took a WebP/AVIF rendition, not the uploaded JPEG.
        assert in_picture and re.search(r"/media/[0-9a-f]{64}\.(webp|avif)$", current), shown
        assert current.rsplit("/", 1)[1][:64] not in {src[7:71] for src, *_ in placed}
    shift = browser.execute_async_script(LAYOUT_SHIFT)
    assert shift < 0.01, f"layout shift {shift}"
