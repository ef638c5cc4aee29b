"""Golden images: A6 badges with names in every script look exactly as reviewed.

Each page is rendered with poppler at 100 dpi in greyscale and compared with the reviewed
reference PNG in ``tests/badges/golden/``. Pixels "differ" when they differ by more than a
quarter of the grey scale. A page passes when fewer than 0.5 % of its pixels differ and, once
the map of differing pixels is eroded by one pixel (a 3 x 3 minimum filter), at most 12 are
left. The erosion removes the one-pixel fringes that other anti-aliasing or hinting leaves
along every edge, and keeps any solid blob: a Thai tone mark left out or put in the wrong
place (26 and 59 pixels), a box instead of a glyph, a moved line. On failure the actual
render and a difference image are saved in ``test-artifacts/`` (at the repository root,
ignored by git) for inspection.

To regenerate the references after a deliberate design change, run

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/badges/test_golden.py

then LOOK at every PNG in ``tests/badges/golden/`` (Thai, Khmer, Lao and Burmese marks
stacked, no empty boxes, nothing cut or overlapping) before committing them.
"""

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFilter

from conference.badges.pdf import Badge, render_badges_bytes

GOLDEN = Path(__file__).with_name("golden")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DPI = 100
PIXEL_THRESHOLD = 64  # of 255
MAX_DIFFERING = 0.005  # fraction of the page
MAX_SOLID = 12  # differing pixels left after eroding the map of differences by one pixel
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

EVENT = "ASEAN+3 Regional Learning Cities Conference 2024"
DATES = "29–30 October 2024"

COUNTRY_NAMES = {"MY": "Malaysia", "VN": "Viet Nam", "TH": "Thailand", "KH": "Cambodia",
                 "LA": "Lao People's Democratic Republic", "MM": "Myanmar", "CN": "China",
                 "JP": "Japan", "KR": "Republic of Korea"}  # fmt: skip
COLOURS = {"Press": "#27ae60", "Delegate": "#1f4e79", "Speaker": "#c0392b", "Observer": "#8e44ad",
           "VIP": "#f1c40f", "Staff": "#e0e0e0"}  # fmt: skip

# reference name: (native name, Latin name, organisation, delegation, country, category)
CASES = {
    "latin": ("", "Ms Aina Zulaikha Roslan", "Bernama", "", "MY", "Press"),
    "vietnamese": ("Hà Trung Chiến", "Mr Trung Chiến Hà", "Son La City People's Committee",
                   "Son La City", "VN", "Delegate"),
    "thai": ("ศักดิ์ชัย ทองดี", "Mr Sakchai Thongdee", "Bangkok Metropolitan Administration", "",
             "TH", "Speaker"),
    "khmer": ("អ៊ុក វណ្ណា", "Mr Vanna Ouk", "Siem Reap Provincial Administration", "Siem Reap",
              "KH", "Delegate"),
    "lao": ("ບຸນທະວີ ໄຊຍະວົງ", "Mr Bounthavy Sayavong", "Luang Prabang Provincial Administration",
            "Luang Prabang", "LA", "Observer"),
    "burmese": ("ထွန်းထွန်းနိုင်", "Mr Tun Tun Naing", "Mandalay City Development Committee",
                "Mandalay City", "MM", "Delegate"),
    "chinese": ("王晓明", "Mr Xiaoming Wang", "Beijing Municipal Education Commission", "Beijing",
                "CN", "VIP"),
    "japanese": ("木村 正人", "Mr Masato Kimura", "大津市", "Ohtsu City", "JP", "Staff"),
    "korean": ("김수현", "Ms Soohyun Kim", "UNESCO Bangkok", "", "KR", "VIP"),
    "mixed": ("Dr. ศักดิ์ชัย (ស្រី) 王", "Dr Sakchai Srey Wang",
              "Mekong Institute · ສະຖາບັນແມ່ນ້ຳຂອງ", "", "TH", "Speaker"),
}  # fmt: skip


def token(name: str) -> str:
    """A fixed token of the real length, so the QR code is the same on every run."""
    return (name.upper() + "-golden_" * 12)[:94]


def badge(name: str) -> Badge:
    native, latin, organisation, delegation, country, category = CASES[name]
    return Badge(
        event_title=EVENT,
        event_dates=DATES,
        native_name=native,
        latin_name=latin,
        organisation=organisation,
        country_name=COUNTRY_NAMES[country],
        country=country,
        category=category,
        colour=COLOURS[category],
        token=token(name),
        delegation=delegation,
    )


def pages(pdf: bytes) -> list[Image.Image]:
    """Each page as a greyscale image, rendered by poppler."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "badges.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(DPI), "-gray", "-png", str(source), str(Path(tmp) / "p")],
            check=True,
        )
        return [Image.open(p).convert("L") for p in sorted(Path(tmp).glob("p-*.png"))]


@pytest.fixture(scope="module")
def rendered() -> dict[str, Image.Image]:
    """Every golden page, rendered once: the fronts of all cases, and one back."""
    fronts = pages(render_badges_bytes([badge(name) for name in CASES], layout="a6"))
    _, back = pages(render_badges_bytes([badge("thai")], back_side=True))
    images = dict(zip(CASES, fronts, strict=True))
    images["thai-back"] = back
    return images


def save_reference(image: Image.Image, path: Path) -> None:
    # Sixteen grey levels keep the files small and are plenty for a comparison at 64/255.
    image.point(lambda v: min(255, (v + 8) // 17 * 17)).save(path, optimize=True, bits=4)


@pytest.mark.parametrize("name", [*CASES, "thai-back"])
def test_badge_matches_the_reviewed_reference(rendered, name):
    actual = rendered[name]
    reference_path = GOLDEN / f"a6-{name}.png"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        save_reference(actual, reference_path)
        return
    assert reference_path.exists(), f"no reference {reference_path}: run with UPDATE_GOLDEN=1"
    reference = Image.open(reference_path).convert("L")
    assert actual.size == reference.size
    difference = ImageChops.difference(actual, reference)
    mask = difference.point(lambda v: 255 if v > PIXEL_THRESHOLD else 0)
    fraction = mask.histogram()[255] / (actual.width * actual.height)
    solid = mask.filter(ImageFilter.MinFilter(3)).histogram()[255]
    if fraction >= MAX_DIFFERING or solid > MAX_SOLID:
        ARTIFACTS.mkdir(exist_ok=True)
        actual.save(ARTIFACTS / f"badges-golden-a6-{name}-actual.png")
        difference.point(lambda v: 255 - v).save(ARTIFACTS / f"badges-golden-a6-{name}-diff.png")
    assert fraction < MAX_DIFFERING and solid <= MAX_SOLID, (
        f"{fraction:.2%} of pixels differ from {reference_path.name}, {solid} in solid areas; "
        f"the actual render and the difference are in {ARTIFACTS}"
    )
