"""The organisers' proposals of parallel sessions: the form, the page that follows the
solver (polling its JSON) and shows the proposal beside the draft, and the buttons that
cancel, accept or discard it. The rules are in agenda/proposals.py."""

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from conference.agenda.forms import proposal_form
from conference.agenda.instances import SolutionRefused
from conference.agenda.proposals import (
    DEFAULT_TIME_LIMIT,
    ProposalOptions,
    accept_proposal,
    cancel_proposal,
    discard_proposal,
    find_proposal,
    follow,
    progress_json,
    proposal_choices,
    proposal_page,
    start_proposal,
    weight_defaults,
)
from conference.agenda.views import bp
from conference.auth.decorators import event_role_required
from conference.auth.forms import ConfirmForm
from conference.errors import ValidationError
from conference.extensions import db
from conference.pages import attempt, render_form


def _editor(event):
    return redirect(url_for("agenda.editor", slug=event.slug))


def _page(event, proposal_id):
    return redirect(url_for("agenda.proposal", slug=event.slug, proposal_id=proposal_id))


@bp.route("/events/<slug>/agenda/propose", methods=["GET", "POST"])
@event_role_required("organiser")
def propose(event):
    """Choose blocks, rooms, talks, weights and a time limit, and start the solver."""
    try:
        offered = proposal_choices(event)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return _editor(event)
    weights = weight_defaults()
    previous = request.args.get("previous")
    if previous not in ("none", "draft", "published"):
        previous = "published" if offered.published else "none"
    form = proposal_form(
        weights,
        block_ids=[b.id for b in offered.blocks],
        room_ids=[room_id for room_id, _, _, chosen in offered.rooms if chosen],
        talk_ids=[t.id for t in offered.talks if t.place],
        time_limit=DEFAULT_TIME_LIMIT,
        previous=previous,
    )
    if form.validate_on_submit():
        options = ProposalOptions(
            block_ids=form.block_ids.data,
            room_ids=form.room_ids.data,
            talk_ids=form.talk_ids.data,
            weights={term: form[f"weight_{term}"].data for term in weights},
            time_limit=form.time_limit.data,
            previous=form.previous.data,
        )
        with attempt(form) as done:
            proposal = start_proposal(event, current_user, options)
        if done:
            return _page(event, proposal.id)
    return render_form(
        "agenda/editor/propose.html",
        form,
        event=event,
        offered=offered,
        weights=weights,
        chosen_blocks=set(form.block_ids.data or ()),
        chosen_rooms=set(form.room_ids.data or ()),
        chosen_talks=set(form.talk_ids.data or ()),
    )


@bp.get("/events/<slug>/agenda/proposals/<int:proposal_id>")
@event_role_required("organiser")
def proposal(event, proposal_id):
    """The solver's progress while it runs; then the proposal beside the draft."""
    found = follow(find_proposal(event, proposal_id))
    db.session.commit()
    return render_template(
        "agenda/editor/proposal.html",
        event=event,
        proposal=found,
        shown=proposal_page(event, found),
        weights=weight_defaults(),
        form=ConfirmForm(),
    )


@bp.get("/events/<slug>/agenda/proposals/<int:proposal_id>.json")
@event_role_required("organiser")
def proposal_status(event, proposal_id):
    """The best schedule so far (objective, terms, bound), for the page to poll."""
    found = follow(find_proposal(event, proposal_id))
    db.session.commit()
    return jsonify(progress_json(found))


@bp.post("/events/<slug>/agenda/proposals/<int:proposal_id>/cancel")
@event_role_required("organiser")
def cancel(event, proposal_id):
    found = find_proposal(event, proposal_id)
    if ConfirmForm().validate_on_submit():
        with attempt() as done:
            stopping = cancel_proposal(event, found)
        if done:
            flash(
                "The solver stops within a second; the draft is as it was."
                if stopping
                else "The solver had stopped already.",
                "info",
            )
    return _page(event, proposal_id)


@bp.post("/events/<slug>/agenda/proposals/<int:proposal_id>/accept")
@event_role_required("organiser")
def accept(event, proposal_id):
    """Read the proposal into the draft; refused, with what changed, when the agenda
    changed since it was made."""
    found = find_proposal(event, proposal_id)
    if not ConfirmForm().validate_on_submit():
        flash("The form expired: reload the page and accept again.", "danger")
        return _page(event, proposal_id)
    try:
        applied = accept_proposal(event, found, current_user)
    except SolutionRefused as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        for line in exc.problems[:20]:
            flash(line, "warning")
        return _page(event, proposal_id)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _page(event, proposal_id)
    db.session.commit()
    flash(
        f"The proposal is in the draft: {len(applied.talks_moved)} talk(s) placed or moved; "
        f"delegates torn between two rooms {applied.conflicts_before} → "
        f"{applied.conflicts_after}. Nothing is published until you publish.",
        "success",
    )
    for line in applied.chairs_dropped:
        flash(line, "warning")
    if applied.signups_dropped:
        flash(f"{applied.signups_dropped} sign-up(s) went with the sessions deleted.", "warning")
    return _editor(event)


@bp.post("/events/<slug>/agenda/proposals/<int:proposal_id>/discard")
@event_role_required("organiser")
def discard(event, proposal_id):
    found = find_proposal(event, proposal_id)
    if ConfirmForm().validate_on_submit():
        with attempt() as done:
            discard_proposal(event, found, current_user)
        if done:
            flash("The proposal is discarded; the draft is as it was.", "info")
            return _editor(event)
    return _page(event, proposal_id)
