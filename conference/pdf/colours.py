"""The house colours of the printed documents (letters, programme, book of abstracts)."""

from reportlab.lib.colors import HexColor

INK = HexColor("#1a1a1a")  # body text
ACCENT = HexColor("#1f3a5f")  # headings, the event's blue
MUTED = HexColor("#5f6b7a")  # secondary text: organisations, times
RULE = HexColor("#c3c9d1")  # hairlines between items
