"""The demo's call for papers: the learning cities' papers, Son La's among them, reviewed
and accepted through the same services organisers and reviewers use, so the agenda's
parallel sessions are made of accepted papers."""

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
from conference.papers.reviewing import submit_review
from conference.papers.storage import storage_from_config
from conference.papers.submissions import AuthorDetails, SubmissionDetails, submit
from conference.papers.uploads import receive
from conference.pdf.text import draw_paragraph, draw_text

# From the Son La Newspaper's report of the conference (shared/seeds).
SON_LA_ABSTRACT = (
    "In February 2024 Son La became the fifth city in Viet Nam, and the first in a "
    "disadvantaged mountainous region, to join the UNESCO Global Network of Learning Cities. "
    "The city allocates 34% of its total budget to education, including building a learning "
    "society.\n\n"
    "This paper describes how the city makes learning reach everyone: 112 Houses of Wisdom "
    "and Compassionate Libraries built on village cultural centres, where residents learn, "
    "take part in cultural and sports activities and help each other; 35 Thai cultural clubs "
    "that preserve the language, teach the writing system of ethnic minorities and restore "
    "traditional festivals and costumes; the “Son La – My Beloved Global Learning City” "
    "competition, with nearly 300 entries linking learning to environmental protection and "
    "climate action; and a pilot of learning through art and music with the Finnish Lau Lau "
    "Learning method.\n\n"
    "We discuss what it takes for no one to be left behind in a city of many peoples and "
    "languages, and what other new learning cities can take from it."
)

THEME_ABSTRACTS = {
    "building a learning city where no one is left behind": (
        "How {city} brings learning to the people most often left out: residents of remote "
        "neighbourhoods, ethnic minorities, people with disabilities and older citizens. We "
        "present the city's outreach through community centres and libraries and what "
        "participation data show after the first year."
    ),
    "lifelong learning for climate resilience": (
        "{city} faces floods, heat and changing seasons. This paper shows how neighbourhood "
        "learning programmes prepare households for disasters and teach low-carbon habits, "
        "and how the city measures what people retain."
    ),
    "community learning centres as city infrastructure": (
        "Community learning centres in {city} are planned, funded and maintained like roads "
        "and clinics. We describe the standards, the staffing model and the partnerships "
        "with schools and civil society that keep them open to everyone."
    ),
    "digital skills for older citizens": (
        "An ageing population needs digital skills to reach public services, family and "
        "work. {city} trains volunteers of all ages to teach older citizens in their own "
        "neighbourhoods; we report on the method and its results."
    ),
    "learning in parks, streets and homes": (
        "Learning happens not only in classrooms. {city} turned parks, markets, streets and "
        "homes into places of learning; this paper presents the programmes and how residents "
        "shaped them."
    ),
    "measuring progress as a learning city": (
        "Which indicators tell a city that it learns? {city} adapted the UNESCO Key Features "
        "of Learning Cities to local data sources; we share the dashboard, its limits and "
        "what it changed in the city's budget decisions."
    ),
    "youth out of school: second chances": (
        "More than 8 million young people are out of school in South-East Asia. {city} "
        "offers flexible second-chance programmes with employers and vocational schools; "
        "this paper follows three cohorts of learners."
    ),
    "partnerships between universities and city halls": (
        "Universities in {city} work with the city hall on research, teacher training and "
        "open courses for residents. We describe the agreements that made it last and the "
        "projects it produced."
    ),
}

CRITERIA = (
    CriterionDetails("Relevance to learning cities", 5, 2, "Does it answer the call's themes?"),
    CriterionDetails("Evidence and results", 5, 1, "Data, evaluation, lessons learnt."),
    CriterionDetails("Transferability", 5, 1, "Could other cities use it?"),
)


@dataclass
class DemoTimeline:
    """When the demo's call ran: before the event, in the event's local time."""

    opens: datetime
    closes: datetime
    reviews: datetime
    decisions: datetime

    @classmethod
    def before(cls, start: date) -> "DemoTimeline":
        opens = datetime.combine(start - timedelta(days=90), time(9))
        return cls(
            opens=opens,
            closes=opens + timedelta(days=45),
            reviews=opens + timedelta(days=52),
            decisions=opens + timedelta(days=60),
        )


def _aware(event, local: datetime) -> datetime:
    return local.replace(tzinfo=event.tz)


