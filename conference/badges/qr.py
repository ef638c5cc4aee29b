"""QR codes for badges, the one encoder: a token in, the module matrix out, drawn as one
vector path on the printed badge (PDF) and on the delegate's "my badge" page (SVG).

Error correction M (a scuffed or creased badge still scans) and a 4-module quiet zone, which
the caller keeps clear: :func:`symbol_width` says how large a code fits a given clear
square. The matrix comes from zxing-cpp's encoder, which also chooses the best mask pattern;
it is about twice as fast as the ``qrcode`` package even with qrcode's mask search skipped
(docs/decisions/0002-qr-encoder.md; ``benchmarks/qr_encoders.py`` measures both). Each row's
runs of dark modules become rectangles, filled as a single path in module units, so the code
stays sharp at any zoom and in every viewer and costs a few hundred bytes.
"""

import re
from dataclasses import dataclass

import zxingcpp

__all__ = [
    "ERROR_CORRECTION",
    "QUIET_ZONE",
    "QrCode",
    "draw_qr",
    "encode_qr",
    "qr_svg",
    "symbol_width",
]

ERROR_CORRECTION = "M"
QUIET_ZONE = 4  # modules of light margin on every side, as ISO/IEC 18004 requires

_DARK_RUN = re.compile(rb"\x00+")  # zxing-cpp's image: 0 is dark, 255 light


@dataclass(frozen=True)
class QrCode:
    """A QR symbol: its side in modules and its dark modules as PDF path operators."""

    data: str
    size: int  # modules per side, without the quiet zone (41 for version 6)
    path: str  # "column row length 1 re" for each run of dark modules, y pointing down


def encode_qr(data: str) -> QrCode:
    """The QR symbol for the text, at error correction M, in the smallest version that fits."""
    if not data:
        raise ValueError("a QR code needs some content; the badge token is empty")
    barcode = zxingcpp.create_barcode(
        data, zxingcpp.BarcodeFormat.QRCode, ec_level=ERROR_CORRECTION
    )
    image = barcode.to_image(scale=1, add_quiet_zones=False)
    height, width = image.shape
    pixels = bytes(memoryview(image))
    # One light byte after each row, so that one scan finds every row's runs and none spans
    # two rows; each run becomes one rectangle.
    stride = width + 1
    padded = b"\xff".join(pixels[row * width : (row + 1) * width] for row in range(height))
    path = " ".join(
        f"{m.start() % stride} {m.start() // stride} {m.end() - m.start()} 1 re"
        for m in _DARK_RUN.finditer(padded)
    )
    return QrCode(data=data, size=width, path=path)


def symbol_width(zone_width: float, size: int) -> float:
    """How wide a symbol of `size` modules may be so that it and its quiet zone fill zone_width."""
    return zone_width * size / (size + 2 * QUIET_ZONE)


def draw_qr(canvas, code: QrCode, x: float, y: float, width: float) -> None:
    """Draw the symbol (without its quiet zone) with its lower left corner at (x, y).

    Pure black on whatever is below: the caller keeps the quiet zone around it light.
    """
    module = width / code.size
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.transform(module, 0, 0, -module, x, y + width)
    canvas.addLiteral(f"{code.path} f")
    canvas.restoreState()


def qr_svg(data: str) -> str:
    """The symbol and its quiet zone as an inline SVG (no image request): one path of the
    same runs the PDF draws, crisp at any size."""
    code = encode_qr(data)
    size = code.size + 2 * QUIET_ZONE
    numbers = code.path.split()
    # The path is "x y length 1 re" per run: five words each.
    runs = zip(numbers[0::5], numbers[1::5], numbers[2::5], strict=True)
    path = "".join(f"M{int(x) + QUIET_ZONE} {int(y) + QUIET_ZONE}h{n}v1h-{n}z" for x, y, n in runs)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges" role="img" aria-label="Badge QR code">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    )
