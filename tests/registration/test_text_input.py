"""What organisers type about a registration is stored without control characters."""

from conference.registration.models import Registration
from tests.factories import make_category, make_event, make_registration, registration_form


def test_the_organisers_note_is_stored_without_control_characters(client, db, login):
    event = make_event()
    category = make_category(event, "Delegate")
    registration = make_registration(event, category)
    login(event.roles[0].user)
    response = client.post(
        f"/events/{event.slug}/registrations/{registration.id}/edit",
        data=registration_form(
            category,
            email=registration.email,
            organiser_note="Called\x00 twice\x1b[0m\r\nprefers\x07 e-mail\tafter 5 pm",
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    note = db.session.get(Registration, registration.id).organiser_note
    assert note == "Called twice[0m\nprefers e-mail\tafter 5 pm"
