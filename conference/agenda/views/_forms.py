"""The editor's session and talk forms: filled from a row (or a grid cell), offered the
event's rooms, tracks, sessions and people, and read back into the services' details."""

from datetime import date, datetime

from flask import request

from conference.agenda import rooms, sessions, talks
from conference.agenda.forms import SessionForm, TalkForm, choices
from conference.errors import ValidationError
from conference.localtime import wall_clock


def session_form(event, session=None) -> SessionForm:
    """The session form: posted, filled from the session, or new (from a grid cell)."""
    if request.method == "POST":
        form = SessionForm()
    elif session is not None:
        starts, ends = (
            wall_clock(session.starts_at, event.tz),
            wall_clock(session.ends_at, event.tz),
        )
        form = SessionForm(
            formdata=None,
            obj=session,
            data={
                "day": starts.date().isoformat(),
                "starts": starts.time(),
                "ends": ends.time(),
                "chair_ids": [c.id for c in session.chairs],
            },
        )
    else:  # a new session, maybe from an empty cell of the grid: ?room_id=&starts=
        data = {"kind": "parallel", "day": event.start_date.isoformat()}
        room_id = request.args.get("room_id", type=int)
        if room_id:
            data["room_id"] = room_id
        try:
            starts = datetime.strptime(request.args.get("starts", ""), "%Y-%m-%dT%H:%M")
        except ValueError:
            pass
        else:
            data.update(day=starts.date().isoformat(), starts=starts.time())
        form = SessionForm(formdata=None, data=data)
    days = [d.isoformat() for d in event.days]
    if session is not None and form.day.data not in days:
        days.append(sessions.session_day(event, session).isoformat())
    form.day.choices = choices((d, f"{date.fromisoformat(d):%A %d %B %Y}") for d in days)
    form.room_id.choices = choices(
        [("", "— no room —")]
        + [
            (r.id, f"{r.name} ({r.capacity} seats)" if r.capacity is not None else r.name)
            for r in rooms.rooms_of(event)
        ]
    )
    form.track_id.choices = choices(
        [("", "— no track —")] + [(t.id, t.name) for t in rooms.tracks_of(event)]
    )
    form.chair_ids.choices = choices(
        sessions.person_choices(event, keep=session.chairs if session is not None else ())
    )
    return form


def session_details(form: SessionForm) -> sessions.SessionDetails:
    """What the posted form says, as the sessions service takes it."""
    try:
        day = date.fromisoformat(form.day.data or "")
    except ValueError:
        raise ValidationError("Choose a day of the event.", field="day") from None
    return sessions.SessionDetails(
        kind=form.kind.data,
        title=form.title.data,
        description=form.description.data or "",
        starts=datetime.combine(day, form.starts.data),
        ends=datetime.combine(day, form.ends.data),
        room_id=form.room_id.data,
        track_id=form.track_id.data,
        capacity=form.capacity.data,
        chair_ids=tuple(form.chair_ids.data or ()),
    )


def talk_form(event, talk=None) -> TalkForm:
    """The talk form: posted, filled from the talk, or new (maybe for a session)."""
    if request.method == "POST":
        form = TalkForm()
    elif talk is not None:
        form = TalkForm(
            formdata=None,
            obj=talk,
            data={"presenter_ids": [p.id for p in talk.presenters], "starts": None},
        )
    else:
        form = TalkForm(
            formdata=None, data={"session_id": request.args.get("session_id", type=int)}
        )
    form.session_id.choices = choices(
        [("", "— not placed yet —")] + sessions.session_choices(event)
    )
    form.presenter_ids.choices = choices(
        sessions.person_choices(event, keep=talk.presenters if talk is not None else ())
    )
    return form


def talk_details(form: TalkForm) -> talks.TalkDetails:
    """What the posted form says, as the talks service takes it."""
    return talks.TalkDetails(
        title=form.title.data,
        abstract=form.abstract.data or "",
        duration_minutes=form.duration_minutes.data,
        presenter_ids=tuple(form.presenter_ids.data or ()),
        session_id=form.session_id.data,
        starts=form.starts.data,
        fixed=bool(form.fixed.data),
    )
