"""The house colours of the printed documents (letters, programme, book of abstracts), and
reading and comparing the colours organisers choose (badges' categories, certificates)."""

import re
from functools import lru_cache

from reportlab.lib.colors import Color, HexColor, white

INK = HexColor("#1a1a1a")  # body text
ACCENT = HexColor("#1f3a5f")  # headings, the event's blue
MUTED = HexColor("#5f6b7a")  # secondary text: organisations, times
RULE = HexColor("#c3c9d1")  # hairlines between items

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


@lru_cache(maxsize=64)
def parse_colour(value: str, what: str = "colour") -> Color:
    """'#1f4e79' (or '1f4e79', '#17a') as a colour; ValueError naming ``what`` otherwise."""
    match = _HEX.fullmatch((value or "").strip())
    if not match:
        raise ValueError(f"{what} must look like '#1f4e79', not {value!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return HexColor("#" + digits)


def luminance(colour: Color) -> float:
    """WCAG relative luminance."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.red)
        + 0.7152 * channel(colour.green)
        + 0.0722 * channel(colour.blue)
    )


def contrast(a: Color, b: Color = white) -> float:
    """WCAG contrast ratio of two colours (1 to 21); against white by default."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
