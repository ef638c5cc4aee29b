import re
import subprocess

import pytest

from conference.badges.services import badge_token, check_badge
from conference.registration.links import manage_token
from conference.registration.models import Registration
from tests.factories import bearer, make_category, make_event, make_registration, organiser_of


@pytest.fixture
def event_with_delegates(db):
    event = make_event(title="ASEAN+3 Regional Learning Cities Conference")
    delegate = make_category(event, "Delegate", badge_colour="#1f4e79")
    people = [
        make_registration(event, delegate),
        make_registration(
            event,
            delegate,
            given_name="Somchai",
            family_name="Thongdee",
            native_name="สมชาย ทองดี",
            country="TH",
            phone="",
        ),
        make_registration(
            event,
            delegate,
            given_name="Xiaoming",
            family_name="Wang",
            native_name="王晓明",
            country="CN",
            phone="",
        ),
    ]
    return event, people


def decode_all(pdf: bytes, tmp_path) -> list[str]:
    """Every QR code on every page, as a scanner at 150 dpi reads it."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    (tmp_path / "badges.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", str(tmp_path / "badges.pdf"), str(tmp_path / "page")],
        check=True,
    )
    texts = []
    for page in sorted(tmp_path.glob("page*.png")):
        texts += [b.text for b in zxingcpp.read_barcodes(Image.open(page))]
    return texts


def test_cli_prints_every_confirmed_badge_and_each_qr_verifies(
    app, db, runner, tmp_path, event_with_delegates
):
    event, people = event_with_delegates
    out = tmp_path / "out.pdf"
    result = runner.invoke(
        args=["badges", "pdf", "--event", event.slug, "--out", str(out), "--layout", "a4-4"]
    )
    assert result.exit_code == 0, result.output
    assert "3 badges (a4-4)" in result.output
    tokens = decode_all(out.read_bytes(), tmp_path)
    assert len(tokens) == 3
    found = sorted(check_badge(event, t).registration.id for t in tokens)
    assert found == sorted(p.id for p in people)
    assert all(check_badge(event, t).ok for t in tokens)
    token = tokens[0]
    middle = len(token) // 2
    altered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    assert check_badge(event, altered).result == "invalid"
    db.session.expire_all()
    assert [db.session.get(Registration, p.id).badge_printed_count for p in people] == [1, 1, 1]


def test_cli_refuses_unknown_events_and_empty_selections(runner, db, tmp_path):
    result = runner.invoke(
        args=["badges", "pdf", "--event", "nope", "--out", str(tmp_path / "x.pdf")]
    )
    assert result.exit_code != 0 and "no such event" in result.output
    event = make_event()
    result = runner.invoke(
        args=["badges", "pdf", "--event", event.slug, "--out", str(tmp_path / "x.pdf")]
    )
    assert result.exit_code != 0 and "No confirmed registration" in result.output
    assert not (tmp_path / "x.pdf").exists()
    result = runner.invoke(
        args=[
            "badges",
            "pdf",
            "--event",
            event.slug,
            "--out",
            str(tmp_path / "x.pdf"),
            "--layout",
            "a3",
        ]
    )
    assert result.exit_code != 0 and "a3" in result.output


def test_organiser_prints_the_ticked_badges(client, db, login, event_with_delegates):
    event, people = event_with_delegates
    login(event.roles[0].user)
    page = client.post(f"/events/{event.slug}/badges", data={"ids": [people[1].id]})
    assert "1 ticked registration" in page.text
    response = client.post(
        f"/events/{event.slug}/badges",
        data={"ids": [people[1].id], "layout": "card", "cut_marks": "y"},
    )
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    fonts = subprocess.run(["pdffonts", "-"], input=response.data, capture_output=True).stdout
    assert b"NotoSansThai" in fonts


def test_unknown_layout_and_empty_selection_are_explained(client, db, login):
    event = make_event()
    login(event.roles[0].user)
    response = client.post(f"/events/{event.slug}/badges", data={"layout": "a3"})
    assert "Not a valid choice" in response.text
    response = client.post(
        f"/events/{event.slug}/badges", data={"layout": "a6"}, follow_redirects=True
    )
    assert "No confirmed registration" in response.text


def test_large_batches_run_in_the_background_and_are_downloaded(make_app, tmp_path):
    app = make_app(BADGE_BACKGROUND_THRESHOLD=2)
    client = app.test_client()
    with app.app_context():
        event = make_event()
        delegate = make_category(event, "Delegate")
        for n in range(3):
            make_registration(event, delegate, email=f"d{n}@example.org")
        organiser = event.roles[0].user.email
        slug = event.slug
    client.post("/login", data={"email": organiser, "password": "correct horse battery staple"})
    response = client.post(f"/events/{slug}/badges", data={"layout": "a6"})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    status = client.get(f"/jobs/{job_id}.json").get_json()
    assert status["status"] == "finished" and status["result"]["badges"] == 3
    download = client.get(status["result"]["url"])
    assert download.data.startswith(b"%PDF")
    assert "attachment" in download.headers["Content-Disposition"]


def test_reissue_changes_the_token(client, db, login, event_with_delegates):
    event, people = event_with_delegates
    old = badge_token(people[0])
    login(event.roles[0].user)
    client.post(f"/events/{event.slug}/registrations/{people[0].id}/reissue")
    db.session.expire_all()
    assert check_badge(event, old).result == "revoked"
    assert check_badge(event, badge_token(db.session.get(Registration, people[0].id))).ok


def test_delegate_sees_their_badge_with_a_large_qr_and_gets_the_pdf(
    client, db, event_with_delegates
):
    event, people = event_with_delegates
    base = f"/events/{event.slug}/manage/{manage_token(people[1])}"
    page = client.get(f"{base}/badge")
    assert page.status_code == 200
    assert "<svg" in page.text and "สมชาย ทองดี" in page.text
    assert "max-age" in page.headers["Cache-Control"]
    assert client.get(f"{base}/badge-sw.js").mimetype == "text/javascript"
    pdf = client.get(f"{base}/badge.pdf")
    assert pdf.data.startswith(b"%PDF")


def printed(db, registration) -> int:
    db.session.expire_all()
    return db.session.get(Registration, registration.id).badge_printed_count


def test_a_delegate_downloading_their_badge_is_no_print(client, db, login, event_with_delegates):
    """The printed count is of the badges organisers and the door print: a delegate who
    downloads their own badge twice leaves it as it was."""
    event, people = event_with_delegates
    person = people[1]
    base = f"/events/{event.slug}/manage/{manage_token(person)}"
    for _ in range(2):
        assert client.get(f"{base}/badge.pdf").data.startswith(b"%PDF")
    assert printed(db, person) == 0

    login(event.roles[0].user)
    response = client.post(
        f"/events/{event.slug}/badges", data={"ids": [person.id], "layout": "card"}
    )
    assert response.data.startswith(b"%PDF")
    assert printed(db, person) == 1
    assert client.get(f"{base}/badge.pdf").data.startswith(b"%PDF")
    assert printed(db, person) == 1
    detail = client.get(f"/events/{event.slug}/registrations/{person.id}").text
    assert "Printed 1 time," in detail


def test_no_badge_before_confirmation(client, db):
    event = make_event()
    press = make_category(event, "Press", requires_approval=True)
    pending = make_registration(event, press)
    response = client.get(f"/events/{event.slug}/manage/{manage_token(pending)}/badge.pdf")
    assert response.status_code == 400
    assert "once your registration is confirmed" in response.text


def test_api_gives_organisers_the_token_and_scanners_the_public_keys(
    client, db, event_with_delegates
):
    event, people = event_with_delegates
    detail = client.get(
        f"/api/v1/events/{event.slug}/registrations/{people[0].id}",
        headers=bearer(organiser_of(event), "scanner"),
    ).get_json()
    assert check_badge(event, detail["badge_token"]).registration.id == people[0].id
    keys = client.get(f"/api/v1/events/{event.slug}/badge-keys").get_json()
    assert keys["keys"][0]["algorithm"] == "Ed25519"
    assert set(keys["keys"][0]) == {"key_id", "algorithm", "public_key", "created_at", "revoked_at"}
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", keys["keys"][0]["public_key"])
