"""An event's brand: its colour, the colours derived from it, its logo. No Flask, no database.

An organiser chooses one colour, the primary. Everything else is derived from it so that
text stays readable (WCAG 2 AA, a contrast of at least 4.5:1) whatever was chosen:

- ``on_primary``: the text on the colour (bands, the navbar, buttons): white or near-black,
  whichever contrasts more, or pure black in the narrow range of mid-tones where near-black
  falls short (black or white reaches at least 4.58:1 on any colour, so no colour has to be
  refused: it is adjusted, and the organiser is told);
- ``shade``: hover and pressed buttons, the end of the event page's gradient: the colour
  moved away from its text colour, so the text contrasts at least as much on it;
- ``text``: the colour as text on white (links, outlined buttons): the colour itself when it
  reaches 4.5:1 on white, else darkened until it does;
- ``edge``: a darker outline for a pale colour that would vanish on white (paper, page).

:func:`stylesheet` writes the per-event stylesheet (CSS custom properties only, which the
static stylesheets use), and :class:`Brand` is what badges, certificates and e-mails are
given (``conference.events.branding.event_brand`` makes one from an event).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

DEFAULT_PRIMARY = "#1f4e79"  # the site's own colour (static/css/app.css, --brand)
WHITE = "#ffffff"
INK = "#1a1a1a"  # near-black text, as on the badges
BLACK = "#000000"
AA = 4.5  # WCAG 2 AA, normal text
PALE = 1.6  # below this contrast with white, a band needs an outline to be seen on paper

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


class ColourError(ValueError):
    """The value is not a colour written as #RRGGBB (or #RGB)."""


def parse_colour(value: str) -> str:
    """The colour as ``#rrggbb`` (lower case) from ``#RRGGBB``, ``#RGB`` or either without
    the ``#``; ColourError for anything else."""
    match = _HEX.fullmatch((value or "").strip())
    if not match:
        raise ColourError(
            f"“{value}” is not a colour: write it as # and six hexadecimal digits, like #1f4e79."
        )
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return "#" + digits


