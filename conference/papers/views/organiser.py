"""The event team's pages: the call's settings, the list of papers and their files, a
paper's reviews, its reviewers and the decision."""

import io
from datetime import datetime

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required

from conference.agenda.rooms import tracks_of
from conference.auth.decorators import event_role_required
from conference.auth.forms import ConfirmForm
from conference.auth.models import User
from conference.auth.services import has_event_role
from conference.errors import NotFound
from conference.events.services import get_event
from conference.extensions import db
from conference.ids import read_id
from conference.localtime import wall_clock
from conference.pages import attempt, render_form
from conference.papers.archive import zip_stream
from conference.papers.assigning import (
    assign_reviewer,
    auto_assign,
    reviewer_choices,
    unassign_reviewer,
)
from conference.papers.authors import NO_SUCH_PAPER, get_paper
from conference.papers.calls import CallDetails, call_for, save_call
from conference.papers.decisions import can_decide, decide
from conference.papers.downloads import papers_for_download, session_line, write_book, zip_entries
from conference.papers.forms import MEGABYTE, AssignForm, AutoAssignForm, CallForm, DecisionForm
from conference.papers.models import DEFAULT_KINDS
from conference.papers.overview import check_status, paper_rows, status_counts
from conference.papers.reviewing import is_open_for_review, reviews_for_organiser
from conference.papers.views import bp
from conference.papers.views._common import (
    fields_as,
    row_aliases,
    send_version,
    storage,
    version_of,
)
from conference.web import pdf_response

DEFAULT_CRITERIA = [
    {"name": "Relevance to the conference theme", "max_score": 5, "weight": 2},
    {"name": "Originality", "max_score": 5, "weight": 1},
    {"name": "Clarity", "max_score": 5, "weight": 1},
]


def _zone(event) -> str:
    """'Asia/Bangkok (UTC+07:00)': the zone the call's times are entered in, today."""
    offset = datetime.now(event.tz).strftime("%z")
    return f"{event.timezone.replace('_', ' ')} (UTC{offset[:3]}:{offset[3:]})"


def _call_form(event, call, tracks) -> CallForm:
    """The call's form: as posted, or filled in with the call (or a new call's defaults)."""
    if request.method == "POST":
        form = CallForm()
    elif call is not None:
        form = CallForm(
            formdata=None,
            data={
                "opens_at": wall_clock(call.opens_at, event.tz),
                "closes_at": wall_clock(call.closes_at, event.tz),
                "edit_deadline": wall_clock(call.edit_deadline, event.tz),
                "allowed_kinds": list(call.allowed_kinds),
                "max_mb": max(1, round(call.max_bytes / MEGABYTE)),
                "abstract_word_limit": call.abstract_word_limit,
                "talk_minutes": call.talk_minutes,
                "topic_ids": [t.id for t in call.topics],
                "anonymous_review": call.anonymous_review,
                "criteria": [
                    {
                        "name": c.name,
                        "max_score": c.max_score,
                        "weight": c.weight,
                        "description": c.description,
                    }
                    for c in call.criteria
                ],
            },
        )
    else:
        form = CallForm(
            formdata=None,
            data={
                "allowed_kinds": list(DEFAULT_KINDS),
                "topic_ids": [t.id for t in tracks],
                "criteria": DEFAULT_CRITERIA,
            },
        )
    if request.method == "GET":
        for _ in range(2):
            form.criteria.append_entry()
    form.topic_ids.choices = [(t.id, t.name) for t in tracks]
    return form


@bp.route("/events/<slug>/papers/call", methods=["GET", "POST"])
@event_role_required("organiser")
def call_settings(event):
    call = call_for(event)
    tracks = tracks_of(event)
    form = _call_form(event, call, tracks)
    if form.validate_on_submit():
        details = CallDetails(
            opens_at=form.opens_at.data,
            closes_at=form.closes_at.data,
            edit_deadline=form.edit_deadline.data,
            allowed_kinds=tuple(form.allowed_kinds.data or ()),
            max_bytes=form.max_mb.data * MEGABYTE,
            abstract_word_limit=form.abstract_word_limit.data,
            anonymous_review=form.anonymous_review.data,
            talk_minutes=form.talk_minutes.data,
            topic_ids=tuple(form.topic_ids.data or ()),
            criteria=form.criteria_details(),
        )
        aliases = {"max_bytes": "max_mb", **row_aliases(form.criteria)}
        with attempt(form) as done, fields_as(aliases):
            save_call(event, details)
        if done:
            flash("The call for papers is saved.", "success")
            return redirect(url_for(".call_settings", slug=event.slug))
    return render_form(
        "papers/organiser/call.html",
        form,
        event=event,
        call=call,
        zone=_zone(event),
        has_tracks=bool(tracks),
    )


def _filters() -> tuple[str | None, int | None]:
    """The list's status and topic filters, from the query string."""
    status = check_status(request.args.get("status") or None)
    return status, read_id(request.args.get("topic"), "topic", "The topic filter")


@bp.get("/events/<slug>/papers")
@event_role_required("organiser")
def papers(event):
    call = call_for(event)
    status, track_id = _filters()
    counts = status_counts(event)
    criteria = list(call.criteria) if call else []
    # The list's links keep these filters, and only these.
    filters = {k: v for k, v in (("status", status), ("topic", track_id)) if v}
    return render_template(
        "papers/organiser/list.html",
        event=event,
        call=call,
        rows=paper_rows(event, criteria, status=status, track_id=track_id),
        counts=counts,
        total=sum(counts.values()),
        status=status,
        track_id=track_id,
        filters=filters,
        tracks=tracks_of(event),
        auto_form=AutoAssignForm(),
    )


