"""An event's logo, checked by its content and re-encoded. No Flask, no database.

Only PNG and JPEG are accepted: an SVG is a document that can carry scripts and links, and
every browser, mail reader and PDF library reads the two bitmap formats safely. The upload
is read up to its size limit, recognised from its first bytes (its name only has to
agree, as for papers: conference/papers/filetypes.py), its dimensions are read from the
header and bounded *before* the pixels are decoded (a small file can claim a gigapixel
image), then Pillow decodes it whole and writes it again: what is stored and served is
pixels this module wrote, without the uploader's metadata (EXIF, comments, location) or
any bytes appended after the image. Larger logos are scaled down to :data:`MAX_SIDE`.
"""

import io
import warnings
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from PIL import Image, ImageOps, UnidentifiedImageError

from conference.errors import ValidationError
from conference.papers.uploads import format_size

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
MAX_BYTES = 2 * 1024 * 1024  # what an organiser may upload
MAX_PIXELS = 40_000_000  # claimed by the header, before decoding (8000 x 5000)
MAX_SIDE = 1200  # what is kept: 40 mm at 760 dpi on a badge, sharp in a navbar at 3x
MIN_SIDE = 16
MAX_RATIO = 8  # a wider (or taller) logo would be a thin line in a band
EXTENSIONS = {"png": ("png",), "jpeg": ("jpg", "jpeg")}


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class LogoError(ValidationError):
    """The upload is not a logo this site accepts; the message says why."""

    def __init__(self, message: str):
        super().__init__(message, field="logo")


@dataclass(frozen=True)
class Logo:
    """A checked logo, re-encoded: the bytes to store and serve."""

    data: bytes
    kind: str  # "png" or "jpeg"
    width: int
    height: int

    @property
    def mime_type(self) -> str:
        return f"image/{self.kind}"

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind][0]


def read_limited(stream: Readable | BinaryIO, max_bytes: int = MAX_BYTES) -> bytes:
    """The whole upload, or LogoError as soon as it passes ``max_bytes``."""
    chunks, size = [], 0
    while chunk := stream.read(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(max_bytes: int) -> LogoError:
    return LogoError(
        f"The logo is larger than {format_size(max_bytes)}, the most accepted. Please save "
        "it smaller: a logo needs no more than about 1200 pixels across."
    )


def sniff(data: bytes) -> str | None:
    """ "png" or "jpeg" from the first bytes, or None."""
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    return None


def _what_it_is(data: bytes) -> str:
    """A word on what a refused file seems to be, for the message."""
    head = data[:512].lstrip().lower()
    if b"<svg" in head or head.startswith(b"<?xml"):
        return (
            "This is an SVG drawing. SVG files can carry scripts, so only PNG and JPEG "
            "images are accepted: please export the logo as PNG."
        )
    if head.startswith((b"<!doctype html", b"<html")):
        return "This is a web page, not an image. Please upload the logo as PNG or JPEG."
    if head.startswith(b"gif8"):
        return "This is a GIF image. Please save the logo as PNG or JPEG."
    if head.startswith(b"riff") and data[8:12] == b"WEBP":
        return "This is a WebP image. Please save the logo as PNG or JPEG."
    if head.startswith(b"%pdf"):
        return "This is a PDF document. Please save the logo as PNG or JPEG."
    return "This file is not a PNG or JPEG image. Please upload the logo as PNG or JPEG."


def _extension(filename: str) -> str:
    stem, dot, extension = (filename or "").rpartition(".")
    return extension.lower() if dot and stem else ""


def check_logo(
    data: bytes, filename: str, *, max_bytes: int = MAX_BYTES, max_side: int = MAX_SIDE
) -> Logo:
    """The logo re-encoded, if the bytes are a PNG or JPEG image a logo can be; LogoError
    with the reason otherwise."""
    if not data:
        raise LogoError("The file is empty.")
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    kind = sniff(data)
    if kind is None:
        raise LogoError(_what_it_is(data))
    extension = _extension(filename)
    if extension not in EXTENSIONS[kind]:
        ending = f"ends in .{extension}" if extension else "has no extension"
        raise LogoError(
            f"This file is a {kind.upper()} image but its name {ending}. "
            f"Please rename it to end in .{EXTENSIONS[kind][0]}."
        )
    image = _decoded(data, kind)
    try:
        return _reencoded(image, kind, max_side)
    finally:
        image.close()


def _decoded(data: bytes, kind: str) -> Image.Image:
    damaged = LogoError(
        f"This {kind.upper()} image is damaged or incomplete and cannot be read. "
        "Please export it again and upload the new copy."
    )
    formats = [kind.upper()]
    with warnings.catch_warnings():
        # Pillow warns of (and past twice its limit refuses) huge images as it opens them.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # The header alone: the size is checked before any pixel is decoded.
            with Image.open(io.BytesIO(data), formats=formats) as probe:
                width, height = probe.size
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise damaged from None
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(width, height)
    if min(width, height) < MIN_SIDE:
        raise LogoError(
            f"This image is {width} × {height} pixels: too small to print or show sharply. "
            "Please upload one at least 200 pixels across."
        )
    if max(width, height) > MAX_RATIO * min(width, height):
        raise LogoError(
            f"This image is {width} × {height} pixels: a logo in a band can be at most "
            f"{MAX_RATIO} times as wide as it is tall (or as tall as wide). Please crop it."
        )
    try:
        with Image.open(io.BytesIO(data), formats=formats) as probe:
            probe.verify()  # PNG: every chunk's checksum; JPEG: the header
        image = Image.open(io.BytesIO(data), formats=formats)
        image.load()  # every pixel: a truncated or corrupt stream fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise damaged from None
    return image


def _too_many_pixels(width: int | None = None, height: int | None = None) -> LogoError:
    size = f" is {width} × {height} pixels," if width else " has"
    return LogoError(
        f"This image{size} far more pixels than a logo needs. "
        "Please save it smaller, about 1200 pixels across."
    )


def _reencoded(image: Image.Image, kind: str, max_side: int) -> Logo:
    image = ImageOps.exif_transpose(image)  # as a camera held sideways meant it
    transparent = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    image = image.convert("RGBA" if transparent and kind == "png" else "RGB")
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "png":
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="JPEG", quality=90, optimize=True)
    width, height = image.size
    return Logo(out.getvalue(), kind, width, height)
