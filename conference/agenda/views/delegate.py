"""A delegate's personal agenda (through their private link or their account): the
talks they want to hear, choosing sessions, and the personal calendar."""

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from conference.agenda.forms import InterestForm
from conference.agenda.ics import agenda_ics
from conference.agenda.interests import (
    can_mark_interests,
    find_open_talk,
    interests_of,
    offered_talks,
    set_interest,
)
from conference.agenda.notices import personal_notices
from conference.agenda.publishing import (
    event_info,
    latest_publication,
    publication_stamp,
    published,
)
from conference.agenda.sessions import find_session
from conference.agenda.signups import (
    agenda_choices,
    by_day,
    can_choose_sessions,
    cancel_signup,
    personal_agenda,
    registration_for_user,
    sign_up,
    switch_session,
)
from conference.agenda.views import bp
from conference.auth.forms import ConfirmForm
from conference.errors import NotFound
from conference.events.services import get_event
from conference.extensions import db
from conference.pages import attempt
from conference.pages import private_page as _private
from conference.registration.links import manage_token, registration_from_token
from conference.web import safe_next

# A refused sign-up, kept in the (signed) cookie session until the page shows it once:
# [registration id, session id, reason].
REFUSAL = "agenda_refusal"
# What a sign-up, a switch or leaving did, shown the same way in the session's own card
# (the page opens there, so a message at its top would be out of view):
# [registration id, session id, message].
DONE = "agenda_done"


def _back(event, token, session_id=None):
    anchor = f"session-{session_id}" if session_id else None
    return redirect(url_for("agenda.personal", slug=event.slug, token=token, _anchor=anchor))


def _in_card(key, registration, choices, category) -> tuple[int | None, str]:
    """This delegate's message of ``key`` to show in its session's card: (session id,
    message). A session no longer on the page has its message flashed at the top instead."""
    kept = session.pop(key, None)
    if not kept or kept[0] != registration.id:
        return None, ""
    _, session_id, message = kept
    if any(c.id == session_id for c in choices or []):
        return session_id, message
    flash(message, category)
    return None, ""


@bp.get("/events/<slug>/manage/<token>/agenda")
def personal(slug, token):
    event = get_event(slug)
    registration = registration_from_token(event, token)
    db.session.commit()
    choices = agenda_choices(registration)
    refused_id, refusal = _in_card(REFUSAL, registration, choices, "danger")
    done_id, done_message = _in_card(DONE, registration, choices, "success")
    moved, cancelled = personal_notices(registration)
    return _private(
        render_template(
            "agenda/personal/agenda.html",
            interests=interests_of(registration),
            can_mark=can_mark_interests(registration),
            event=event,
            registration=registration,
            token=token,
            published=choices is not None,
            can_choose=can_choose_sessions(registration),
            days=by_day(choices or []),
            form=ConfirmForm(),
            refused_id=refused_id,
            refusal=refusal,
            done_id=done_id,
            done_message=done_message,
            moved=moved,
            cancelled=cancelled,
        )
    )