def rgb(colour: str) -> tuple[int, int, int]:
    """The 0-255 channels of a ``#rrggbb`` colour."""
    value = parse_colour(colour)
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def _hex(channels) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in channels)


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance, 0 (black) to 1 (white)."""

    def linear(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = rgb(colour)
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(colour: str, towards: str, amount: float) -> str:
    """The colour moved ``amount`` (0 to 1) of the way towards another, channel by channel."""
    return _hex(a + (b - a) * amount for a, b in zip(rgb(colour), rgb(towards), strict=True))


def readable_text_on(colour: str) -> str:
    """White or near-black, whichever contrasts more with the colour; pure black where
    near-black would stay under 4.5:1 (mid-tones around #8a8a8a)."""
    best = max((WHITE, INK), key=lambda text: contrast(text, colour))
    if contrast(best, colour) >= AA:
        return best
    return BLACK  # white falls short only above luminance 0.18, where black gives 4.67:1


def darkened_for_white(colour: str) -> str:
    """The colour itself if it reads as text on white (4.5:1), else the lightest darker
    shade of it that does."""
    if contrast(colour, WHITE) >= AA:
        return colour
    for step in range(1, 21):
        candidate = mix(colour, BLACK, step * 0.05)
        if contrast(candidate, WHITE) >= AA:
            return candidate
    return BLACK  # not reached: black is 21:1


def _describe(text: str) -> str:
    return {WHITE: "white", INK: "near-black", BLACK: "black"}.get(text, text)


@dataclass(frozen=True)
class Palette:
    """The colours of an event's pages, e-mails and printed matter, derived from one."""

    primary: str  # bands, the navbar, buttons
    on_primary: str  # text on primary, at least 4.5:1
    shade: str  # hover/pressed buttons and gradients; on_primary reads on it as well
    text: str  # the primary as text on white (links), at least 4.5:1 on white
    edge: str  # an outline that shows the primary on white
    notes: tuple[str, ...] = ()  # what was adjusted, in words for the organiser

    @property
    def text_contrast(self) -> float:
        """How much the text on the primary contrasts with it."""
        return contrast(self.on_primary, self.primary)

    def summary(self) -> str:
        """One sentence on how the colour is used, for the organiser."""
        return (
            f"Text on {self.primary} is {_describe(self.on_primary)} "
            f"(contrast {self.text_contrast:.1f}:1; at least {AA:g}:1 is needed)."
        )


def palette_for(colour: str) -> Palette:
    """The palette derived from a primary colour (ColourError if it is not one)."""
    primary = parse_colour(colour)
    on_primary = readable_text_on(primary)
    notes = []
    if on_primary == BLACK:
        notes.append(
            f"Near-black text on {primary} would only reach "
            f"{contrast(INK, primary):.1f}:1, so text on it is pure black "
            f"({contrast(BLACK, primary):.1f}:1)."
        )
    # Away from the text colour: darker under white text, lighter under dark text.
    shade = mix(primary, BLACK, 0.18) if on_primary == WHITE else mix(primary, WHITE, 0.25)
    text = darkened_for_white(primary)
    if text != primary:
        notes.append(
            f"{primary} is too light to read as text on white "
            f"({contrast(primary, WHITE):.1f}:1), so links and outlined buttons use the "
            f"darker {text} ({contrast(text, WHITE):.1f}:1)."
        )
    edge = primary if contrast(primary, WHITE) >= PALE else mix(primary, BLACK, 0.3)
    if edge != primary:
        notes.append(f"{primary} is pale on white, so bands made of it get a {edge} outline.")
    return Palette(primary, on_primary, shade, text, edge, tuple(notes))


DEFAULT_PALETTE = palette_for(DEFAULT_PRIMARY)


@dataclass(frozen=True)
class Brand:
    """What an event looks like: its palette (the site's own when none was chosen) and
    its logo, re-encoded PNG or JPEG bytes, with its size in pixels and where it is stored."""

    palette: Palette = DEFAULT_PALETTE
    colour_chosen: bool = False
    logo: bytes | None = field(default=None, repr=False)
    logo_type: str = ""  # "image/png" or "image/jpeg"
    logo_size: tuple[int, int] | None = None  # (width, height) in pixels
    logo_path: Path | None = None  # the stored file, for those who want a path

    @property
    def primary(self) -> str:
        return self.palette.primary

    @property
    def on_primary(self) -> str:
        return self.palette.on_primary

    @property
    def is_default(self) -> bool:
        """Neither a colour nor a logo: print and show as the site always did."""
        return not self.colour_chosen and self.logo is None


def _svg_toggler(colour: str) -> str:
    """Bootstrap's menu icon (three bars) in the colour, as a data: URL."""
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 30 30'>"
        f"<path stroke='{colour}' stroke-linecap='round' stroke-miterlimit='10' "
        "stroke-width='2' d='M4 7h22M4 15h22M4 23h22'/></svg>"
    )
    return "data:image/svg+xml," + quote(svg, safe="/:='")


def stylesheet(palette: Palette) -> str:
    """The per-event stylesheet: custom properties on ``.branded``, which the static
    stylesheets read (static/css/app.css). Only colours this module wrote go in."""
    p = palette
    r, g, b = rgb(p.primary)
    tr, tg, tb = rgb(p.text)
    hover = p.shade if p.text == p.primary else mix(p.text, BLACK, 0.2)
    hr, hg, hb = rgb(hover)
    lines = [
        "/* An event's colours (conference/events/brand.py); static/css/app.css uses them. */",
        ".branded {",
        f"  --brand: {p.primary};",
        f"  --brand-rgb: {r}, {g}, {b};",
        f"  --brand-dark: {p.shade};",
        f"  --brand-on: {p.on_primary};",
        f"  --brand-text: {p.text};",
        f"  --brand-edge: {p.edge};",
        f'  --brand-toggler: url("{_svg_toggler(p.on_primary)}");',
        f"  --bs-primary: {p.primary};",
        f"  --bs-primary-rgb: {r}, {g}, {b};",
        f"  --bs-link-color: {p.text};",
        f"  --bs-link-color-rgb: {tr}, {tg}, {tb};",
        f"  --bs-link-hover-color: {hover};",
        f"  --bs-link-hover-color-rgb: {hr}, {hg}, {hb};",
        "}",
    ]
    return "\n".join(lines) + "\n"
