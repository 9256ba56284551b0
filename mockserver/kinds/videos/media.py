"""What `GET /videos/{id}/content` answers: small but well-formed media made in code, so that a test (or a handler
that hands the bytes to a decoder) opens them as what their content type says.

- `video`: an ISO base media file (MP4): `ftyp` (isom, mp42), `moov` with an `mvhd` of the video's duration, and an
  empty `mdat`. It has no track, so a player shows nothing: the mock renders no frames.
- `thumbnail`: a 1×1 lossless WebP (the spec's `image/webp`).
- `spritesheet`: a PNG grid, one cell per second of the video (the real one is a JPEG: no JPEG encoder in the
  standard library, and a hand-made one would be a codec of its own).
"""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Literal

Variant = Literal["video", "thumbnail", "spritesheet"]
VARIANTS: tuple[Variant, ...] = ("video", "thumbnail", "spritesheet")
CONTENT_TYPES: dict[Variant, str] = {"video": "video/mp4", "thumbnail": "image/webp", "spritesheet": "image/png"}

# A 1×1 lossless WebP (RIFF, WEBP, VP8L): the smallest well-formed WebP there is.
_WEBP = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
_TIMESCALE = 1000


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(seconds: int) -> bytes:
    """An MP4 of `seconds` duration with no track."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isommp42")
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _box(
        b"mvhd",
        struct.pack(">B3xIIII", 0, 0, 0, _TIMESCALE, seconds * _TIMESCALE)
        + struct.pack(">IH10x", 0x10000, 0x100)
        + matrix
        + bytes(24)
        + struct.pack(">I", 1),
    )
    return ftyp + _box(b"moov", mvhd) + _box(b"mdat", b"")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, cells: int) -> bytes:
    """An RGB PNG of `width`×`height` in `cells` vertical stripes of alternating grey (a sprite sheet's layout)."""
    stripe = max(1, width // max(1, cells))
    row = b"".join(b"\x60\x60\x60" if (x // stripe) % 2 else b"\xa0\xa0\xa0" for x in range(width))
    raw = b"".join(b"\x00" + row for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw))
        + _png_chunk(b"IEND", b"")
    )


def content(variant: Variant, seconds: int) -> bytes:
    if variant == "video":
        return mp4(seconds)
    if variant == "thumbnail":
        return _WEBP
    return png(16 * seconds, 9, seconds)