@bp.post("/events/<slug>/manage/<token>/agenda/<int:session_id>/signup")
def personal_signup(slug, token, session_id):
    event = get_event(slug)
    registration = registration_from_token(event, token)
    chosen = find_session(event, session_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with attempt(form) as done:
            sign_up(registration, chosen)
        if done:
            session[DONE] = [
                registration.id,
                session_id,
                f"You are signed up for “{chosen.title}”.",
            ]
        else:  # explained in the session's card, not at the top of the page
            session[REFUSAL] = [registration.id, session_id, done.error.message]
    return _back(event, token, session_id)


@bp.post("/events/<slug>/manage/<token>/agenda/<int:session_id>/switch")
def personal_switch(slug, token, session_id):
    """Leave the session of the same time (form field ``from``) for this one, in one step."""
    event = get_event(slug)
    registration = registration_from_token(event, token)
    chosen = find_session(event, session_id)
    leaving = find_session(event, request.form.get("from", type=int))
    form = ConfirmForm()
    if form.validate_on_submit():
        with attempt(form) as done:
            switch_session(registration, leaving, chosen)
        if done:
            session[DONE] = [
                registration.id,
                session_id,
                f"Done: you are signed up for “{chosen.title}” instead of “{leaving.title}”, "
                "whose place is free for someone else.",
            ]
        else:  # nothing changed: still in the first session
            session[REFUSAL] = [registration.id, session_id, done.error.message]
    return _back(event, token, session_id)


@bp.post("/events/<slug>/manage/<token>/agenda/<int:session_id>/leave")
def personal_leave(slug, token, session_id):
    event = get_event(slug)
    registration = registration_from_token(event, token)
    chosen = find_session(event, session_id)
    if ConfirmForm().validate_on_submit():
        with attempt():
            left = cancel_signup(registration, chosen)
        message = (
            f"You have left “{chosen.title}”; your place is free for someone else."
            if left
            else f"You were not signed up for “{chosen.title}”."
        )
        session[DONE] = [registration.id, session_id, message]
    return _back(event, token, session_id)


@bp.get("/events/<slug>/manage/<token>/agenda.ics")
def personal_calendar(slug, token):
    event = get_event(slug)
    registration = registration_from_token(event, token)
    publication = published(event)
    sessions = {c.id for c in personal_agenda(registration)}
    db.session.commit()
    info = event_info(event)
    body = agenda_ics(
        info,
        publication.snapshot,
        session_ids=sessions,
        name=f"My agenda – {event.title}",
        **publication_stamp(publication),
    )
    return _private(
        Response(
            body,
            mimetype="text/calendar",
            headers={"Content-Disposition": f'attachment; filename="{event.slug}-my-agenda.ics"'},
        )
    )


def _to_own_page(slug, endpoint: str, what: str):
    """To the page behind the management link of the signed-in account's registration."""
    event = get_event(slug)
    registration = registration_for_user(event, current_user)
    if registration is None:
        raise NotFound(
            "Your account has no registration for this event. Open the link in your "
            f"registration e-mail to {what}."
        )
    return redirect(url_for(endpoint, slug=slug, token=manage_token(registration)))


@bp.get("/events/<slug>/my-agenda")
@login_required
def my_agenda(slug):
    """The personal agenda of the signed-in account's registration for the event."""
    return _to_own_page(slug, "agenda.personal", "choose your sessions")


# Interests ------------------------------------------------------------------------------


@bp.get("/events/<slug>/manage/<token>/interests")
def interests(slug, token):
    event = get_event(slug)
    registration = registration_from_token(event, token)
    db.session.commit()
    groups = offered_talks(event)
    mine = interests_of(registration)
    return _private(
        render_template(
            "agenda/personal/interests.html",
            event=event,
            registration=registration,
            token=token,
            groups=groups,
            interests=mine,
            count=sum(1 for g in groups for t in g.talks if t.talk_id in mine),
            can_mark=can_mark_interests(registration),
            published=latest_publication(event) is not None,
        )
    )


@bp.post("/events/<slug>/manage/<token>/interests/<int:talk_id>")
def mark_interest(slug, token, talk_id):
    """Mark (interested=yes) or unmark (no) one talk; back to the page it was sent from."""
    event = get_event(slug)
    registration = registration_from_token(event, token)
    talk = find_open_talk(event, talk_id)
    form = InterestForm()
    back = safe_next(request.form.get("next"), url_for("agenda.interests", slug=slug, token=token))
    if form.validate_on_submit():
        wanted = form.interested.data == "yes"
        with attempt() as done:
            set_interest(registration, talk, wanted)
        if done:
            flash(
                f"“{talk.title}” is {'among' if wanted else 'no longer among'} the talks "
                "you want to hear.",
                "success" if wanted else "info",
            )
    else:
        flash("The form expired: please choose again.", "danger")
    return redirect(f"{back}#talk-{talk.id}")


@bp.get("/events/<slug>/my-interests")
@login_required
def my_interests(slug):
    """The interests page of the signed-in account's registration for the event."""
    return _to_own_page(slug, "agenda.interests", "choose the talks you want to hear")
