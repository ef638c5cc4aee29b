"""Large exports run as background jobs: started by a POST, followed, downloaded by the
organiser who started them and nobody else; small ones download at once."""

import csv
import io
import os
import re
import time

import pytest

from conference.registration.exports import BASE_COLUMNS
from conference.registration.jobs import export_file, remove_old_exports
from tests.conftest import log_in
from tests.factories import (
    make_category,
    make_event,
    make_organiser,
    make_registration,
    make_user,
    organiser_of,
)
from tests.factories.people import PASSWORD


@pytest.fixture
def big_event(app, db):
    """An event with three registrations, over an inline limit of two."""
    app.config["EXPORT_INLINE_LIMIT"] = 2
    event = make_event()
    delegate = make_category(event, "Delegate")
    for n, name in enumerate(("王晓明", "김민준", "สมชาย")):
        make_registration(event, delegate, email=f"d{n}@example.org", native_name=name)
    return event


def _client(app, user):
    client = app.test_client()
    assert log_in(client, user.email, PASSWORD).status_code == 302
    return client


def _start(client, slug, fmt="csv") -> str:
    response = client.post(f"/events/{slug}/registrations/export.{fmt}")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    return response.headers["Location"].rsplit("/", 1)[1]


def test_a_small_export_downloads_at_once(app, client, db, login):
    event = make_event()
    make_registration(event, make_category(event, "Delegate"))
    login(organiser_of(event))
    response = client.get(f"/events/{event.slug}/registrations/export.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert len(list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))) == 2


def test_a_large_export_is_a_job_followed_then_downloaded(app, client, db, login, big_event):
    slug = big_event.slug
    login(organiser_of(big_event))
    page = client.get(f"/events/{slug}/registrations/")
    assert re.search(
        rf'<form method="post" action="/events/{slug}/registrations/export.csv"', page.text
    )
    asked = client.get(f"/events/{slug}/registrations/export.xlsx")  # a link kept from before
    assert asked.status_code == 200 and asked.mimetype == "text/html"
    assert "Export 3 registrations" in asked.text and "Start the export" in asked.text

    job_id = _start(client, slug)
    status = client.get(f"/jobs/{job_id}.json").get_json()
    job_page = client.get(f"/jobs/{job_id}").text
    assert f'href="{status["result"]["url"]}">Download the CSV file (3 registrations' in job_page
    assert status["status"] == "finished"
    assert (status["done"], status["total"], status["result"]["registrations"]) == (3, 3, 3)
    download = client.get(status["result"]["url"])
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
    assert [row[BASE_COLUMNS.index("native_name")] for row in rows[1:]] == [
        "王晓明",
        "김민준",
        "สมชาย",
    ]


def test_a_filtered_export_job_holds_the_filtered_list(app, client, db, login, big_event):
    press = make_category(big_event, "Press")
    make_registration(big_event, press, email="press@example.org")
    login(organiser_of(big_event))
    app.config["EXPORT_INLINE_LIMIT"] = 0
    response = client.post(
        f"/events/{big_event.slug}/registrations/export.xlsx?category={press.id}"
    )
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    status = client.get(f"/jobs/{job_id}.json").get_json()
    assert status["result"]["registrations"] == 1
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get(status["result"]["url"]).data)).active
    assert sheet.max_row == 2 and sheet["C2"].value == "Press"
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b


def test_only_the_organiser_who_started_an_export_downloads_it(app, client, db, login, big_event):
    login(organiser_of(big_event))
    job_id = _start(client, big_event.slug)
    url = client.get(f"/jobs/{job_id}.json").get_json()["result"]["url"]

    other_event = make_event()
    theirs = _client(app, organiser_of(other_event))
    assert theirs.get(url).status_code == 403  # not an organiser of this event
    assert theirs.get(url.replace(big_event.slug, other_event.slug)).status_code == 403
    assert theirs.get(f"/jobs/{job_id}.json").status_code == 403
    # Through another event its organiser runs too: not one of that event's exports.
    mine = make_event(organiser=organiser_of(big_event))
    assert client.get(url.replace(big_event.slug, mine.slug)).status_code == 404

    delegate = make_user()
    make_registration(big_event, make_category(big_event, "Guest"), email=delegate.email)
    assert _client(app, delegate).get(url).status_code == 403

    co_organiser = _client(app, make_organiser(big_event))
    assert co_organiser.get(url).status_code == 403  # someone else's job
    assert (
        co_organiser.get(f"/events/{big_event.slug}/registrations/exports/nope").status_code == 404
    )
    assert client.get(url).status_code == 200


def _token(page) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)


def test_an_export_job_needs_the_form_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, EXPORT_INLINE_LIMIT=0)
    client = app.test_client()
    with app.app_context():
        event = make_event()
        make_registration(event, make_category(event, "Delegate"))
        email, slug = organiser_of(event).email, event.slug
    login = {"email": email, "password": PASSWORD, "csrf_token": _token(client.get("/login"))}
    assert client.post("/login", data=login).status_code == 302
    url = f"/events/{slug}/registrations/export.csv"
    assert client.post(url).status_code == 400
    token = _token(client.get(url))
    assert client.post(url, data={"csrf_token": token}).status_code == 302


def test_the_next_export_replaces_the_last_and_old_files_go(app, client, db, login, big_event):
    login(organiser_of(big_event))
    first = _start(client, big_event.slug)
    xlsx = _start(client, big_event.slug, "xlsx")  # another format: kept
    second = _start(client, big_event.slug)
    assert not export_file(first, "csv").exists()
    first_url = client.get(f"/jobs/{first}.json").get_json()["result"]["url"]
    assert client.get(first_url).status_code == 404
    assert export_file(second, "csv").exists() and export_file(xlsx, "xlsx").exists()

    day_old = time.time() - app.config["EXPORT_KEEP_SECONDS"] - 60
    os.utime(export_file(xlsx, "xlsx"), (day_old, day_old))
    assert remove_old_exports() == [export_file(xlsx, "xlsx")]
    assert export_file(second, "csv").exists()


def test_an_unknown_format_is_not_found(client, db, login):
    event = make_event()
    login(organiser_of(event))
    assert client.get(f"/events/{event.slug}/registrations/export.pdf").status_code == 404
    assert client.post(f"/events/{event.slug}/registrations/export.pdf").status_code == 404
