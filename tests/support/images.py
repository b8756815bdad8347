"""Image files for tests, made with Pillow: photos with GPS, bombs, files in disguise."""

import io
import struct
import zlib

from PIL import Image

GPS = {1: "N", 2: (48.0, 51.0, 30.0), 3: "E", 4: (2.0, 17.0, 40.0)}


def jpeg(width: int = 64, height: int = 48, *, orientation: int | None = None,
         gps: bool = False, color: str = "orange") -> bytes:
    """A JPEG; with `gps`, EXIF carrying a camera maker and a GPS position."""
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x010F] = "PhoneMaker"
        exif[0x8825] = GPS
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", exif=exif,
                                                  comment=b"taken at home")
    return out.getvalue()


def png(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 120, 200, 255)).save(out, "PNG")
    return out.getvalue()


def of_format(fmt: str, **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "green").save(out, fmt, **options)
    return out.getvalue()


def animated_gif() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("RGB", (16, 16), color) for color in ("red", "green", "blue")]
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A few hundred bytes that claim a `width` x `height` grey image (a decompression bomb: the
    pixels would be gigabytes)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 4096, 9)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows)
            + _chunk(b"IEND", b""))


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(1)</script></svg>')
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
