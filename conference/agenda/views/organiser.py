"""The organisers' agenda pages: the editor (day grid, rooms, tracks, sessions and talks),
publishing, and the sign-ups against capacity.

Drags in the grid post JSON (with the CSRF token in the X-CSRFToken header); every
change also has a plain form, for keyboards and browsers without JavaScript.
"""

from datetime import date, datetime

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from conference.agenda import availability, rooms, sessions, talks
from conference.agenda.blocks import find_block, parallel_blocks
from conference.agenda.conflicts import find_conflicts
from conference.agenda.draft import agenda_conflicts, conflicts_by_session, load_agenda
from conference.agenda.forms import (
    InterestImportForm,
    PresenterBlockForm,
    RoomBlockForm,
    RoomForm,
    SimilarTracksForm,
    TrackForm,
    choices,
)
from conference.agenda.grid import build_grid, day_sessions
from conference.agenda.instances import draft_attendee_conflicts
from conference.agenda.interests import InterestImportRefused, demand, import_interests
from conference.agenda.notices import told_count
from conference.agenda.proposals import latest_open_proposal
from conference.agenda.publishing import latest_publication, publish, snapshot
from conference.agenda.rows import get_by_id, of_event
from conference.agenda.signups import signup_counts, takes_signups
from conference.agenda.timetable import utc_offset
from conference.agenda.views import bp
from conference.agenda.views._forms import session_details, session_form, talk_details, talk_form
from conference.auth.decorators import event_role_required
from conference.auth.forms import ConfirmForm
from conference.errors import ValidationError
from conference.extensions import db
from conference.formatting import country_name
from conference.ids import read_id, whole_number
from conference.localtime import to_local, wall_clock
from conference.pages import attempt, refuse, render_form
from conference.registration.exports import to_csv
from conference.registration.models import Registration
from conference.web import safe_next

# Helpers -----------------------------------------------------------------------------


def _payload() -> dict:
    """The request's fields: a JSON object, or the posted form."""
    if request.is_json:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}
    return request.form.to_dict()


def _conflict_json(conflicts) -> list[dict]:
    return [
        {
            "kind": c.kind,
            "hard": c.hard,
            "message": c.message,
            "sessions": list(c.sessions),
            "talks": list(c.talks),
        }
        for c in conflicts
    ]


def _json_ok(event, **more):
    conflicts = agenda_conflicts(event)
    return jsonify(
        ok=True,
        conflicts=_conflict_json(conflicts),
        hard=sum(1 for c in conflicts if c.hard),
        **more,
    )


def _json_error(exc: ValidationError):
    db.session.rollback()
    return jsonify(ok=False, error=exc.message, field=exc.field), 422


def _warn_conflicts(event, session_ids=(), talk_ids=()) -> None:
    """Flash the conflicts a change left on these sessions or talks."""
    for c in agenda_conflicts(event):
        if set(c.sessions) & set(session_ids) or set(c.talks) & set(talk_ids):
            label = "Conflict (blocks publishing)" if c.hard else "Warning"
            flash(f"{label}: {c.message}", "danger" if c.hard else "warning")


def _zone(event, day: date) -> str:
    """'Asia/Bangkok (UTC+07:00)': the zone the editor's times are in, on that day."""
    return f"{event.timezone.replace('_', ' ')} ({utc_offset(day, event.tz)})"


def _change_lines(event, changes) -> list[str]:
    """A publication's changelog as sentences, in the event's time."""

    def where(iso, room):
        moment = to_local(datetime.fromisoformat(iso), event.tz)
        return f"{moment:%a %d %b %H:%M}, {room or 'no room'}"

    lines = []
    for c in changes:
        if c["change"] == "moved":
            lines.append(
                f"“{c['title']}” moved from {where(c['was_when'], c['was_room'])} "
                f"to {where(c['when'], c['room'])}."
            )
        elif c["change"] == "added":
            lines.append(f"“{c['title']}” added: {where(c['when'], c['room'])}.")
        else:
            lines.append(f"“{c['title']}” removed (was {where(c['when'], c['room'])}).")
    return lines


def _back(default: str) -> str:
    """Where a form asked to return to (a path on this site only), or ``default``."""
    return safe_next(request.form.get("next"), default)


def _day_of(event, value: str | None) -> date:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return event.start_date
    return day if day in event.days else event.start_date


def _editor_url(event, day: date | None = None) -> str:
    return url_for("agenda.editor", slug=event.slug, day=(day or event.start_date).isoformat())


