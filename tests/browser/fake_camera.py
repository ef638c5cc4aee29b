"""A fake camera for Chromium: a printed badge's QR code as a YUV4MPEG2 (.y4m) video.

Chromium's ``--use-file-for-fake-video-capture`` plays such a file in a loop as the camera.
The badge is the real one (PDF from the badge renderer, rasterised by pdftoppm), so the
scanner page reads exactly what a phone would see on the printed badge.
"""

import io
import subprocess
from pathlib import Path

import zxingcpp
from PIL import Image

WIDTH, HEIGHT = 640, 480


def badge_qr_image(pdf: bytes, dpi: int = 100) -> Image.Image:
    """The QR code of the first badge in the PDF, cropped with its quiet zone."""
    png = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    page = Image.open(io.BytesIO(png)).convert("RGB")
    found = zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.QRCode)
    assert found, "the rendered badge has no readable QR code"
    at = found[0].position
    corners = (at.top_left, at.top_right, at.bottom_left, at.bottom_right)
    xs, ys = [p.x for p in corners], [p.y for p in corners]
    margin = (max(xs) - min(xs)) // 8
    box = (min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin)
    return page.crop(box)


def frame_with(qr: Image.Image, size: int = 380) -> Image.Image:
    """A 640x480 white frame with the QR code in the middle, as a camera would frame it."""
    frame = Image.new("RGB", (WIDTH, HEIGHT), "white")
    scaled = qr.resize((size, size), Image.Resampling.NEAREST)
    frame.paste(scaled, ((WIDTH - size) // 2, (HEIGHT - size) // 2))
    return frame


def _yuv420(image: Image.Image) -> bytes:
    # Pillow's YCbCr is the JPEG (full-range) one: hence C420jpeg in the header.
    y, cb, cr = image.convert("YCbCr").split()
    half = (image.width // 2, image.height // 2)
    return (
        y.tobytes()
        + cb.resize(half, Image.Resampling.BOX).tobytes()
        + cr.resize(half, Image.Resampling.BOX).tobytes()
    )


def write_y4m(path: Path, frames: list[Image.Image], fps: int = 5) -> Path:
    """Write the frames as an uncompressed YUV4MPEG2 video."""
    width, height = frames[0].size
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for frame in frames:
            out.write(b"FRAME\n")
            out.write(_yuv420(frame))
    return path


def badge_video(path: Path, pdf: bytes, shown: int = 5, hidden: int = 8, fps: int = 5) -> Path:
    """A looping video: the badge held up for ``shown`` frames, then taken away."""
    badge = frame_with(badge_qr_image(pdf))
    blank = Image.new("RGB", (WIDTH, HEIGHT), "white")
    return write_y4m(path, [badge] * shown + [blank] * hidden, fps=fps)