@bp.get("/events/<slug>/papers.zip")
@event_role_required("organiser")
def papers_zip(event):
    status, track_id = _filters()
    entries = zip_entries(
        papers_for_download(event, [status] if status else None, track_id), storage()
    )
    name = f"{event.slug}-papers-{status or 'all'}.zip"
    return Response(
        stream_with_context(zip_stream(entries)),
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.get("/events/<slug>/papers/book-of-abstracts.pdf")
@event_role_required("organiser")
def book(event):
    out = io.BytesIO()
    write_book(event, out)
    return pdf_response(out.getvalue(), f"{event.slug}-book-of-abstracts.pdf")


def _paper_page(event, paper, decision_form=None, assign_form=None, status=200):
    """A paper's page for organisers; ``status`` 422 when one of its forms was refused."""
    choices = reviewer_choices(paper)
    assign_form = assign_form or AssignForm(formdata=None)
    assign_form.reviewer_id.choices = [("", "Choose a reviewer…")] + [
        (u.id, f"{u.display_name}{' (conflict of interest)' if conflict else ''}")
        for u, conflict in choices
    ]
    talk = paper.talk
    editor = "agenda.editor" in current_app.view_functions and talk is not None
    return render_template(
        "papers/organiser/paper.html",
        event=event,
        paper=paper,
        summary=reviews_for_organiser(paper),
        assignment_ids={a.reviewer_id: a.id for a in paper.assignments},
        assign_form=assign_form,
        conflicts=[(u, conflict) for u, conflict in choices if conflict],
        has_candidates=bool(choices),
        decision_form=decision_form or DecisionForm(formdata=None),
        confirm_form=ConfirmForm(),
        reviewable=is_open_for_review(paper),
        decidable=can_decide(paper),
        talk=talk,
        session_when=session_line(event, talk.session) if talk and talk.session else "",
        editor_url=url_for("agenda.editor", slug=event.slug) if editor else None,
    ), status


@bp.get("/events/<slug>/papers/<int:paper_id>")
@event_role_required("organiser")
def paper(event, paper_id):
    return _paper_page(event, get_paper(event, paper_id))


@bp.post("/events/<slug>/papers/<int:paper_id>/reviewers")
@event_role_required("organiser")
def assign(event, paper_id):
    paper = get_paper(event, paper_id)
    form = AssignForm()
    form.reviewer_id.choices = []
    if form.validate_on_submit():  # not, e.g., for a reviewer_id that is no id
        reviewer = db.session.get(User, form.reviewer_id.data) if form.reviewer_id.data else None
        with attempt(form) as done, fields_as({"reviewer": "reviewer_id"}):
            assignment = assign_reviewer(paper, reviewer, current_user)
        if done:
            flash(f"{assignment.reviewer.display_name} reviews “{paper.title}”.", "success")
            return redirect(url_for(".paper", slug=event.slug, paper_id=paper.id))
    return _paper_page(event, paper, assign_form=form, status=422)


@bp.post("/events/<slug>/papers/<int:paper_id>/reviewers/<int:assignment_id>/remove")
@event_role_required("organiser")
def unassign(event, paper_id, assignment_id):
    paper = get_paper(event, paper_id)
    assignment = next((a for a in paper.assignments if a.id == assignment_id), None)
    if assignment is None:
        raise NotFound("There is no such assignment.")
    if ConfirmForm().validate_on_submit():
        name = assignment.reviewer.display_name
        with attempt() as done:
            unassign_reviewer(assignment)
        if done:
            flash(f"{name} no longer reviews “{paper.title}”.", "info")
    return redirect(url_for(".paper", slug=event.slug, paper_id=paper.id))


@bp.post("/events/<slug>/papers/auto-assign")
@event_role_required("organiser")
def auto_assign_reviewers(event):
    form = AutoAssignForm()
    if not form.validate_on_submit():
        flash("Ask for 1 to 20 reviewers per paper.", "danger")
        return redirect(url_for(".papers", slug=event.slug))
    with attempt() as done:
        result = auto_assign(event, form.per_paper.data, current_user)
    if done:
        flash(f"{len(result.assigned)} new review assignment(s).", "success")
        if result.short:
            flash(
                f"{len(result.short)} paper(s) are short of reviewers without a conflict of "
                "interest: give more people the reviewer role, or assign by hand.",
                "warning",
            )
    return redirect(url_for(".papers", slug=event.slug))


@bp.post("/events/<slug>/papers/<int:paper_id>/decision")
@event_role_required("organiser")
def decision(event, paper_id):
    paper = get_paper(event, paper_id)
    form = DecisionForm()
    if form.validate_on_submit():
        with attempt(form) as done:
            decide(paper, form.decision.data, form.note.data or "", current_user)
        if done:
            flash(
                f"“{paper.title}” is {paper.status_label.lower()}; every author gets an e-mail.",
                "success",
            )
            return redirect(url_for(".paper", slug=event.slug, paper_id=paper.id))
    return _paper_page(event, paper, decision_form=form, status=422)


@bp.get("/events/<slug>/papers/<int:paper_id>/versions/<int:number>")
@login_required
def paper_file(slug, paper_id, number):
    event = get_event(slug)
    paper = get_paper(event, paper_id)
    if not has_event_role(current_user, event, "organiser"):
        raise NotFound(NO_SUCH_PAPER)  # not 403: ids are not to be probed
    version = version_of(paper, number)
    return send_version(version, version.original_filename)
