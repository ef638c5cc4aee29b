"""Reviewers' pages: their papers at the event, the review form, and the paper's file
(the reviewers' copy while review is anonymous)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from conference.auth.decorators import event_role_required
from conference.errors import NotFound
from conference.events.services import get_event
from conference.pages import attempt, render_form
from conference.papers.calls import call_for
from conference.papers.forms import build_review_form, score_fields
from conference.papers.reviewing import (
    assignments_for,
    is_open_for_review,
    reviewer_assignment,
    reviewer_view,
    submit_review,
)
from conference.papers.views import bp
from conference.papers.views._common import send_version


@bp.get("/events/<slug>/reviews")
@event_role_required("reviewer", "organiser")
def reviews(event):
    assignments = assignments_for(event, current_user)
    return render_template(
        "papers/reviewer/list.html",
        event=event,
        assignments=assignments,
        decided={a.id for a in assignments if not is_open_for_review(a.paper)},
    )


def _review_form(criteria, existing):
    """The review form: as posted, or filled in with the reviewer's review so far."""
    if request.method == "POST":
        return build_review_form(criteria)
    if existing is None:
        return build_review_form(criteria, formdata=None)
    data = {f"score_{key}": value for key, value in existing.scores.items()}
    data.update(
        recommendation=existing.recommendation,
        comments_to_authors=existing.comments_to_authors,
        confidential_comments=existing.confidential_comments,
    )
    return build_review_form(criteria, formdata=None, data=data)


@bp.route("/events/<slug>/reviews/<int:assignment_id>", methods=["GET", "POST"])
@event_role_required("reviewer", "organiser")
def review(event, assignment_id):
    assignment = reviewer_assignment(event, current_user, assignment_id)
    view = reviewer_view(assignment)
    criteria = list(call_for(event).criteria)
    form = _review_form(criteria, assignment.review)
    open_for_review = is_open_for_review(assignment.paper)
    if open_for_review and form.validate_on_submit():
        with attempt(form) as done:
            submit_review(
                assignment,
                {str(c.id): field.data for c, field in score_fields(form, criteria)},
                form.recommendation.data,
                form.comments_to_authors.data or "",
                form.confidential_comments.data or "",
            )
        if done:
            flash(f"Your review of “{view.title}” is saved.", "success")
            return redirect(url_for(".reviews", slug=event.slug))
    return render_form(
        "papers/reviewer/review.html",
        form,
        event=event,
        assignment=assignment,
        view=view,
        scores=score_fields(form, criteria),
        open_for_review=open_for_review,
        file_name=view.file_name,
    )


@bp.get("/events/<slug>/reviews/<int:assignment_id>/paper")
@login_required
def review_file(slug, assignment_id):
    event = get_event(slug)
    assignment = reviewer_assignment(event, current_user, assignment_id)
    view = reviewer_view(assignment)
    if view.latest_version is None:
        raise NotFound("This paper has no file.")
    return send_version(view.latest_version, view.file_name, anonymous=view.anonymous)
