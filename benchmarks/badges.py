#!/usr/bin/env python3
"""Badge PDFs: 1,000 A6 badges in at most 2.0 s under 200 MB; 20,000 streamed under 250 MB.

Bars on a 2-core machine. The badges are the demo event's 271 people (every ASEAN+3 script),
cycled with a counter appended to each name so that every name is new to the shaping caches,
and a random 94-character base64url token each, as the real signed tokens are.

    .venv/bin/python benchmarks/badges.py [--skip-large]
    .venv/bin/python benchmarks/badges.py --count 100000

With ``--count`` it renders only that many A6 badges, streamed to a file, and prints the
resident memory at each tenth of the run as well as the peak: flat after the fonts are loaded,
whatever the count, so the 20,000-badge bar (250 MB) applies to any count.

Each batch renders in a fresh subprocess, to a file in a temporary directory, so that peak
memory (ru_maxrss) is that run's own. "seconds", which the time bar applies to, is the
render_badges call: it includes registering the fonts (lazily, on first use, as in a fresh
worker) and writing the file. "process" is the subprocess's whole wall time, which adds
starting Python, imports (``conference/__init__.py`` imports Flask, about 0.1 s) and building
the Badge objects from the demo data; "cpu" is its CPU time (user and system), which a busy
shared machine changes less than the wall time. Also printed: QR encoding per code with the
`qrcode` package (mask pattern fixed, error correction M) and with zxing-cpp's encoder, which
the badges use, and for reference 1,000 badges on "a4-4" and 1,000 on "a6" with the `qrcode`
encoder swapped in. Exit status 1 if a bar is missed.
"""

import argparse
import csv
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from base64 import urlsafe_b64encode
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_PEOPLE = ROOT / "conference" / "demo" / "data" / "registrations.csv"

SMALL, LARGE = 1_000, 20_000
BARS = {  # (badges, layout) -> (max seconds or None, max peak MB)
    (SMALL, "a6"): (2.0, 200),
    (LARGE, "a6"): (None, 250),
}

COLOURS = {
    "Delegate": "#1f4e79",
    "Speaker": "#c0392b",
    "VIP": "#b7950b",
    "Press": "#27ae60",
    "Observer": "#8e44ad",
    "Staff": "#5d6d7e",
}
COUNTRY_NAMES = {
    "BN": "Brunei Darussalam",
    "CN": "China",
    "DE": "Germany",
    "ID": "Indonesia",
    "JP": "Japan",
    "KH": "Cambodia",
    "KR": "Republic of Korea",
    "LA": "Lao People's Democratic Republic",
    "MM": "Myanmar",
    "MY": "Malaysia",
    "PH": "Philippines",
    "SG": "Singapore",
    "TH": "Thailand",
    "VN": "Viet Nam",
}


def machine() -> str:
    try:
        cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text()).group(1)
    except (OSError, AttributeError):
        cpu = platform.processor()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, {cpu.strip()}"


def tokens(seed: int = 2024):
    """Endless random 94-character base64url tokens."""
    rng = random.Random(seed)
    while True:
        yield urlsafe_b64encode(rng.randbytes(71)).decode()[:94]


def demo_badges(count: int):
    """count Badge objects, lazily: the demo people cycled, each name made unique."""
    from conference.badges.pdf import Badge

    # The demo's people straight from its data file: importing conference.demo would load
    # the whole app (services, models, Flask-SQLAlchemy) into the process measured here.
    with DEMO_PEOPLE.open(encoding="utf-8-sig", newline="") as rows:
        people = list(csv.DictReader(rows))
    token = tokens()
    for i in range(count):
        person = people[i % len(people)]
        native = f"{person['native_name']} {i}" if person["native_name"] else ""
        yield Badge(
            event_title="ASEAN+3 Regional Learning Cities Conference 2024",
            event_dates="29–30 October 2024",
            native_name=native,
            latin_name=f"{person['title']} {person['given_name']} {person['family_name']} {i}",
            organisation=person["organisation"],
            country_name=COUNTRY_NAMES.get(person["country"], person["country"]),
            country=person["country"],
            category=person["category"],
            colour=COLOURS.get(person["category"], "#1f4e79"),
            token=next(token),
            delegation=person["delegation"],
        )


