"""Writes the scrubber's seed corpus: small files of the four formats with every kind of metadata the scrubber
removes or keeps (EXIF with orientation, GPS, Artist and a thumbnail IFD; XMP; IPTC; comments; PNG text chunks;
WebP EXIF/XMP chunks; GIF comment and application extensions). Standard library only."""
import struct
import sys
import zlib
from pathlib import Path


def tiff(orientation: int = 6) -> bytes:
    """Big-endian TIFF: IFD0 with Orientation, Artist, GPS pointer; a GPS IFD; IFD1 (thumbnail) with one entry."""
    artist = b"Ivan Petrov\x00"
    entries = 3
    ifd0 = 8
    ifd0_end = ifd0 + 2 + entries * 12 + 4
    artist_at = ifd0_end
    gps_at = artist_at + len(artist)
    gps = struct.pack(">H", 1) + struct.pack(">HHII", 2, 5, 3, 0) + b"\0\0\0\0"
    ifd1_at = gps_at + len(gps)
    ifd1 = struct.pack(">H", 1) + struct.pack(">HHII", 0x0103, 3, 1, 6 << 16) + b"\0\0\0\0"
    out = b"MM\x00\x2a" + struct.pack(">I", ifd0) + struct.pack(">H", entries)
    out += struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0)
    out += struct.pack(">HHII", 0x013B, 2, len(artist), artist_at)
    out += struct.pack(">HHII", 0x8825, 4, 1, gps_at)
    out += struct.pack(">I", ifd1_at)
    return out + artist + gps + ifd1


XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="42,41.9N" exif:GPSLongitude="23,19.3E"/></x:xmpmeta>'


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg() -> bytes:
    return (b"\xff\xd8" + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
            + segment(0xE1, b"Exif\x00\x00" + tiff()) + segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP)
            + segment(0xED, b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x05\x1c\x02\x5a\x00\x05Sofia")
            + segment(0xE2, b"ICC_PROFILE\x00\x01\x01" + b"\0" * 16) + segment(0xFE, b"shot by someone")
            + segment(0xDB, b"\x00" + bytes(range(64)))
            + segment(0xC0, b"\x08\x00\x10\x00\x20\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01")
            + segment(0xC4, b"\x00" + b"\x01" + b"\0" * 15 + b"\x00")
            + segment(0xDA, b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00")
            + b"\x12\x34\xff\x00\x56\xff\xd0\x78" + b"\xff\xd9" + b"TRAILER")


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png() -> bytes:
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 2, 8, 2, 0, 0, 0))
            + chunk(b"sRGB", b"\x00") + chunk(b"eXIf", tiff()) + chunk(b"tEXt", b"Author\x00Ivan")
            + chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + XMP) + chunk(b"tIME", b"\x07\xea\x0c\x06\x08\x00\x00")
            + chunk(b"IDAT", zlib.compress(b"\x00" + b"\x10\x20\x30" * 4) * 1) + chunk(b"IEND", b""))


def riff(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")


def webp() -> bytes:
    vp8x = bytes([0x0C, 0, 0, 0]) + (3).to_bytes(3, "little") + (1).to_bytes(3, "little")
    vp8 = b"\x10\x02\x00\x9d\x01\x2a" + struct.pack("<HH", 4, 2) + b"\0\0"
    body = b"WEBP" + riff(b"VP8X", vp8x) + riff(b"VP8 ", vp8) + riff(b"EXIF", tiff()) + riff(b"XMP ", XMP)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def sub_blocks(data: bytes) -> bytes:
    return b"".join(bytes([len(data[i:i + 255])]) + data[i:i + 255] for i in range(0, len(data), 255)) + b"\x00"


def gif() -> bytes:
    return (b"GIF89a" + struct.pack("<HH", 2, 2) + b"\x80\x00\x00" + b"\x00\x00\x00\xff\xff\xff"
            + b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00" + b"\x21\xfe" + sub_blocks(b"taken at home")
            + b"\x21\xff\x0bXMP DataXMP" + sub_blocks(XMP) + b"\x21\xf9\x04\x00\x00\x00\x00\x00"
            + b"\x2c\x00\x00\x00\x00\x02\x00\x02\x00\x00\x02\x02\x44\x01\x00" + b"\x3b")


def main() -> None:
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in {"seed.jpg": jpeg(), "seed.png": png(), "seed.webp": webp(), "seed.gif": gif()}.items():
        (folder / name).write_bytes(data)


if __name__ == "__main__":
    main()
