"""Badges of an event with a brand: its band at the top, with its logo and name, in its
colour; everything still fits, reads and scans, whatever colour the event chose."""

import io
import subprocess

import pikepdf
import pytest
from PIL import Image

from conference.badges.pdf import LAYOUTS, Box, back_face, front_face, render_badges_bytes
from conference.events.brand import AA, Brand, contrast, palette_for
from conference.events.logos import check_logo
from tests.badges.test_pdf import assert_fits, decoded, make_badge, rasterise
from tests.factories.events import logo_png


def brand(colour: str | None = "#1f3a5f", logo: tuple[int, int] | None = (480, 160)) -> Brand:
    palette = palette_for(colour or "#1f4e79")
    if logo is None:
        return Brand(palette, colour_chosen=colour is not None)
    checked = check_logo(logo_png(*logo), "logo.png")
    return Brand(
        palette,
        colour_chosen=colour is not None,
        logo=checked.data,
        logo_type=checked.mime_type,
        logo_size=(checked.width, checked.height),
    )


BRANDS = {
    "dark with a logo": brand("#1f3a5f"),
    "light with a wide logo": brand("#ffd700", (900, 150)),
    "mid-tone, a tall logo": brand("#7c7c7c", (200, 400)),
    "pale, no logo": brand("#f4f4f4", None),
    "a logo, the site's colour": brand(None),
}


def hex_of(colour) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in colour.rgb())


def assert_header_fits(face, chosen: Brand) -> None:
    header = face.header
    assert header is not None
    assert face.safe.contains(header)
    assert header.y >= face.band.top  # the category band below it, apart
    assert not header.overlaps(face.qr_zone)
    assert hex_of(face.header_colour) == chosen.primary
    titles = [line for line in face.lines if line.role == "event"]
    assert titles, "the header names the event"
    for line in titles:
        assert header.contains(line.ink()), line.text
        assert contrast(hex_of(line.colour), chosen.primary) >= AA
        if face.logo_plate is not None:
            assert not line.ink().overlaps(face.logo_plate), line.text
    if chosen.logo is None:
        assert face.logo is None and face.logo_plate is None
    else:
        assert header.contains(face.logo_plate) and face.logo_plate.contains(face.logo)
        width, height = chosen.logo_size
        assert face.logo.width / face.logo.height == pytest.approx(width / height, rel=1e-6)


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("name", list(BRANDS))
def test_every_layout_has_room_for_the_events_band_and_everything_else(layout, name):
    chosen = BRANDS[name]
    for n in (0, 1, 2, 3, 4, 5):
        for make in (front_face, back_face):
            face = make(make_badge(n), layout, brand=chosen)
            assert_fits(face)
            assert_header_fits(face, chosen)


def test_the_back_names_the_event_in_its_band_only():
    face = back_face(make_badge(0), "a6", brand=BRANDS["dark with a logo"])
    assert [line.role for line in face.lines].count("event") >= 1
    assert all(face.header.contains(line.ink()) for line in face.lines if line.role == "event")


def test_without_a_brand_the_badge_is_as_it_always_was():
    for chosen in (None, Brand()):
        face = front_face(make_badge(0), "a6", brand=chosen)
        plain = front_face(make_badge(0), "a6")
        assert (face.lines, face.band, face.qr_zone) == (plain.lines, plain.band, plain.qr_zone)
        assert face.header is None and face.logo is None


def images(pdf: bytes) -> list[tuple[int, int]]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return [
            (int(obj.Width), int(obj.Height))
            for obj in document.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
        ]


def test_the_logo_is_embedded_once_for_every_badge_and_side():
    chosen = BRANDS["dark with a logo"]
    pdf = render_badges_bytes(
        [make_badge(n) for n in range(9)], layout="a4-8", back_side=True, brand=chosen
    )
    # The logo and its transparency mask, once, though 18 faces show it.
    assert images(pdf) == [(480, 160), (480, 160)]
    assert images(render_badges_bytes([make_badge(0)], layout="a6")) == []


@pytest.mark.parametrize("name", ["dark with a logo", "light with a wide logo", "pale, no logo"])
def test_branded_badges_still_scan_and_show_the_colour_and_the_logo(name, tmp_path):
    chosen = BRANDS[name]
    pdf = render_badges_bytes([make_badge(n) for n in range(4)], layout="a4-4", brand=chosen)
    [page] = rasterise(pdf, tmp_path)
    assert len(decoded(page)) == 4
    source = tmp_path / "colour.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "72", "-png", str(source), str(tmp_path / "rgb")], check=True)
    [png] = sorted(tmp_path.glob("rgb-*.png"))
    with Image.open(png) as image:
        rgb = image.convert("RGB")
        face = front_face(make_badge(0), "a4-4", brand=chosen)
        header: Box = face.header
        # Just inside the band's right end, clear of the name: the event's colour.
        x = LAYOUTS["a4-4"].positions()[0][0] + header.right - 3
        y = LAYOUTS["a4-4"].positions()[0][1] + header.y + header.height / 2
        pixel = rgb.getpixel((round(x), round(rgb.height - y)))
        assert "#" + "".join(f"{c:02x}" for c in pixel) == chosen.primary
        if chosen.logo is not None:  # the amber ring of the logo's mark, drawn on its plate
            logo = face.logo
            lx = LAYOUTS["a4-4"].positions()[0][0] + logo.x + logo.height * 0.2
            ly = LAYOUTS["a4-4"].positions()[0][1] + logo.y + logo.height / 2
            r, g, b = rgb.getpixel((round(lx), round(rgb.height - ly)))
            assert r > 150 and b < 120, (r, g, b)
