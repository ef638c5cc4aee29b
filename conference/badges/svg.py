"""A QR code as an inline SVG, for the delegate's "my badge" page (no image request)."""

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code's modules (error correction M), without the quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def qr_svg(text: str, quiet_zone: int = 4) -> str:
    """An SVG of the code: one path of merged horizontal runs, crisp at any size."""
    matrix = qr_matrix(text)
    size = len(matrix) + 2 * quiet_zone
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start + quiet_zone} {y + quiet_zone}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges" role="img" aria-label="Badge QR code">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{"".join(parts)}" fill="#000"/></svg>'
    )
