"""Text sent to the API is stored without control characters, and NUL is never a 500."""

from datetime import date, timedelta

from sqlalchemy import select

from conference.auth.services import create_api_token
from conference.checkin.models import CheckIn, ScanLog
from conference.registration.models import Registration
from conference.registration.settings import save_question
from tests.factories import (
    give_role,
    make_category,
    make_event,
    make_registration,
    make_user,
    registration_json,
)


def test_a_scanner_station_is_stored_without_control_characters(client, db):
    from conference.badges.services import badge_token

    event = make_event(start_date=date.today(), end_date=date.today() + timedelta(days=1))
    delegate = make_registration(event, make_category(event, "Delegate"))
    staff = make_user()
    give_role(event, staff, "checkin")
    _, plain = create_api_token(staff, "Door A")
    token = badge_token(delegate)
    db.session.commit()
    response = client.post(
        f"/api/v1/events/{event.slug}/checkins",
        json={"token": token, "station": "Door\x00 A\x1b[2J\x07"},
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert response.status_code == 201
    assert response.get_json()["station"] == "Door A[2J"
    assert db.session.scalar(select(CheckIn.station)) == "Door A[2J"
    assert db.session.scalar(select(ScanLog.station)) == "Door A[2J"


def test_a_registration_through_the_api_is_stored_without_control_characters(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    question = save_question(event, None, label="Why do you come?", type="long_text")
    db.session.commit()
    response = client.post(
        f"/api/v1/events/{event.slug}/registrations",
        json=registration_json(
            category,
            given_name="Xiao\x00ming\ud800",
            organisation="Nanjing\x1b Bureau",
            invitation_code="\x00",
            answers={str(question.id): "To learn\x00\r\nand\x07 share"},
        ),
    )
    assert response.status_code == 202, response.get_json()
    stored = db.session.scalar(select(Registration))
    assert (stored.given_name, stored.organisation) == ("Xiaoming", "Nanjing Bureau")
    assert stored.answers[0].value == "To learn\nand share"
