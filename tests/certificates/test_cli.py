"""``flask certificates pdf``: every certificate of an event in one file, or a clear error."""

import re
import subprocess
from datetime import date

import zxingcpp
from PIL import Image

from conference.certificates.services import check_certificate
from tests.factories import check_in_on, make_category, make_event, make_registration


def test_the_command_writes_every_certificate_and_each_qr_code_verifies(runner, db, tmp_path):
    event = make_event(start_date=date(2024, 10, 29), end_date=date(2024, 10, 30))
    category = make_category(event, "Delegate")
    thai = make_registration(
        event,
        category,
        given_name="Sakchai",
        family_name="Thongdee",
        native_name="ศักดิ์ชัย ทองดี",
        country="TH",
        phone="",
    )
    burmese = make_registration(
        event,
        category,
        given_name="Tun Tun Naing",
        family_name="",
        single_name=True,
        native_name="ထွန်းထွန်းနိုင်",
        country="MM",
        phone="",
    )
    absent = make_registration(event, category, given_name="Absent", family_name="Delegate")
    check_in_on(thai, 0)
    check_in_on(burmese, 1)
    out = tmp_path / "certificates.pdf"

    result = runner.invoke(args=["certificates", "pdf", "--event", event.slug, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(rf"2 certificates written to {out} in \d+\.\d s\.\n", result.output)
    pdf = out.read_bytes()
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, check=True
    ).stdout.decode()
    pages = [" ".join(page.split()) for page in text.split("\f")[:-1]]
    assert len(pages) == 2
    assert "ศักดิ์ชัย ทองดี" in pages[0] and "ထွန်းထွန်းနိုင်" in pages[1]  # by family name
    assert absent.given_name not in text
    assert pdf.startswith(b"%PDF") and not (tmp_path / "certificates.pdf.part").exists()

    subprocess.run(["pdftoppm", "-r", "150", "-png", str(out), str(tmp_path / "p")], check=True)
    codes = [
        b.text
        for image in sorted(tmp_path.glob("p*.png"))
        for b in zxingcpp.read_barcodes(Image.open(image))
    ]
    verdicts = [check_certificate(code.rsplit("/", 1)[1]) for code in codes]
    assert [v.registration.id for v in verdicts if v.valid] == [thai.id, burmese.id]


def test_an_unknown_event_or_nobody_checked_in_is_an_error_and_writes_nothing(runner, db, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "certificates.pdf"
    unknown = runner.invoke(args=["certificates", "pdf", "--event", "nope", "--out", str(out)])
    assert unknown.exit_code == 1
    assert "(nope)" in unknown.output and "Traceback" not in unknown.output

    event = make_event()
    delegate = make_registration(event, make_category(event, "Delegate"))
    nobody = runner.invoke(args=["certificates", "pdf", "--event", event.slug, "--out", str(out)])
    assert nobody.exit_code == 1
    assert "Nobody has been checked in" in nobody.output and "No file written" in nobody.output
    assert list(folder.iterdir()) == []

    check_in_on(delegate, 0)
    missing = runner.invoke(
        args=["certificates", "pdf", "--event", event.slug, "--out", str(folder / "no/x.pdf")]
    )
    assert missing.exit_code == 1 and "There is no folder" in missing.output
    assert list(folder.iterdir()) == []