def demo_call(event, tracks):
    """The event's call for papers (kept if it exists)."""
    call = call_for(event)
    if call is not None:
        return call
    timeline = DemoTimeline.before(event.start_date)
    return save_call(
        event,
        CallDetails(
            opens_at=timeline.opens,
            closes_at=timeline.closes,
            edit_deadline=timeline.closes + timedelta(days=14),
            abstract_word_limit=300,
            anonymous_review=True,
            talk_minutes=25,
            topic_ids=tuple(t.id for t in tracks),
            criteria=CRITERIA,
        ),
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


def accepted_paper_talk(event, call, presenter, title, track, *, reviewers, organiser):
    """Submit, review and accept one paper by the presenter (with a co-author from their
    delegation); return the talk waiting to be placed."""
    paper = demo_paper(event, call, presenter, title, track)
    timeline = DemoTimeline.before(event.start_date)
    for n, reviewer in enumerate(reviewers):
        assignment = assign_reviewer(paper, reviewer, organiser, now=_aware(event, timeline.closes))
        submit_review(
            assignment,
            {str(c.id): c.max_score - (n + len(title)) % 2 for c in call.criteria},
            "accept",
            "A clear account of what the city did and what it learnt.",
            now=_aware(event, timeline.reviews),
        )
    decide(
        paper,
        "accept",
        "Congratulations: your paper is accepted for a parallel session.",
        organiser,
        now=_aware(event, timeline.decisions),
        notify=False,
    )
    return paper.talk


def demo_paper(event, call, presenter, title, track, *, abstract=None):
    """One submitted paper with its PDF stored like any upload."""
    city = presenter.delegation.name if presenter.delegation else presenter.organisation
    if abstract is None:
        theme = title.split(": ", 1)[-1]
        abstract = (
            SON_LA_ABSTRACT
            if "Son La" in city
            else THEME_ABSTRACTS.get(
                theme, THEME_ABSTRACTS["measuring progress as a learning city"]
            ).format(city=city)
        )
    authors = [AuthorDetails(presenter.display_name, presenter.organisation, presenter.email, True)]
    if presenter.delegation is not None:
        colleague = next(
            (
                m
                for m in presenter.delegation.members
                if m.id != presenter.id and m.status == "confirmed"
            ),
            None,
        )
        if colleague is not None:
            authors.append(
                AuthorDetails(colleague.display_name, colleague.organisation, colleague.email)
            )
    pdf = paper_pdf(
        title,
        [(a.name, a.organisation) for a in authors],
        abstract,
        presenter.country,
    )
    received = receive(
        io.BytesIO(pdf),
        f"{city} - {title.split(': ', 1)[-1]}.pdf",
        storage=storage_from_config(current_app),
        max_bytes=call.max_bytes,
        allowed_kinds=call.allowed_kinds,
    )
    timeline = DemoTimeline.before(event.start_date)
    return submit(
        event,
        presenter,
        SubmissionDetails(title, abstract, track.id if track else None, authors),
        received,
        now=_aware(event, timeline.opens + timedelta(days=20)),
        notify=False,
    )


def papers_in_review(event, call, authors, *, reviewers, organiser):
    """Papers still in the review pipeline: one waiting for its reviews (the demo
    reviewer's work), one reviewed and waiting for a decision, one sent back for revision,
    one not accepted."""
    timeline = DemoTimeline.before(event.start_date)
    outcomes = ("waiting", "reviewed", "revise", "reject")
    for (author, title, track), outcome in zip(authors, outcomes, strict=False):
        paper = demo_paper(event, call, author, title, track)
        for n, reviewer in enumerate(reviewers):
            assignment = assign_reviewer(
                paper, reviewer, organiser, now=_aware(event, timeline.closes)
            )
            if outcome == "waiting":
                continue
            submit_review(
                assignment,
                {str(c.id): max(1, c.max_score - 2 - n) for c in call.criteria},
                "revise" if outcome != "reject" else "reject",
                "The results need the data behind them: how many learners, over what time?",
                now=_aware(event, timeline.reviews),
            )
        if outcome in ("revise", "reject"):
            note = (
                "Please add the evaluation data the reviewers ask for."
                if outcome == "revise"
                else "Thank you: the programme could not include every paper this year."
            )
            decide(
                paper,
                outcome,
                note,
                organiser,
                now=_aware(event, timeline.decisions),
                notify=False,
            )
