#!/usr/bin/env python3
"""QR encoders for badges: 2,000 badge tokens encoded by each candidate, per code.

    .venv/bin/python benchmarks/qr_encoders.py [--count 2000]

Each candidate goes from a token to what a badge draws: the module matrix turned into runs
of dark modules (the PDF path). "zxing-cpp" is ``conference.badges.qr.encode_qr`` as the
badges use it; "qrcode, best mask" is the `qrcode` package as the "my badge" page used it
(it tries all eight mask patterns, as the standard asks); "qrcode, mask fixed" skips that
search, the fastest `qrcode` can be (its symbols are then not the standard's best mask).
Tokens are random 94-character base64url strings, the length of the real signed tokens.
The last line is the fastest candidate.
"""

import argparse
import random
import re
import sys
import time
from base64 import urlsafe_b64encode
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

_DARK = re.compile(rb"\x01+")


def qrcode_encoder(mask_pattern=None):
    """Token to PDF path with the `qrcode` package (error correction M, like the badges)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    def encode(data: str) -> str:
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=mask_pattern)
        code.add_data(data)
        code.make(fit=True)
        size = len(code.modules)
        padded = b"\x00".join(bytes(row) for row in code.modules)
        return " ".join(
            f"{m.start() % (size + 1)} {m.start() // (size + 1)} {m.end() - m.start()} 1 re"
            for m in _DARK.finditer(padded)
        )

    return encode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    count = parser.parse_args().count

    from conference.badges.qr import encode_qr

    rng = random.Random(2024)
    tokens = [urlsafe_b64encode(rng.randbytes(70)).decode() for _ in range(count)]
    candidates = [
        (f"zxing-cpp {version('zxing-cpp')}", encode_qr),
        (f"qrcode {version('qrcode')}, best mask", qrcode_encoder()),
        (f"qrcode {version('qrcode')}, mask fixed", qrcode_encoder(mask_pattern=4)),
    ]
    timings = []
    for label, encode in candidates:
        encode(tokens[0])  # imports and first-use set-up are not the encoder's speed
        started = time.perf_counter()
        for token in tokens:
            encode(token)
        per_code = (time.perf_counter() - started) / count
        timings.append((per_code, label))
        print(f"{label:<32} {per_code * 1000:6.2f} ms a code, {per_code * count:5.2f} s in all")
    best = min(timings)
    print(f"fastest: {best[1]} ({best[0] * 1000:.2f} ms a code, {count} codes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
