"""An event's colour: read strictly, and every colour derived from it keeps text readable."""

import itertools
import re

import pytest

from conference.events.brand import (
    AA,
    BLACK,
    DEFAULT_PALETTE,
    INK,
    WHITE,
    ColourError,
    contrast,
    palette_for,
    parse_colour,
    stylesheet,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("#1F4E79", "#1f4e79"), ("1f4e79", "#1f4e79"), (" #abc ", "#aabbcc"), ("FFF", "#ffffff")],
)
def test_a_colour_is_read_in_the_usual_spellings_and_stored_as_rrggbb(typed, stored):
    assert parse_colour(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "red", "#12345", "#ggg000", "#1f4e79;}", "url(x)", "#1f4e7900", "rgb(1,2,3)"]
)
def test_anything_else_is_refused_with_an_example(typed):
    with pytest.raises(ColourError, match="#1f4e79"):
        palette_for(typed)


def test_contrast_is_wcags_ratio():
    assert contrast(WHITE, BLACK) == pytest.approx(21)
    assert contrast("#767676", WHITE) == pytest.approx(4.54, abs=0.01)  # the known AA grey
    assert contrast("#1f4e79", "#1f4e79") == 1


# Every 17th value of each channel: 4,096 colours from black to white, pale to saturated.
STEPS = range(0, 256, 17)
SWEEP = [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in itertools.product(STEPS, STEPS, STEPS)]


def test_every_colour_gets_text_of_at_least_4_5_to_1_on_it_on_its_shade_and_on_white():
    for colour in SWEEP:
        p = palette_for(colour)
        assert contrast(p.on_primary, p.primary) >= AA, colour
        assert contrast(p.on_primary, p.shade) >= contrast(p.on_primary, p.primary) - 1e-9, colour
        assert contrast(p.text, WHITE) >= AA, colour


def test_the_sites_blue_keeps_white_text_and_is_its_own_link_colour():
    p = palette_for("#1f4e79")
    assert p == DEFAULT_PALETTE
    assert (p.on_primary, p.text, p.edge) == (WHITE, "#1f4e79", "#1f4e79")
    assert p.notes == ()
    assert "white" in p.summary() and "8." in p.summary()


def test_a_light_colour_gets_dark_text_and_darker_links_and_the_organiser_is_told():
    p = palette_for("#ffd700")  # gold: white text on it would be 1.4:1
    assert p.on_primary == INK
    assert contrast(p.text, WHITE) >= AA and p.text != p.primary
    assert any(p.text in note and "links" in note for note in p.notes)


def test_a_mid_tone_where_near_black_falls_short_gets_pure_black():
    # #7c7c7c: white 4.2:1, near-black 4.2:1; only pure black reaches 4.5:1 (5.0:1).
    p = palette_for("#7c7c7c")
    assert p.on_primary == BLACK
    assert contrast(BLACK, "#7c7c7c") >= AA
    assert any("pure black" in note for note in p.notes)


def test_a_pale_colour_gets_an_outline_that_shows_on_white():
    p = palette_for("#fafafa")
    assert p.edge != p.primary and contrast(p.edge, WHITE) > contrast(p.primary, WHITE)
    assert any("outline" in note for note in p.notes)


def test_the_stylesheet_holds_only_the_derived_colours():
    css = stylesheet(palette_for("#ffd700"))
    assert "--brand: #ffd700;" in css
    assert "--brand-on: #1a1a1a;" in css
    assert "--bs-primary-rgb: 255, 215, 0;" in css
    values = re.findall(r"--[\w-]+:\s*([^;]+);", css)
    for value in values:
        assert re.fullmatch(r'#[0-9a-f]{6}|\d+, \d+, \d+|url\("data:image/svg\+xml,[^"]+"\)', value)
