"""Galleries (issue 25), in a real Chromium: a journalist chooses several pictures in the editor's library picker,
inserts them as one gallery and publishes; the page shows a grid of renditions with "(СНИМКИ)" in the headline, and
the viewer is worked with the keyboard alone (Enter opens it, arrows move, Tab stays inside, Esc closes, the focus
returns to the picture it came from). Feeds get plain figures. The gallery page, viewer open and closed, is checked
with axe-core in test_accessibility.py (`gallery_article` below builds one over HTTP)."""

from __future__ import annotations

import ctypes.util
import json
import re
import urllib.parse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import Server, _stop, create_user, signed_in, start_server
from test_browser import driver as browser  # noqa: F401  (the same headless Chromium fixture)
from test_media import upload
from test_paste import sign_in
from test_renditions import photo, wait_for

EMAIL = "e2e-gallery@vestnik.bg"
PASSWORD = "галерия-от-снимки-25"
HAS_VIPS = ctypes.util.find_library("vips") is not None


def upload_pictures(opener, server: Server, count: int) -> list[dict]:
    """`count` distinct JPEGs through the editor's upload; the library's answers (hash, src, alt …)."""
    items = []
    for index in range(count):
        status, item = upload(opener, server, f"galeriya-{index}.jpg", photo(1600 + 40 * index, 1200, orientation=1),
                              f"Снимка {index + 1} от митинга")
        assert status == 201, item
        items.append(item)
    return items


def gallery_article(server: Server, email: str, password: str, title: str) -> str:
    """An article with a gallery of three pictures, published through the newsroom's form over HTTP; its address."""
    opener = signed_in(server, email, password)
    items = upload_pictures(opener, server, 3)
    if HAS_VIPS:
        if not hasattr(server, "database"):
            server.database = server.log_path.parent / "e2e.sqlite"  # the session's server
        for item in items:
            assert wait_for(server, item["hash"], {"done", "failed", "skipped"}) == "done"
    page = opener.open(server.url("/newsroom/articles/new"), timeout=10).read().decode("utf-8")
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    section = re.search(r'<select name="section"><option value="([^"]*)"', page).group(1)
    names = " ".join(item["src"].removeprefix("/media/") for item in items)
    fields = {"csrf": token, "revision": "0", "title": title, "lead": "Резюме на статията с галерия.",
              "body": f'<p>Абзац преди галерията.</p><figure class="gallery" data-media="{names}"></figure><p>След нея.</p>',
              "section": section, "authors": "Е2Е Редактор", "action": "publish"}
    response = opener.open(server.url("/newsroom/articles/new"), data=urllib.parse.urlencode(fields).encode(), timeout=30)
    edited = response.read().decode("utf-8")
    link = re.search(r'<a href="([^"]+)"[^>]*>Виж на сайта</a>', edited)
    assert link, edited[:3000]
    return urllib.parse.urlparse(link.group(1)).path


@pytest.fixture(scope="module")
def gallery_server(tmp_path_factory) -> Server:
    workdir = tmp_path_factory.mktemp("vestnik-gallery")
    database = workdir / "gallery.sqlite"
    server = start_server(workdir, database)
    server.database = database
    try:
        create_user(database, EMAIL, PASSWORD, role="editor", name="Галерия Редактор")
        yield server
    finally:
        _stop(server.process)


