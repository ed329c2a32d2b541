"""Picture renditions (issue 17) against the real binary with libvips: a phone's JPEG uploaded through the newsroom
is made into every width and format in the background, and each file is read back with Pillow (format, size,
orientation applied, no EXIF location); a restart in the middle of a job resumes it; bombs are refused at upload."""

from __future__ import annotations

import ctypes.util
import hashlib
import io
import json
import re
import signal
import sqlite3
import struct
import subprocess
import time
import urllib.error
import urllib.request
import zlib

import pytest

from conftest import Server, _stop, signed_in, start_server
from test_media import BINARY, upload

EMAIL = "e2e-renditions@vestnik.bg"
PASSWORD = "размери-и-формати-17"

pytestmark = pytest.mark.skipif(
    ctypes.util.find_library("vips") is None, reason="libvips is not installed (apt-get install libvips42)")


def photo(width: int = 2400, height: int = 1600, orientation: int = 6) -> bytes:
    """A phone's photo: stored landscape with EXIF orientation 6 (shown portrait), a position and a maker."""
    from PIL import Image, ImageDraw
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    ImageDraw.Draw(image).ellipse((width * 3 // 4, height // 4, width * 7 // 8, height // 2), fill=(220, 40, 40))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (42.0, 41.0, 54.3), "E", (23.0, 19.0, 21.7)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, exif=exif)
    return out.getvalue()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("vestnik-renditions")


def start(workdir) -> Server:
    server = start_server(workdir, workdir / "renditions.sqlite")
    server.database = workdir / "renditions.sqlite"
    return server


def job(server: Server, digest: str) -> str | None:
    with sqlite3.connect(server.database) as db:
        row = db.execute("SELECT state FROM media_jobs WHERE media_hash = ?", (digest,)).fetchone()
    return row[0] if row else None


def wait_for(server: Server, digest: str, states: set[str], seconds: float = 300) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = job(server, digest)
        if state in states:
            return state
        time.sleep(0.2)
    raise AssertionError(f"job {digest} still {job(server, digest)} after {seconds} s\n{server.log_tail()}")


def test_renditions_read_back_with_pillow(workdir) -> None:
    from PIL import Image
    server = start(workdir)
    try:
        subprocess.run([str(BINARY), "user", "create", "--database", str(server.database), "--email", EMAIL, "--name",
                        "Фото", "--role", "author", "--password-stdin"], input=PASSWORD + "\n", text=True, check=True,
                       capture_output=True, timeout=120)
        opener = signed_in(server, EMAIL, PASSWORD)
        status, item = upload(opener, server, "IMG_1.jpg", photo(), "Телефонна снимка")
        assert status == 201, item
        assert (item["width"], item["height"]) == (1600, 2400), "the library records the size as shown"
        assert wait_for(server, item["hash"], {"done", "failed", "skipped"}) == "done"
        page = opener.open(server.url(f"/newsroom/media/{item['hash']}"), timeout=10).read().decode("utf-8")
        files = re.findall(r'<li><a href="(/media/[0-9a-f]{64}\.(jpg|webp|avif))">([A-Z]+)(?: (\d+×\d+))? (\d+)×(\d+) ·', page)
        assert files, page
        widths: dict[str, list[int]] = {}
        for path, ext, kind, crop, width, height in files:
            with urllib.request.urlopen(server.url(path), timeout=10) as response:
                data = response.read()
                assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
                assert response.headers["Content-Type"] == {"jpg": "image/jpeg", "webp": "image/webp", "avif": "image/avif"}[ext]
            image = Image.open(io.BytesIO(data))
            assert image.format == {"jpg": "JPEG", "webp": "WEBP", "avif": "AVIF"}[ext], path
            assert image.size == (int(width), int(height)), (path, image.size)
            assert image.mode == "RGB"
            exif = image.getexif()
            assert 0x8825 not in exif and not exif.get_ifd(0x8825), f"GPS in {path}"
            assert exif.get(0x0112, 1) == 1, "the orientation is applied to the pixels, not left in a tag"
            assert b"PhoneMaker" not in data
            if crop:
                a, b = (int(x) for x in crop.split("×"))
                assert abs(int(width) * b - int(height) * a) <= a, (crop, width, height)
            else:
                # Upright: as tall as the phone held it, 2:3.
                assert abs(int(height) * 2 - int(width) * 3) <= 3, (width, height)
                widths.setdefault(kind, []).append(int(width))
        assert sorted(widths["JPEG"]) == [320, 640, 960, 1280, 1600], "every step up to the picture's own width, none wider"
        assert sorted(widths["WEBP"]) == [320, 640, 960, 1280, 1600]

        # Bombs and impostors are refused at the door, with the reason; nothing of them reaches libvips.
        def png(width: int, height: int) -> bytes:
            def chunk(kind: bytes, data: bytes) -> bytes:
                return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
            return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                    + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))
        frames = (b"GIF89a" + struct.pack("<HH", 16, 16) + b"\x80\x00\x00" + b"\x00" * 6
                  + b"\x2c\x00\x00\x00\x00\x10\x00\x10\x00\x00\x02\x02\x4c\x01\x00" * 1000 + b"\x3b")
        svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
        for name, data, words in [("bomb.png", png(30_000, 30_000), "мегапиксела"), ("frames.gif", frames, "кадъра"),
                                  ("vector.jpg", svg, "JPEG, PNG, WebP")]:
            try:
                upload(opener, server, name, data, "Бомба")
                raise AssertionError(f"{name} was taken")
            except urllib.error.HTTPError as refused:
                assert refused.code == 422, name
                assert words in json.loads(refused.read())["error"], name
    finally:
        _stop(server.process)


