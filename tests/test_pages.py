"""The route skeleton: commit on success, roll back and show the refusal otherwise."""

import pytest
from flask import get_flashed_messages
from wtforms import StringField

from conference.errors import ValidationError
from conference.events.models import Event
from conference.forms import FlaskForm
from conference.pages import attempt, render_form
from tests.factories import make_event


class TitleForm(FlaskForm):
    title = StringField()


@pytest.fixture
def request_context(app, db):
    with app.test_request_context("/", method="POST", data={"title": "x"}):
        yield


def _retitle(event, title):
    event.title = title
    db_session().flush()
    if not title:
        raise ValidationError("Give the event a title.", field="title")


def db_session():
    from conference.extensions import db

    return db.session


def test_a_block_that_ends_normally_commits(request_context):
    event = make_event()
    with attempt(TitleForm(meta={"csrf": False})) as done:
        _retitle(event, "Renamed")
    assert done
    db_session().expire_all()
    assert db_session().get(Event, event.id).title == "Renamed"


def test_a_refusal_rolls_back_and_lands_on_its_field(request_context):
    event = make_event(title="Kept")
    form = TitleForm(meta={"csrf": False})
    with attempt(form) as done:
        _retitle(event, "")
    assert not done
    assert form.title.errors == ["Give the event a title."]
    assert db_session().get(Event, event.id).title == "Kept"
    assert render_form("errors/error.html", form, code=422, title="t", message="m")[1] == 422


def test_without_a_form_the_refusal_is_flashed(request_context):
    event = make_event(title="Kept")
    with attempt() as done:
        _retitle(event, "")
    assert not done
    assert get_flashed_messages(with_categories=True) == [("danger", "Give the event a title.")]


def test_other_errors_roll_back_and_propagate(request_context):
    event = make_event(title="Kept")
    with pytest.raises(KeyError), attempt():
        event.title = "Half-done"
        raise KeyError("bug")
    assert db_session().get(Event, event.id).title == "Kept"


def test_page_links_are_a_bounded_window_with_gaps():
    from conference.pages import page_window

    assert page_window(1, 1) == [1]
    assert page_window(1, 5) == [1, 2, 3, 4, 5]
    assert page_window(1000, 2000) == [1, None, 997, 998, 999, 1000, 1001, 1002, 1003, None, 2000]
    assert page_window(2, 2000) == [1, 2, 3, 4, 5, None, 2000]
    assert len(page_window(1234, 10**6)) <= 11
