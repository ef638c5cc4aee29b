"""Logos are checked by their content, bounded before they are decoded, and re-encoded."""

import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from conference.events.logos import LogoError, check_logo, read_limited


def png(width=300, height=100, colour=(192, 57, 43, 255), mode="RGBA", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), colour[: len(mode)]).save(out, format="PNG", **save)
    return out.getvalue()


def jpeg(width=400, height=200, **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (31, 78, 121)).save(out, format="JPEG", **save)
    return out.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A small PNG claiming a huge size: its header, a few kilobytes of compressed blank
    rows (of the billions of pixels it promises), its end."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + 4 * width) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def test_a_png_is_accepted_and_written_again_without_its_metadata_or_appended_bytes():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret location 13.75N 100.50E")
    upload = png(pnginfo=info) + b"<script>alert(1)</script>"
    logo = check_logo(upload, "Logo.PNG")
    assert (logo.kind, logo.mime_type, logo.width, logo.height) == ("png", "image/png", 300, 100)
    assert b"secret location" not in logo.data and b"<script>" not in logo.data
    with Image.open(io.BytesIO(logo.data)) as image:
        assert image.format == "PNG" and image.mode == "RGBA"
        assert image.getpixel((10, 10)) == (192, 57, 43, 255)


def test_a_jpeg_is_accepted_under_either_extension_and_loses_its_exif():
    exif = Image.Exif()
    exif[0x010F] = "Camera of the organiser"  # Make
    upload = jpeg(exif=exif.tobytes())
    assert b"Camera of the organiser" in upload
    for name in ("logo.jpg", "logo.jpeg"):
        logo = check_logo(upload, name)
        assert (logo.kind, logo.width, logo.height) == ("jpeg", 400, 200)
        assert b"Camera of the organiser" not in logo.data


def test_a_large_logo_is_scaled_down_to_1200_pixels_keeping_its_shape():
    logo = check_logo(png(3000, 1000), "logo.png")
    assert (logo.width, logo.height) == (1200, 400)


def test_a_text_file_renamed_png_is_refused():
    with pytest.raises(LogoError, match="not a PNG or JPEG image"):
        check_logo(b"Just some notes, not an image.\n" * 10, "logo.png")


def test_an_svg_renamed_png_is_refused_saying_why():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'
    with pytest.raises(LogoError, match="SVG files can carry scripts"):
        check_logo(svg, "logo.png")


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"<!DOCTYPE html><html><body>hi</body></html>", "web page"),
        (b"GIF89a" + b"\x00" * 40, "GIF"),
        (b"%PDF-1.7\n" + b"\x00" * 40, "PDF"),
    ],
)
def test_other_files_are_named_in_the_refusal(data, says):
    with pytest.raises(LogoError, match=says):
        check_logo(data, "logo.png")


def test_a_png_named_jpg_is_refused_with_the_right_name():
    with pytest.raises(LogoError, match=r"PNG image but its name ends in \.jpg.*\.png"):
        check_logo(png(), "logo.jpg")


def test_too_many_bytes_are_refused_as_they_arrive():
    stream = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * (3 * 1024 * 1024))
    with pytest.raises(LogoError, match="larger than 2 MB"):
        read_limited(stream, 2 * 1024 * 1024)
    with pytest.raises(LogoError, match="larger than 100 KB"):
        check_logo(
            png(1000, 1000, mode="RGB", colour=(1, 2, 3)) + b"\x00" * 200_000,
            "a.png",
            max_bytes=100 * 1024,
        )


@pytest.mark.parametrize(("width", "height"), [(9000, 9000), (60000, 60000)])
def test_a_header_claiming_huge_dimensions_is_refused_before_decoding(width, height):
    with pytest.raises(LogoError, match="far more pixels than a logo needs"):
        check_logo(png_bomb(width, height), "bomb.png")


def test_a_truncated_image_is_refused_as_damaged():
    whole = png(600, 300, mode="RGB", colour=(10, 200, 30))
    with pytest.raises(LogoError, match="damaged or incomplete"):
        check_logo(whole[: len(whole) // 2], "logo.png")
    with pytest.raises(LogoError, match="damaged or incomplete"):
        check_logo(jpeg()[:300], "logo.jpg")


def test_a_sliver_or_a_speck_is_refused():
    with pytest.raises(LogoError, match="at most 8 times as wide"):
        check_logo(png(2000, 100), "banner.png")
    with pytest.raises(LogoError, match="too small"):
        check_logo(png(12, 12), "icon.png")


def test_an_empty_file_is_refused():
    with pytest.raises(LogoError, match="empty"):
        check_logo(b"", "logo.png")