def _minute(moment) -> str:
    """A stored time as the grid and its JSON name it: event-local 'YYYY-MM-DDTHH:MM'."""
    return f"{moment:%Y-%m-%dT%H:%M}"


# The grid ----------------------------------------------------------------------------


@bp.get("/events/<slug>/agenda/edit")
@event_role_required("organiser")
def editor(event):
    day = _day_of(event, request.args.get("day"))
    agenda = load_agenda(event)
    conflicts = find_conflicts(agenda)
    event_rooms = rooms.rooms_of(event)
    todays = day_sessions(event, day)
    grid = build_grid(day, event.tz, [(r.id, r.name, r.capacity) for r in event_rooms], todays)
    publication = latest_publication(event)
    proposal = latest_open_proposal(event)
    db.session.commit()  # a proposal whose worker died is marked so
    return render_template(
        "agenda/editor/grid.html",
        event=event,
        day=day,
        grid=grid,
        slots={s.id: s for s in agenda.sessions},
        conflicts=conflicts,
        by_session=conflicts_by_session(conflicts, agenda),
        hard=sum(1 for c in conflicts if c.hard),
        soft=sum(1 for c in conflicts if not c.hard),
        minutes={s.id: int((s.ends_at - s.starts_at).total_seconds() // 60) for s in todays},
        takes_signups={s.id for s in todays if takes_signups(s)},
        unplaced=talks.unplaced_talks(event),
        publication=publication,
        changes=_change_lines(event, publication.changes) if publication else [],
        zone=_zone(event, day),
        draft_changed=publication is not None and snapshot(event) != publication.snapshot,
        form=ConfirmForm(),
        has_rooms=bool(event_rooms),
        attendee_conflicts=draft_attendee_conflicts(event),
        proposal=proposal,
    )


@bp.post("/events/<slug>/agenda/sessions/<int:session_id>/move")
@event_role_required("organiser")
def move_session(event, session_id):
    """JSON {room_id, starts: "YYYY-MM-DDTHH:MM"} -> 200 {ok, conflicts} or 422 {error}."""
    session = sessions.find_session(event, session_id)
    data = _payload()
    try:
        room_id = read_id(data.get("room_id"), "room_id", "The room")
        try:
            starts = datetime.strptime(str(data.get("starts") or ""), "%Y-%m-%dT%H:%M")
        except ValueError:
            raise ValidationError(
                "Give the start as YYYY-MM-DDTHH:MM in the event's time zone.", field="starts"
            ) from None
        sessions.move_session(event, session, room_id, starts)
    except ValidationError as exc:
        return _json_error(exc)
    db.session.commit()
    return _json_ok(
        event,
        session={
            "id": session.id,
            "room_id": session.room_id,
            "starts": _minute(wall_clock(session.starts_at, event.tz)),
            "ends": _minute(wall_clock(session.ends_at, event.tz)),
        },
    )


# Rooms and tracks --------------------------------------------------------------------


@bp.route("/events/<slug>/agenda/edit/rooms", methods=["GET", "POST"])
@bp.route("/events/<slug>/agenda/edit/rooms/<int:room_id>", methods=["GET", "POST"])
@event_role_required("organiser")
def edit_rooms(event, room_id=None):
    room = None if room_id is None else rooms.find_room(event, room_id)
    event_rooms = rooms.rooms_of(event)
    form = RoomForm(obj=room) if request.method == "GET" else RoomForm()
    if room is None and request.method == "GET":
        form.position.data = max((r.position for r in event_rooms), default=-1) + 1
    if form.validate_on_submit():
        with attempt(form, field="name") as done:
            saved = rooms.save_room(
                event,
                room,
                form.name.data,
                form.capacity.data,
                form.notes.data,
                form.position.data or 0,
            )
        if done:
            flash(f"The room “{saved.name}” is saved.", "success")
            return redirect(url_for(".edit_rooms", slug=event.slug))
    return render_form(
        "agenda/editor/rooms.html",
        form,
        event=event,
        room=room,
        rooms=event_rooms,
        confirm=ConfirmForm(),
    )


@bp.post("/events/<slug>/agenda/edit/rooms/<int:room_id>/delete")
@event_role_required("organiser")
def delete_room(event, room_id):
    room = rooms.find_room(event, room_id)
    name = room.name
    with attempt() as done:
        rooms.delete_room(event, room)
    if done:
        flash(f"The room “{name}” is deleted.", "success")
    return redirect(url_for(".edit_rooms", slug=event.slug))


@bp.route("/events/<slug>/agenda/edit/tracks", methods=["GET", "POST"])
@bp.route("/events/<slug>/agenda/edit/tracks/<int:track_id>", methods=["GET", "POST"])
@event_role_required("organiser")
def edit_tracks(event, track_id=None):
    track = None if track_id is None else rooms.find_track(event, track_id)
    form = TrackForm(obj=track) if request.method == "GET" else TrackForm()
    if form.validate_on_submit():
        with attempt(form, field="name") as done:
            saved = rooms.save_track(event, track, form.name.data, form.colour.data)
        if done:
            flash(f"The track “{saved.name}” is saved.", "success")
            return redirect(url_for(".edit_tracks", slug=event.slug))
    event_tracks = rooms.tracks_of(event)
    return render_form(
        "agenda/editor/tracks.html",
        form,
        event=event,
        track=track,
        tracks=event_tracks,
        confirm=ConfirmForm(),
        similar=availability.similar_pairs(event),
        similar_form=_similar_form(event_tracks),
    )


def _similar_form(event_tracks, form=None) -> SimilarTracksForm:
    form = form or SimilarTracksForm(formdata=None)
    options = choices([("", "Choose a track…")] + [(t.id, t.name) for t in event_tracks])
    form.track_id.choices, form.other_track_id.choices = options, list(options)
    return form


@bp.post("/events/<slug>/agenda/edit/tracks/similar")
@event_role_required("organiser")
def similar_tracks(event):
    """Mark two tracks as similar (``remove`` set: no longer similar)."""
    form = SimilarTracksForm()
    _similar_form(rooms.tracks_of(event), form)
    if form.validate_on_submit():
        track = rooms.get_track(event, form.track_id.data)
        other = rooms.get_track(event, form.other_track_id.data)
        removing = bool(request.form.get("remove"))
        with attempt() as done:
            if removing:
                changed = availability.unmark_similar(event, track, other)
            else:
                changed = availability.mark_similar(event, track, other)
        if done:
            pair = f"“{track.name}” and “{other.name}”"
            if removing:
                flash(
                    f"{pair} may run side by side again."
                    if changed
                    else f"{pair} were not marked as similar.",
                    "info",
                )
            else:
                flash(
                    f"{pair} are similar: proposals keep them apart where they can."
                    if changed
                    else f"{pair} are marked as similar already.",
                    "success",
                )
    else:
        flash("Choose two tracks of this event.", "danger")
    return redirect(url_for(".edit_tracks", slug=event.slug))


@bp.post("/events/<slug>/agenda/edit/tracks/<int:track_id>/delete")
@event_role_required("organiser")
def delete_track(event, track_id):
    track = rooms.find_track(event, track_id)
    name = track.name
    with attempt() as done:
        count = rooms.delete_track(event, track)
    if done:
        flash(
            f"The track “{name}” is deleted"
            + (f"; {count} session(s) no longer have a track." if count else "."),
            "success",
        )
    return redirect(url_for(".edit_tracks", slug=event.slug))


# Sessions ----------------------------------------------------------------------------


def _save_session_form(event, session):
    """(the form to show again, None) or, once saved, (None, the session)."""
    form = session_form(event, session)
    if form.validate_on_submit():
        with attempt(form, field="title") as done:
            saved = sessions.update_session(
                event, session, session_details(form), form.signed_up_only.data
            )
        if done:
            flash(f"The session “{saved.title}” is saved.", "success")
            _warn_conflicts(event, session_ids=(saved.id,))
            return None, saved
    return form, session


@bp.route("/events/<slug>/agenda/edit/sessions/new", methods=["GET", "POST"])
@event_role_required("organiser")
def new_session(event):
    form, saved = _save_session_form(event, None)
    if form is None:
        return redirect(_editor_url(event, sessions.session_day(event, saved)))
    return render_form("agenda/editor/session.html", form, event=event, session=None)


@bp.route("/events/<slug>/agenda/edit/sessions/<int:session_id>", methods=["GET", "POST"])
@event_role_required("organiser")
def edit_session(event, session_id):
    session = sessions.find_session(event, session_id, with_talks=True)
    form, saved = _save_session_form(event, session)
    if form is None:
        return redirect(url_for(".edit_session", slug=event.slug, session_id=saved.id))
    agenda = load_agenda(event)
    conflicts = conflicts_by_session(find_conflicts(agenda), agenda)
    slot = next((s for s in agenda.sessions if s.id == session.id), None)
    return render_form(
        "agenda/editor/session.html",
        form,
        event=event,
        session=session,
        slot=slot,
        conflicts=conflicts.get(session.id, []),
        unplaced=talks.unplaced_talks(event),
        confirm=ConfirmForm(),
        day=sessions.session_day(event, session),
        takes_signups=takes_signups(session),
    )


@bp.post("/events/<slug>/agenda/edit/sessions/<int:session_id>/delete")
@event_role_required("organiser")
def delete_session(event, session_id):
    session = sessions.find_session(event, session_id)
    title, day = session.title, sessions.session_day(event, session)
    with attempt() as done:
        unplaced = sessions.delete_session(event, session)
    if not done:
        return redirect(url_for(".edit_session", slug=event.slug, session_id=session_id))
    flash(
        f"The session “{title}” is deleted"
        + (f"; its {unplaced} talk(s) wait beside the grid." if unplaced else "."),
        "success",
    )
    return redirect(_editor_url(event, day if day in event.days else None))


# Talks -------------------------------------------------------------------------------


def _save_talk_form(event, talk):
    """(the form to show again, None) or, once saved, (None, the talk)."""
    form = talk_form(event, talk)
    if form.validate_on_submit():
        with attempt(form, field="title") as done:
            saved = talks.save_talk(event, talk, talk_details(form))
        if done:
            flash(f"The talk “{saved.title}” is saved.", "success")
            _warn_conflicts(event, talk_ids=(saved.id,))
            return None, saved
    return form, talk


def _after_talk(event, talk):
    if talk.session_id:
        return redirect(url_for(".edit_session", slug=event.slug, session_id=talk.session_id))
    return redirect(_editor_url(event))


@bp.route("/events/<slug>/agenda/edit/talks/new", methods=["GET", "POST"])
@event_role_required("organiser")
def new_talk(event):
    form, saved = _save_talk_form(event, None)
    if form is None:
        return _after_talk(event, saved)
    return render_form("agenda/editor/talk.html", form, event=event, talk=None)


@bp.route("/events/<slug>/agenda/edit/talks/<int:talk_id>", methods=["GET", "POST"])
@event_role_required("organiser")
def edit_talk(event, talk_id):
    talk = talks.find_talk(event, talk_id)
    form, saved = _save_talk_form(event, talk)
    if form is None:
        return _after_talk(event, saved)
    conflicts = [c for c in agenda_conflicts(event) if talk.id in c.talks]
    return render_form(
        "agenda/editor/talk.html",
        form,
        event=event,
        talk=talk,
        conflicts=conflicts,
        confirm=ConfirmForm(),
    )


@bp.post("/events/<slug>/agenda/edit/talks/<int:talk_id>/delete")
@event_role_required("organiser")
def delete_talk(event, talk_id):
    talk = talks.find_talk(event, talk_id)
    title, session_id = talk.title, talk.session_id
    with attempt() as done:
        talks.delete_talk(event, talk)
    if not done:
        return redirect(url_for(".edit_talk", slug=event.slug, talk_id=talk_id))
    flash(f"The talk “{title}” is deleted.", "success")
    if session_id:
        return redirect(url_for(".edit_session", slug=event.slug, session_id=session_id))
    return redirect(_editor_url(event))


def _refused(event, exc: ValidationError):
    """A refused change from a drag (JSON, 422) or a form (flashed, back where it was)."""
    if request.is_json:
        return _json_error(exc)
    db.session.rollback()
    refuse(None, exc)
    return redirect(_back(_editor_url(event)))


@bp.post("/events/<slug>/agenda/edit/place")
@event_role_required("organiser")
def place_talk(event):
    """Put a talk into a session (last) or back beside the grid: JSON {talk_id, session_id}
    from a drag, or the same fields from a form."""
    data = _payload()
    try:
        talk = talks.get_talk(event, read_id(data.get("talk_id"), "talk_id", "The talk"))
        if talk is None:
            raise ValidationError("Choose a talk of this event.", field="talk_id")
        session_id = read_id(data.get("session_id"), "session_id", "The session")
        talks.place_talk(event, talk, session_id)
    except ValidationError as exc:
        return _refused(event, exc)
    db.session.commit()
    if request.is_json:
        return _json_ok(event, talk={"id": talk.id, "session_id": talk.session_id})
    if session_id:
        flash(f"“{talk.title}” is placed last in its session.", "success")
        _warn_conflicts(event, talk_ids=(talk.id,))
        return redirect(url_for(".edit_session", slug=event.slug, session_id=session_id))
    flash(f"“{talk.title}” waits beside the grid.", "success")
    return redirect(_back(_editor_url(event)))


@bp.post("/events/<slug>/agenda/edit/talks/<int:talk_id>/reorder")
@event_role_required("organiser")
def reorder_talk(event, talk_id):
    """Move a talk in its session's running order: {position} (0 = first)."""
    talk = talks.find_talk(event, talk_id)
    data = _payload()
    try:
        try:
            position = whole_number(data.get("position"), minimum=0)
        except ValueError:
            raise ValidationError(
                "Say where the talk goes: its place in the running order, 0 for first.",
                field="position",
            ) from None
        talks.reorder_talk(event, talk, position)
    except ValidationError as exc:
        return _refused(event, exc)
    db.session.commit()
    if request.is_json:
        return _json_ok(event, talk={"id": talk.id, "position": talk.position})
    _warn_conflicts(event, talk_ids=(talk.id,))
    return redirect(url_for(".edit_session", slug=event.slug, session_id=talk.session_id))


# Publishing --------------------------------------------------------------------------


@bp.post("/events/<slug>/agenda/publish")
@event_role_required("organiser")
def publish_agenda(event):
    if ConfirmForm().validate_on_submit():
        try:
            with attempt() as done:
                publication = publish(event, current_user)
        except IntegrityError:  # the same version number, published a moment before
            db.session.rollback()
            flash(
                "Someone else published the agenda at the same moment, so yours was not: "
                "see their version here, then publish again if your changes are not in it.",
                "danger",
            )
        else:
            if done:
                moved = sum(1 for c in publication.changes if c["change"] == "moved")
                told = told_count(publication)
                flash(
                    f"Version {publication.version} of the agenda is published"
                    + (f"; {moved} moved talk(s), their presenters are told" if moved else "")
                    + (
                        f"; {told} delegate(s) signed up for a moved or cancelled session are told"
                        if told
                        else ""
                    )
                    + ".",
                    "success",
                )
    return redirect(url_for("agenda.editor", slug=event.slug))


# Sign-ups ----------------------------------------------------------------------------


@bp.get("/events/<slug>/agenda/signups")
@event_role_required("organiser")
def signups(event):
    return render_template(
        "agenda/personal/signups.html", event=event, sessions=signup_counts(event), tab="signups"
    )


@bp.get("/events/<slug>/agenda/signups.csv")
@event_role_required("organiser")
def signups_csv(event):
    def rows():
        starts = f"starts ({event.timezone})"
        yield ["session", starts, "room", "name", "native_name", "organisation", "country", "email"]
        for entry in signup_counts(event):
            s = entry.session
            for person in entry.people:
                yield [
                    s.title,
                    f"{to_local(s.starts_at, event.tz):%Y-%m-%d %H:%M}",
                    s.room.name if s.room else "",
                    person.display_name,
                    person.native_name,
                    person.organisation,
                    country_name(person.country),
                    person.email,
                ]

    return Response(
        "".join(to_csv(rows())),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}-signups.csv"'},
    )


# Interests ---------------------------------------------------------------------------

SHOWN_PROBLEMS = 200  # of a refused import's rows; the rest are counted


def _interests_page(event, form=None, refused=None, status=200):
    rows = demand(event)
    return render_template(
        "agenda/editor/interests.html",
        event=event,
        rows=rows,
        marks=sum(r.confirmed for r in rows),
        conflicts=draft_attendee_conflicts(event),
        form=form or InterestImportForm(formdata=None),
        refused=refused,
        problems=refused.problems[:SHOWN_PROBLEMS] if refused else [],
        more=max(0, len(refused.problems) - SHOWN_PROBLEMS) if refused else 0,
    ), status


@bp.get("/events/<slug>/agenda/edit/interests")
@event_role_required("organiser")
def interest_demand(event):
    return _interests_page(event)


@bp.post("/events/<slug>/agenda/edit/interests/import")
@event_role_required("organiser")
def import_interest_file(event):
    form = InterestImportForm()
    if not form.validate_on_submit():
        return _interests_page(event, form, status=422)
    try:
        result = import_interests(event, form.file.data.read())
    except InterestImportRefused as exc:
        db.session.rollback()
        return _interests_page(event, form, refused=exc, status=422)
    except ValidationError as exc:
        db.session.rollback()
        refuse(form, exc)
        return _interests_page(event, form, status=422)
    db.session.commit()
    flash(
        f"{result.rows} row(s) read: {result.added} new interest(s) for {result.delegates} "
        f"delegate(s); {result.already} were marked already.",
        "success",
    )
    return redirect(url_for(".interest_demand", slug=event.slug))


# Availability ------------------------------------------------------------------------


def _block_choices(blocks):
    return choices([("", "Choose a block…")] + [(b.id, b.label) for b in blocks])


def _availability_forms(event, blocks, presenter_form=None, room_form=None):
    presenter_form = presenter_form or PresenterBlockForm(formdata=None)
    room_form = room_form or RoomBlockForm(formdata=None)
    presenting = set(availability.presenter_ids(event))
    people = sessions.person_choices(event)
    presenter_form.registration_id.choices = choices(
        [("", "Choose a presenter…")]
        + [(rid, label) for rid, label in people if rid in presenting]
        + [(rid, label) for rid, label in people if rid not in presenting]
    )
    room_form.room_id.choices = choices(
        [("", "Choose a room…")] + [(r.id, r.name) for r in rooms.rooms_of(event)]
    )
    presenter_form.block.choices = room_form.block.choices = _block_choices(blocks)
    return presenter_form, room_form


def _availability_page(event, presenter_form=None, room_form=None, status=200):
    blocks = parallel_blocks(event)
    presenter_form, room_form = _availability_forms(event, blocks, presenter_form, room_form)
    return render_template(
        "agenda/editor/availability.html",
        event=event,
        blocks=blocks,
        presenters=availability.with_blocks(availability.presenter_unavailability(event), blocks),
        rooms=availability.with_blocks(availability.room_unavailability(event), blocks),
        presenter_form=presenter_form,
        room_form=room_form,
        confirm=ConfirmForm(),
    ), status


@bp.get("/events/<slug>/agenda/edit/availability")
@event_role_required("organiser")
def edit_availability(event):
    return _availability_page(event)


@bp.post("/events/<slug>/agenda/edit/availability/presenters")
@event_role_required("organiser")
def presenter_unavailable(event):
    form = PresenterBlockForm()
    if form.validate_on_submit():
        person = of_event(event, get_by_id(Registration, form.registration_id.data))
        with attempt(form) as done:
            if person is None:
                raise ValidationError("Choose a delegate of this event.", field="registration_id")
            block = find_block(event, form.block.data)
            availability.mark_presenter_unavailable(event, person, block, form.reason.data)
        if done:
            flash(f"{person.display_name} cannot make {block.label}.", "success")
            return redirect(url_for(".edit_availability", slug=event.slug))
    return _availability_page(event, presenter_form=form, status=422)


@bp.post("/events/<slug>/agenda/edit/availability/rooms")
@event_role_required("organiser")
def room_unavailable(event):
    form = RoomBlockForm()
    if form.validate_on_submit():
        room = rooms.get_room(event, form.room_id.data)
        with attempt(form) as done:
            if room is None:
                raise ValidationError("Choose a room of this event.", field="room_id")
            block = find_block(event, form.block.data)
            availability.mark_room_unavailable(event, room, block, form.reason.data)
        if done:
            flash(f"{room.name} cannot be used in {block.label}.", "success")
            return redirect(url_for(".edit_availability", slug=event.slug))
    return _availability_page(event, room_form=form, status=422)


@bp.post("/events/<slug>/agenda/edit/availability/presenters/<int:row_id>/remove")
@event_role_required("organiser")
def presenter_available(event, row_id):
    if ConfirmForm().validate_on_submit():
        with attempt() as done:
            name = availability.forget_presenter_block(event, row_id)
        if done:
            flash(f"{name} can make that block after all.", "info")
    return redirect(url_for(".edit_availability", slug=event.slug))


@bp.post("/events/<slug>/agenda/edit/availability/rooms/<int:row_id>/remove")
@event_role_required("organiser")
def room_available(event, row_id):
    if ConfirmForm().validate_on_submit():
        with attempt() as done:
            name = availability.forget_room_block(event, row_id)
        if done:
            flash(f"{name} can be used in that block again.", "info")
    return redirect(url_for(".edit_availability", slug=event.slug))