def qrcode_encoder():
    """encode_qr's equivalent with the `qrcode` package, mask pattern fixed, for comparison."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    from conference.badges.qr import QrCode

    dark_run = re.compile(rb"\x01+")

    def encode(data: str) -> QrCode:
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=4)
        code.add_data(data, optimize=0)
        code.make(fit=True)
        size = len(code.modules)
        padded = b"\x00".join(bytes(row) for row in code.modules)
        path = " ".join(
            f"{m.start() % (size + 1)} {m.start() // (size + 1)} {m.end() - m.start()} 1 re"
            for m in dark_run.finditer(padded)
        )
        return QrCode(data=data, size=size, path=path)

    return encode


def child(count: int, layout: str, path: str, encoder: str) -> None:
    """One run, in this fresh process; prints its figures as JSON."""
    started = time.perf_counter()
    from conference.badges import pdf

    if encoder == "qrcode":
        pdf.encode_qr = qrcode_encoder()
    badges = list(demo_badges(count)) if count <= SMALL else demo_badges(count)
    imported = time.perf_counter()
    resident = []  # MB at each tenth of the run

    def progress(done: int) -> None:
        if done * 10 // count > len(resident):
            resident.append(resident_mb())

    with open(path, "wb") as out:
        done = pdf.render_badges(badges, out, layout=layout, on_progress=progress)
    finished = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    pages = -(-done // pdf.LAYOUTS[layout].per_page)
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    print(
        json.dumps(
            {
                "badges": done,
                "pages": pages,
                "seconds": finished - imported,
                "setup": imported - started,
                "bytes": os.path.getsize(path),
                "peak_mb": peak,
                "cpu": usage.ru_utime + usage.ru_stime,
                "resident_mb": resident,
            }
        )
    )


def bar_for(count: int, layout: str):
    """The bar of a run: the 1,000-badge one, or for more badges the 20,000-badge one (memory
    stays flat while streaming, so it holds for any count)."""
    return BARS.get((LARGE if count > SMALL else count, layout))


def resident_mb() -> float:
    """This process's resident memory now, MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def run(count: int, layout: str, directory: str, encoder: str = "zxing-cpp") -> dict:
    path = os.path.join(directory, f"badges-{count}-{layout}-{encoder}.pdf")
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(count), layout, path, encoder],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["process"] = time.perf_counter() - started
    os.unlink(path)
    return figures


def qr_timings(count: int = 1000) -> list[tuple[str, float]]:
    """Seconds per code: encode, and turn the module matrix into the PDF path."""
    from conference.badges.qr import encode_qr

    data = [t for t, _ in zip(tokens(7), range(count), strict=False)]
    results = []
    for label, encode in [
        (f"qrcode {version('qrcode')}, mask pattern fixed, EC M", qrcode_encoder()),
        (f"zxing-cpp {version('zxing-cpp')} (used), EC M", encode_qr),
    ]:
        encode(data[0])
        started = time.perf_counter()
        for text in data:
            encode(text)
        results.append((label, (time.perf_counter() - started) / count))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-large", action="store_true", help="skip the 20,000-badge run")
    parser.add_argument(
        "--count", type=int, help="render only this many A6 badges, streamed (e.g. 100000)"
    )
    parser.add_argument(
        "--child", nargs=4, metavar=("COUNT", "LAYOUT", "PATH", "ENCODER"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        count, layout, path, encoder = args.child
        child(int(count), layout, path, encoder)
        return 0

    print(f"machine: {machine()}")
    if args.count:
        runs = [(args.count, "a6", "zxing-cpp")]
    else:
        print("QR encoding, encode + module path (per code, per 1,000 codes):")
        for label, seconds in qr_timings():
            print(f"  {label:<45} {seconds * 1000:6.2f} ms  {seconds * 1000:6.2f} s")
        runs = [(SMALL, "a6", "zxing-cpp")]
        if not args.skip_large:
            runs.append((LARGE, "a6", "zxing-cpp"))
        runs += [(SMALL, "a4-4", "zxing-cpp"), (SMALL, "a6", "qrcode")]
    print(
        f"{'badges':>7} {'layout':<6} {'seconds':>8} {'cpu':>8} {'process':>8} {'pages/s':>8} "
        f"{'bytes':>11} {'peak MB':>8}  result"
    )
    failed = False
    with tempfile.TemporaryDirectory() as directory:
        for count, layout, encoder in runs:
            f = run(count, layout, directory, encoder)
            bar = bar_for(count, layout) if encoder == "zxing-cpp" else None
            if bar is None:
                verdict = "reference" + (" (qrcode encoder)" if encoder == "qrcode" else "")
            else:
                max_seconds, max_mb = bar
                ok = f["peak_mb"] < max_mb and (max_seconds is None or f["seconds"] <= max_seconds)
                failed |= not ok
                limits = ([f"<= {max_seconds} s"] if max_seconds else []) + [f"< {max_mb} MB"]
                verdict = f"{'PASS' if ok else 'FAIL'} ({', '.join(limits)})"
            print(
                f"{f['badges']:>7} {layout:<6} {f['seconds']:>8.2f} {f['cpu']:>8.2f} "
                f"{f['process']:>8.2f} {f['pages'] / f['seconds']:>8.0f} {f['bytes']:>11,} "
                f"{f['peak_mb']:>8.0f}  {verdict}"
            )
            if args.count:
                tenths = " ".join(f"{mb:.0f}" for mb in f["resident_mb"])
                print(f"  resident MB at each tenth of the run: {tenths}")
    print("badges: " + ("FAIL: a bar was missed" if failed else "PASS: every bar met"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