def test_build_a_gallery_in_the_editor_and_open_it_with_the_keyboard(browser, gallery_server: Server) -> None:
    server = gallery_server
    opener = signed_in(server, EMAIL, PASSWORD)
    items = upload_pictures(opener, server, 3)
    if HAS_VIPS:
        for item in items:
            assert wait_for(server, item["hash"], {"done", "failed", "skipped"}) == "done"

    wait = WebDriverWait(browser, 30)
    browser.get(server.url("/newsroom/login"))
    browser.find_element(By.NAME, "email").send_keys(EMAIL)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-user")))
    browser.get(server.url("/newsroom/articles/new"))
    browser.find_element(By.NAME, "title").send_keys("Митингът в снимки")
    browser.find_element(By.NAME, "lead").send_keys("Хиляди на площада, в снимки.")
    editor = wait.until(EC.visibility_of_element_located((By.ID, "nr-editor")))
    editor.click()
    editor.send_keys("Абзац преди галерията.")

    # The toolbar's gallery button opens the library; three pictures are chosen, the last first.
    browser.find_element(By.CSS_SELECTOR, '.nr-toolbar [data-cmd="gallery"]').click()
    wait.until(EC.visibility_of_element_located((By.ID, "nr-picker-gallery")))
    chosen = [items[2], items[0], items[1]]
    for item in chosen:
        button = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f'#nr-picker-grid button[data-hash="{item["hash"]}"]')))
        button.click()
        assert button.get_attribute("aria-pressed") == "true"
    # A second click takes one back, a third puts it at the end again.
    again = browser.find_element(By.CSS_SELECTOR, f'#nr-picker-grid button[data-hash="{items[0]["hash"]}"]')
    again.click()
    assert again.get_attribute("aria-pressed") == "false"
    again.click()
    chosen = [items[2], items[1], items[0]]
    assert "3" in browser.find_element(By.ID, "nr-picker-count").text
    browser.find_element(By.ID, "nr-picker-insert").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#nr-editor figure.gallery")))
    names = [item["src"].removeprefix("/media/") for item in chosen]
    placed = browser.execute_script(
        "const f = document.querySelector('#nr-editor figure.gallery');"
        "return [f.getAttribute('data-media'), f.querySelectorAll('img').length, f.isContentEditable];")
    assert placed == [" ".join(names), 3, False], placed
    assert not browser.find_element(By.NAME, "gallery").is_selected(), "the marker box was not ticked by hand"

    browser.find_element(By.CSS_SELECTOR, "button[name=action][value=publish]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-info")))
    link = browser.find_element(By.LINK_TEXT, "Виж на сайта").get_attribute("href")
    assert browser.find_element(By.NAME, "gallery").is_selected(), "a body with a gallery sets (СНИМКИ)"

    browser.get(link)
    assert "(СНИМКИ)" in browser.find_element(By.CSS_SELECTOR, "h1.headline").text
    wait.until(lambda d: d.execute_script(
        "const i = [...document.querySelectorAll('.gallery-grid img')];"
        "return i.length === 3 && i.every(x => x.complete && x.naturalWidth > 0);"))
    grid = browser.execute_script(
        "return [...document.querySelectorAll('.gallery-open')].map(a => [a.getAttribute('href'), a.querySelector('img').alt,"
        " a.querySelector('img').currentSrc])")
    assert [alt for _, alt, _ in grid] == [item["alt"] for item in chosen], grid
    if HAS_VIPS:
        for _, _, current in grid:
            # The grid's picture: a small crop in a better format than the JPEG, never the original.
            assert re.search(r"/media/[0-9a-f]{64}\.(webp|avif)$", current), grid
            assert current.rsplit("/", 1)[1][:64] not in {item["hash"] for item in chosen}

    # The keyboard alone: Tab to the second picture, Enter opens the viewer on it.
    browser.find_element(By.TAG_NAME, "body").click()
    browser.execute_script("document.querySelectorAll('.gallery-open')[0].focus()")
    browser.switch_to.active_element.send_keys(Keys.TAB)
    second = browser.find_elements(By.CSS_SELECTOR, ".gallery-open")[1]
    assert browser.switch_to.active_element == second
    second.send_keys(Keys.ENTER)
    wait.until(lambda d: d.execute_script("const v = document.querySelector('dialog.gallery-viewer'); return v && v.open"))

    def viewer() -> dict:
        return browser.execute_script(
            "const v = document.querySelector('dialog.gallery-viewer'); const i = v.querySelector('figure img');"
            "return {open: v.open, position: v.querySelector('.gallery-viewer-position').textContent, alt: i ? i.alt : null,"
            " focusInside: v.contains(document.activeElement), focus: document.activeElement.className,"
            " label: v.getAttribute('aria-label'), caption: v.querySelector('figcaption').textContent}")

    state = viewer()
    assert state["open"] and state["position"] == "Снимка 2 от 3" and state["alt"] == chosen[1]["alt"], state
    assert state["focus"] == "gallery-viewer-close" and state["label"], state
    active = browser.switch_to.active_element
    active.send_keys(Keys.ARROW_RIGHT)
    assert viewer()["position"] == "Снимка 3 от 3"
    browser.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
    assert viewer()["position"] == "Снимка 1 от 3" and viewer()["alt"] == chosen[0]["alt"]
    browser.switch_to.active_element.send_keys(Keys.ARROW_LEFT)
    assert viewer()["position"] == "Снимка 3 от 3"
    # The viewer's picture is a rendition, loaded.
    wait.until(lambda d: d.execute_script(
        "const i = document.querySelector('dialog.gallery-viewer figure img'); return i.complete && i.naturalWidth > 0"))
    if HAS_VIPS:
        current = browser.execute_script("return document.querySelector('dialog.gallery-viewer figure img').currentSrc")
        assert re.search(r"/media/[0-9a-f]{64}\.(webp|avif)$", current), current
    # Tab and Shift+Tab never leave it.
    for key in [Keys.TAB] * 5 + [Keys.SHIFT + Keys.TAB] * 4:
        browser.switch_to.active_element.send_keys(key)
        assert viewer()["focusInside"], key
    # Esc closes it; the focus is back on the picture it was opened from.
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait.until(lambda d: not d.execute_script("return document.querySelector('dialog.gallery-viewer').open"))
    assert browser.switch_to.active_element == second

    # JSON-LD: an ImageGallery of the pictures, in the order chosen.
    article = server.get(urllib.parse.urlparse(link).path).body
    data = [json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', article)]
    gallery = next(block for block in data if block.get("@type") == "ImageGallery")
    assert [image["contentUrl"].rsplit("/", 1)[1] for image in gallery["image"]] == names


# Files made in the page from bytes and dropped on the editor at once by a synthetic event; dispatched after the script
# returns, since the editor's alt-text prompts would hold it.
DROP_SEVERAL = """
const files = arguments[0];
const data = new DataTransfer();
for (const [b64, name] of files) {
  data.items.add(new File([Uint8Array.from(atob(b64), c => c.charCodeAt(0))], name, {type: 'image/jpeg'}));
}
const editor = document.getElementById('nr-editor');
const box = editor.getBoundingClientRect();
setTimeout(() => editor.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true,
  clientX: box.left + 5, clientY: box.bottom - 5})), 0);
"""


def test_several_pictures_dropped_at_once_become_one_gallery(browser, gallery_server: Server) -> None:
    import base64
    server = gallery_server
    wait = WebDriverWait(browser, 30)
    browser.get(server.url("/newsroom/login"))
    if browser.find_elements(By.NAME, "email"):
        browser.find_element(By.NAME, "email").send_keys(EMAIL)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-user")))
    browser.get(server.url("/newsroom/articles/new"))
    editor = wait.until(EC.visibility_of_element_located((By.ID, "nr-editor")))
    editor.click()
    editor.send_keys("Абзац преди снимките.")
    files = [(base64.b64encode(photo(1200 + 80 * index, 900, orientation=1)).decode(), f"pusnata-{index}.jpg")
             for index in range(3)]
    browser.execute_script(DROP_SEVERAL, files)
    for index in range(3):
        prompt = wait.until(EC.alert_is_present())
        assert f"pusnata-{index}.jpg" in prompt.text
        prompt.send_keys(f"Пусната снимка {index + 1}")
        prompt.accept()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#nr-editor figure.gallery")))
    names = browser.execute_script(
        "return document.querySelector('#nr-editor figure.gallery').getAttribute('data-media').split(' ')")
    assert len(names) == 3 and all(re.fullmatch(r"[0-9a-f]{64}\.jpg", name) for name in names), names
    # One gallery, no loose figures.
    assert browser.execute_script("return document.querySelectorAll('#nr-editor figure').length") == 1



def test_a_gallery_is_edited_in_place_with_the_keyboard(browser, gallery_server: Server) -> None:
    """A saved gallery opened again in the editor: its button opens a dialog of its pictures; with the keyboard alone
    a picture is moved earlier, one removed, one's caption and credit written, one added from the library; "Done"
    rewrites the block (the page shows the new order and the library the new caption), and Esc leaves it as it was."""
    server = gallery_server
    opener = signed_in(server, EMAIL, PASSWORD)
    items = []
    for index in range(4):  # pictures of their own (the module's other tests upload theirs)
        status, item = upload(opener, server, f"prepodredena-{index}.jpg", photo(2000 + 40 * index, 1500, orientation=1),
                              f"Снимка {index + 1} от митинга")
        assert status == 201, item
        items.append(item)
    page = opener.open(server.url("/newsroom/articles/new"), timeout=10).read().decode("utf-8")
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    section = re.search(r'<select name="section"><option value="([^"]*)"', page).group(1)
    names = [item["src"].removeprefix("/media/") for item in items]
    fields = {"csrf": token, "revision": "0", "title": "Галерия за преподреждане", "lead": "Снимки от митинга.",
              "body": f'<p>Абзац преди.</p><figure class="gallery" data-media="{" ".join(names[:3])}"></figure><p>След.</p>',
              "section": section, "authors": "Е2Е Редактор", "action": "save"}
    response = opener.open(server.url("/newsroom/articles/new"), data=urllib.parse.urlencode(fields).encode(), timeout=30)
    response.read()
    article = urllib.parse.urlparse(response.geturl()).path
    assert re.fullmatch(r"/newsroom/articles/\d+", article), response.geturl()

    wait = WebDriverWait(browser, 30)
    sign_in(browser, server, EMAIL, PASSWORD)
    browser.get(server.url(article))
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#nr-editor figure.gallery .nr-gallery-edit")))

    def active(selector: str) -> bool:
        return browser.execute_script("return document.activeElement.matches(arguments[0])", selector)

    def press(key: str) -> None:
        browser.switch_to.active_element.send_keys(key)

    # Tab from the text reaches the gallery's button.
    browser.execute_script("document.getElementById('nr-editor').focus()")
    press(Keys.TAB)
    assert active("#nr-editor figure.gallery .nr-gallery-edit")
    press(Keys.ENTER)
    wait.until(EC.visibility_of_element_located((By.ID, "nr-gallery-editor")))
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#nr-gallery-items > li")) == 3)

    def rows() -> list[str]:
        return browser.execute_script(
            "return [...document.querySelectorAll('#nr-gallery-items > li')].map(li =>"
            " [li.querySelector('legend').textContent, li.querySelector('img').getAttribute('src')])")

    assert rows() == [[f"Снимка {n + 1}", items[n]["src"]] for n in range(3)]
    # axe-core on the editor with the gallery block and its dialog open.
    from test_accessibility import _axe_source, _describe, _violations
    violations = _violations(browser, _axe_source())
    assert not violations, _describe(violations)
    browser.execute_script("document.querySelector('#nr-gallery-items > li:first-child input[data-field=caption]').focus()")
    assert active("#nr-gallery-items > li:first-child input[data-field=caption]")
    # The first picture's words, typed.
    press("Нов надпис от редактора")
    press(Keys.TAB)
    press("БТА")
    # The third picture one place earlier: Tab to its button, Enter; the keyboard stays on the moved picture's button.
    browser.execute_script("document.querySelector('#nr-gallery-items > li:nth-child(3) [data-move=\"-1\"]').focus()")
    press(Keys.ENTER)
    assert [src for _, src in rows()] == [items[0]["src"], items[2]["src"], items[1]["src"]]
    assert active('#nr-gallery-items > li:nth-child(2) [data-move="-1"]')
    # The last one removed.
    browser.execute_script("document.querySelector('#nr-gallery-items > li:nth-child(3) [data-remove]').focus()")
    press(Keys.ENTER)
    assert [src for _, src in rows()] == [items[0]["src"], items[2]["src"]]
    # One added from the library.
    browser.find_element(By.ID, "nr-gallery-add").send_keys(Keys.ENTER)
    wait.until(EC.visibility_of_element_located((By.ID, "nr-picker-gallery")))
    added = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f'#nr-picker-grid button[data-hash="{items[3]["hash"]}"]')))
    added.send_keys(Keys.ENTER)
    browser.find_element(By.ID, "nr-picker-insert").send_keys(Keys.ENTER)
    wait.until(lambda d: len(rows()) == 3)
    assert [src for _, src in rows()] == [items[0]["src"], items[2]["src"], items[3]["src"]]
    browser.find_element(By.ID, "nr-gallery-done").send_keys(Keys.ENTER)
    wait.until(EC.invisibility_of_element_located((By.ID, "nr-gallery-editor")))
    order = [names[0], names[2], names[3]]
    assert browser.execute_script(
        "return document.querySelector('#nr-editor figure.gallery').getAttribute('data-media')") == " ".join(order)
    assert active("#nr-editor figure.gallery .nr-gallery-edit"), "the focus returns to the gallery's button"

    # The caption and credit reach the library.
    def library_words():
        answer = opener.open(server.url(f"/newsroom/media.json?hash={items[0]['hash']}"), timeout=10).read()
        found = json.loads(answer)["items"]
        return (found[0]["caption"], found[0]["credit"]) if found else None
    wait.until(lambda d: library_words() == ("Нов надпис от редактора", "БТА"))

    # Esc leaves the gallery as it was.
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait.until(lambda d: len(rows()) == 3)
    browser.execute_script("document.querySelector('#nr-gallery-items > li:nth-child(1) [data-remove]').click()")
    press(Keys.ESCAPE)
    wait.until(EC.invisibility_of_element_located((By.ID, "nr-gallery-editor")))
    assert browser.execute_script(
        "return document.querySelector('#nr-editor figure.gallery').getAttribute('data-media')") == " ".join(order)

    browser.find_element(By.CSS_SELECTOR, "button[name=action][value=publish]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-info")))
    assert browser.find_element(By.ID, "nr-body").get_attribute("value").count(" ".join(order)) == 1
    link = browser.find_element(By.LINK_TEXT, "Виж на сайта").get_attribute("href")
    published = server.get(urllib.parse.urlparse(link).path).body
    shown = re.findall(r'alt="(Снимка \d+ от митинга)"', published.split('class="gallery-grid"')[1])
    assert shown == [items[0]["alt"], items[2]["alt"], items[3]["alt"]], shown
    assert "Нов надпис от редактора" in published
