"""An event's registration settings: its categories, its custom questions, and the
settings on the event itself (edit deadline, privacy policy, visa letter text)."""

from datetime import datetime

from sqlalchemy import func, select

from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.registration.models import Category, Question
from conference.registration.places import promote_from_waiting_list
from conference.registration.validation import normalise_email

CHOICE_TYPES = ("single_choice", "multiple_choice")
EVENT_TEXTS = ("privacy_policy", "visa_letter_text", "visa_signatory_name", "visa_signatory_title")


def categories_for(event, *, public_only: bool = False) -> list[Category]:
    """The event's categories in their order (optionally only those open to everyone)."""
    query = select(Category).where(Category.event_id == event.id)
    if public_only:
        query = query.where(Category.invitation_code.is_(None))
    return list(db.session.scalars(query.order_by(Category.position, Category.id)))


def visible_categories(event, code: str | None) -> list[Category]:
    """The categories a registration form offers: the public ones, and the one whose
    invitation code was given."""
    return [c for c in categories_for(event) if c.is_public or (code and code == c.invitation_code)]


def questions_for(event, *, include_inactive: bool = False) -> list[Question]:
    """The event's custom questions, in their order."""
    query = select(Question).where(Question.event_id == event.id)
    if not include_inactive:
        query = query.where(Question.active.is_(True))
    return list(db.session.scalars(query.order_by(Question.position, Question.id)))


def _of_event(model, event, row_id, what: str):
    row = db.session.get(model, row_id)
    if row is None or row.event_id != event.id:
        raise NotFound(f"There is no such {what}.")
    return row


def get_category(event, category_id) -> Category:
    """One category of this event, or NotFound."""
    return _of_event(Category, event, category_id, "category")


def get_question(event, question_id) -> Question:
    """One custom question of this event, or NotFound."""
    return _of_event(Question, event, question_id, "question")


def _next_position(model, event) -> int:
    return 1 + db.session.scalar(
        select(func.coalesce(func.max(model.position), 0)).where(model.event_id == event.id)
    )


def save_category(event, category: Category | None, **values) -> Category:
    """Create or change a category; capacity never drops below the places taken."""
    name = (values.get("name") or "").strip()
    if not name:
        raise ValidationError("Give the category a name.", field="name")
    clash = db.session.scalar(
        select(Category.id).where(
            Category.event_id == event.id, func.lower(Category.name) == name.lower()
        )
    )
    if clash is not None and (category is None or clash != category.id):
        raise ValidationError("Another category has this name.", field="name")
    capacity = values.get("capacity")
    if capacity is not None and capacity < 0:
        raise ValidationError("Capacity cannot be negative.", field="capacity")
    if category is not None and capacity is not None and capacity < category.places_taken:
        raise ValidationError(
            f"{category.places_taken} places are taken already: the capacity cannot be lower.",
            field="capacity",
        )
    opens, closes = values.get("opens_at"), values.get("closes_at")
    if opens and closes and closes <= opens:
        raise ValidationError("It must close after it opens.", field="closes_at")
    if category is None:
        category = Category(event=event, position=_next_position(Category, event), places_taken=0)
        db.session.add(category)
    category.name = name
    for key in (
        "description",
        "capacity",
        "requires_approval",
        "opens_at",
        "closes_at",
        "badge_colour",
    ):
        if key in values:
            setattr(category, key, values[key])
    category.invitation_code = (values.get("invitation_code") or "").strip() or None
    db.session.flush()
    promote_from_waiting_list(category)
    return category


def save_question(event, question: Question | None, **values) -> Question:
    """Create or change a custom question; choice questions need at least two choices."""
    label = (values.get("label") or "").strip()
    if not label:
        raise ValidationError("Write the question.", field="label")
    kind = values.get("type")
    choices = [c.strip() for c in values.get("choices") or [] if c.strip()]
    if kind in CHOICE_TYPES:
        if len(choices) < 2:
            raise ValidationError("Give at least two choices, one per line.", field="choices")
        if len(set(choices)) != len(choices):
            raise ValidationError("Each choice must be different.", field="choices")
    else:
        choices = []
    if question is None:
        question = Question(event_id=event.id, position=_next_position(Question, event))
        db.session.add(question)
    question.label = label
    question.help_text = (values.get("help_text") or "").strip()
    question.type = kind
    question.required = bool(values.get("required"))
    question.choices = choices
    db.session.flush()
    return question


def hide_or_show_question(question: Question) -> Question:
    """Hide a question from the forms, or show it again; its answers are kept either way."""
    question.active = not question.active
    db.session.flush()
    return question


def save_registration_settings(
    event,
    *,
    edit_deadline: datetime | None,
    reply_to: str | None = None,
    visa_letters_need_approval: bool | None = None,
    **texts,
) -> None:
    """Set the event's edit deadline (an aware time, or None for the event's end), the
    address delegates' replies go to (empty: none), whether visa letters wait for approval,
    and its registration texts given (of ``EVENT_TEXTS``), stripped."""
    if reply_to is not None:
        address = ""
        if reply_to.strip():
            address, problem = normalise_email(reply_to)
            if problem:
                raise ValidationError(
                    "Enter the organisers' address, like info@example.org, or leave it empty.",
                    field="reply_to",
                )
        event.reply_to = address
    if visa_letters_need_approval is not None:
        event.visa_letters_need_approval = visa_letters_need_approval
    event.edit_deadline = edit_deadline
    for name in EVENT_TEXTS:
        if name in texts:
            setattr(event, name, (texts[name] or "").strip())
    db.session.flush()