def test_restart_during_a_job_resumes_it(workdir) -> None:
    server = start(workdir)
    try:
        opener = signed_in(server, EMAIL, PASSWORD)
        status, item = upload(opener, server, "IMG_2.jpg", photo(4000, 3000, 1), "Голяма снимка")
        assert status == 201, item
        wait_for(server, item["hash"], {"working"}, seconds=60)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
        assert job(server, item["hash"]) == "working", "killed in the middle of the job"
    finally:
        _stop(server.process)
    again = start(workdir)
    try:
        assert wait_for(again, item["hash"], {"done", "failed", "skipped"}) == "done", again.log_tail()
        assert "resuming 1 job(s)" in again.log_path.read_text(encoding="utf-8", errors="replace")
    finally:
        _stop(again.process)
    # The command for an existing library: a picture stored before renditions (straight into the folder and the
    # table, no job) gets its renditions; a second run finds nothing to do.
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (700, 500), (10, 120, 200)).save(out, "PNG")
    data = out.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    (workdir / "media" / f"{digest}.png").write_bytes(data)
    with sqlite3.connect(again.database) as db:
        db.execute("INSERT INTO media (hash, type, width, height, bytes, alt, uploaded_at) VALUES (?, 'png', 700, 500, ?, 'Стара', 1)",
                   (digest, len(data)))

    def renditions(*flags: str) -> str:
        result = subprocess.run([str(BINARY), "media", "renditions", "--database", str(again.database), *flags],
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
        return result.stdout
    first = renditions()
    assert f"{digest}.png: done" in first and "1 queued; 1 done" in first, first
    assert "0 queued; 0 done, 0 skipped, 0 failed" in renditions()
    with sqlite3.connect(again.database) as db:
        made = db.execute("SELECT format, width FROM media_renditions WHERE media_hash = ? AND crop = '' ORDER BY format, width",
                          (digest,)).fetchall()
    assert ("png", 700) in made and ("webp", 640) in made and not any(w > 700 for _, w in made)


def test_a_colour_profile_is_applied(workdir) -> None:
    """A picture stored in Display P3 with its profile embedded comes out in sRGB: each rendition's colour is the one
    LittleCMS (through Pillow) gets converting the original through its own profile, not the stored numbers."""
    from pathlib import Path

    from PIL import Image, ImageCms
    original = (Path(__file__).resolve().parents[1] / "VestnikTestSupport" / "Pictures" / "p3.jpg").read_bytes()
    source = Image.open(io.BytesIO(original))
    middle = (source.width // 2, source.height // 2)
    profile = ImageCms.ImageCmsProfile(io.BytesIO(source.info["icc_profile"]))
    expected = ImageCms.profileToProfile(source, profile, ImageCms.createProfile("sRGB"), outputMode="RGB").getpixel(middle)
    stored = source.convert("RGB").getpixel(middle)
    assert max(abs(a - b) for a, b in zip(expected, stored)) >= 12, "P3's numbers must differ from sRGB's"
    server = start(workdir)
    try:
        status, item = upload(signed_in(server, EMAIL, PASSWORD), server, "p3.jpg", original, "Червено в P3")
        assert status == 201, item
        assert wait_for(server, item["hash"], {"done", "failed", "skipped"}) == "done"
        with sqlite3.connect(server.database) as db:
            made = db.execute("SELECT file_hash, format FROM media_renditions WHERE media_hash = ? AND crop = ''",
                              (item["hash"],)).fetchall()
        assert {fmt for _, fmt in made} >= {"jpeg", "webp"}, made
        for digest, fmt in made:
            ext = {"jpeg": "jpg"}.get(fmt, fmt)
            image = Image.open(io.BytesIO(urllib.request.urlopen(server.url(f"/media/{digest}.{ext}"), timeout=10).read()))
            assert "icc_profile" not in image.info or not image.info["icc_profile"], f"{fmt}: no profile left in the file"
            got = image.convert("RGB").getpixel((image.width // 2, image.height // 2))
            assert max(abs(a - b) for a, b in zip(got, expected)) <= 6, (fmt, got, expected, stored)
    finally:
        _stop(server.process)


def test_without_libvips_the_site_runs_and_says_why(tmp_path, monkeypatch) -> None:
    """`VESTNIK_RENDITIONS=off` stands for a machine without libvips: the server starts, stays up, serves pages
    and says at start-up why renditions are off."""
    monkeypatch.setenv("VESTNIK_RENDITIONS", "off")
    server = start_server(tmp_path)
    try:
        time.sleep(2)
        assert server.process.poll() is None, server.log_tail()
        assert server.get("/").status == 200
        assert "picture renditions are off: libvips is not available (VESTNIK_RENDITIONS=off)" in server.log_tail()
    finally:
        _stop(server.process)

