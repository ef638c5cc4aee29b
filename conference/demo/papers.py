"""The demo's call for papers and its papers (``data/papers.json``): each paper is written
as a one-page PDF, uploaded, reviewed and decided through the services authors, reviewers
and organisers use, so the programme's parallel sessions are made of accepted papers."""

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from conference.papers.assigning import assign_reviewer
from conference.papers.calls import CallDetails, CriterionDetails, call_for, save_call
from conference.papers.decisions import decide
from conference.papers.models import Paper
from conference.papers.reviewing import submit_review
from conference.papers.storage import storage_from_config
from conference.papers.submissions import AuthorDetails, SubmissionDetails, submit
from conference.papers.uploads import receive
from conference.pdf.text import draw_paragraph, draw_text


@dataclass
class Timeline:
    """When the call ran, counted from the event's first day; naive, event-local."""

    opens: datetime
    closes: datetime
    edits_close: datetime
    submitted: datetime
    reviewed: datetime
    decided: datetime

    @classmethod
    def before(cls, start: date, call: dict) -> "Timeline":
        """The call's dates for an event starting on ``start``."""
        opens = datetime.combine(
            start - timedelta(days=call["opens_days_before_event"]),
            time.fromisoformat(call["opens_at"]),
        )
        closes = opens + timedelta(days=call["closes_after_days"])
        return cls(
            opens=opens,
            closes=closes,
            edits_close=closes + timedelta(days=call["edits_after_close_days"]),
            submitted=opens + timedelta(days=call["papers_in_after_days"]),
            reviewed=opens + timedelta(days=call["reviews_in_after_days"]),
            decided=opens + timedelta(days=call["decisions_after_days"]),
        )


class DemoPapers:
    """The papers of ``papers.json`` for one event, submitted and decided one at a time."""

    def __init__(self, event, papers: dict, tracks: dict, people: dict, *, organiser, reviewers):
        self.event, self.tracks, self.people = event, tracks, people
        self.organiser, self.reviewers = organiser, reviewers
        self.themes, self.outcomes = papers["theme_abstracts"], papers["outcomes"]
        self.waiting = {paper["title"]: paper for paper in papers["papers"]}
        about = papers["call"]
        self.timeline = Timeline.before(event.start_date, about)
        self.call = call_for(event) or save_call(
            event,
            CallDetails(
                opens_at=self.timeline.opens,
                closes_at=self.timeline.closes,
                edit_deadline=self.timeline.edits_close,
                abstract_word_limit=about["abstract_word_limit"],
                anonymous_review=about["anonymous_review"],
                talk_minutes=about["talk_minutes"],
                topic_ids=tuple(track.id for track in tracks.values()),
                criteria=tuple(CriterionDetails(**c) for c in about["criteria"]),
            ),
        )

    def _at(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.event.tz)

    def submit_and_decide(self, title: str) -> Paper:
        """Submit the paper with this title, have it reviewed and decided as the data says."""
        entry = self.waiting.pop(title)
        paper = self._submit(entry)
        outcome = self.outcomes[entry["outcome"]]
        for n, reviewer in enumerate(self.reviewers):
            assignment = assign_reviewer(
                paper, reviewer, self.organiser, now=self._at(self.timeline.closes)
            )
            if "recommendation" in outcome:
                submit_review(
                    assignment,
                    self._scores(outcome["recommendation"], n, title),
                    outcome["recommendation"],
                    outcome["review"],
                    now=self._at(self.timeline.reviewed),
                )
        if "decision" in outcome:
            decide(
                paper,
                outcome["decision"],
                outcome["note"],
                self.organiser,
                now=self._at(self.timeline.decided),
                notify=False,
            )
        return paper

    def decide_the_rest(self) -> None:
        """The papers no session has called for: accepted late, or still in review."""
        for title in list(self.waiting):
            self.submit_and_decide(title)

    def _scores(self, recommendation: str, reviewer: int, title: str) -> dict:
        # Accepted papers get full marks or one below, varying from paper to paper and
        # reviewer to reviewer; the others two or three below.
        return {
            str(c.id): (
                c.max_score - (reviewer + len(title)) % 2
                if recommendation == "accept"
                else max(1, c.max_score - 2 - reviewer)
            )
            for c in self.call.criteria
        }

    def _submit(self, entry: dict) -> Paper:
        presenter = self.people[entry["presenter"]]
        city = presenter.delegation.name if presenter.delegation else presenter.organisation
        if "abstract" in entry:
            abstract = "\n\n".join(entry["abstract"])
        else:
            abstract = self.themes[entry["theme"]].format(city=city)
        authors = [
            AuthorDetails(person.display_name, person.organisation, person.email, n == 0)
            for n, person in enumerate(
                [presenter, *(self.people[email] for email in entry.get("co_authors", ()))]
            )
        ]
        pdf = paper_pdf(
            entry["title"], [(a.name, a.organisation) for a in authors], abstract, presenter.country
        )
        received = receive(
            io.BytesIO(pdf),
            f"{city} - {entry['title'].split(': ', 1)[-1]}.pdf",
            storage=storage_from_config(current_app),
            max_bytes=self.call.max_bytes,
            allowed_kinds=self.call.allowed_kinds,
        )
        return submit(
            self.event,
            presenter,
            SubmissionDetails(entry["title"], abstract, self.tracks[entry["track"]].id, authors),
            received,
            now=self._at(self.timeline.submitted),
            notify=False,
        )


def paper_pdf(title: str, authors: list[tuple[str, str]], abstract: str, country: str) -> bytes:
    """A one-page paper: title, authors and abstract, every script through the text module."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    width, height = A4
    left, text_width = 25 * mm, width - 50 * mm
    y = draw_paragraph(canvas, left, height - 30 * mm, title, text_width, 18, bold=True)
    y -= 4 * mm
    for name, organisation in authors:
        draw_text(canvas, left, y - 11, name, 11, country=country, bold=True)
        draw_text(canvas, left, y - 25, organisation, 10, country=country)
        y -= 32
    y -= 6 * mm
    draw_text(canvas, left, y - 12, "Abstract", 12, bold=True)
    y -= 20
    for paragraph in abstract.split("\n\n"):
        y = draw_paragraph(canvas, left, y, paragraph, text_width, 10.5, country=country) - 8
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
