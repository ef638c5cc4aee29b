"""One QR encoder for the printed badge (PDF path) and the "my badge" page (SVG)."""

import re

import zxingcpp
from PIL import Image, ImageDraw

from conference.badges.qr import QUIET_ZONE, encode_qr, qr_svg

TOKEN = "AQAAAAEAAAACAAAAAw" + "x" * 76  # as long as a signed badge token

_RUN = re.compile(r"M(\d+) (\d+)h(\d+)v1h-\3z")


def svg_runs(svg: str) -> list[tuple[int, int, int]]:
    path = re.search(r'<path d="([^"]*)"', svg).group(1)
    runs = [tuple(map(int, m.groups())) for m in _RUN.finditer(path)]
    assert "".join(m.group(0) for m in _RUN.finditer(path)) == path  # nothing else in it
    return runs


def test_the_svg_draws_the_same_modules_as_the_pdf():
    code = encode_qr(TOKEN)
    numbers = [int(n) for n in code.path.replace(" 1 re", "").split()]
    pdf_runs = list(zip(numbers[0::3], numbers[1::3], numbers[2::3], strict=True))
    shifted = [(x - QUIET_ZONE, y - QUIET_ZONE, n) for x, y, n in svg_runs(qr_svg(TOKEN))]
    assert shifted == pdf_runs


def test_the_svg_scans_back_to_the_token():
    svg = qr_svg(TOKEN)
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    assert size == encode_qr(TOKEN).size + 2 * QUIET_ZONE  # the quiet zone is inside
    scale = 6
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, n in svg_runs(svg):
        draw.rectangle((x * scale, y * scale, (x + n) * scale - 1, (y + 1) * scale - 1), fill=0)
    assert zxingcpp.read_barcode(image).text == TOKEN
