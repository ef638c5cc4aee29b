"""API: registering (public), and the event's registrations (organisers)."""

from flask import current_app, g, jsonify, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from conference.api.auth import api_login_required
from conference.api.bodies import read_json_object
from conference.api.serialisers import registration_json
from conference.api.views import bp
from conference.auth.services import require_event_role
from conference.badges.services import badge_token
from conference.errors import ValidationError
from conference.events.services import get_event
from conference.extensions import db, limiter
from conference.ids import MAX_ID, is_id, read_id
from conference.languages import ENGLISH, LANGUAGES, best_accepted
from conference.names import read_order
from conference.registration.fields import PASSPORT_FIELDS, TEXT_FIELDS, YES_NO_FIELDS
from conference.registration.history import Actor
from conference.registration.models import Registration
from conference.registration.registering import Context, RegistrationInvalid, register_or_remind
from conference.registration.search import (
    Filters,
    filtered_query,
    get_registration,
    page_after,
    paginate,
)
from conference.registration.validation import PassportData, RegistrationData

MAX_PER_PAGE = 200
FILTER_ARGS = ("status", "category_id", "country", "delegation_id", "q")
RECEIVED = _l(
    "Thank you: an e-mail is on its way to the address given, with the registration's "
    "status and its private link."
)


def _invalid(errors: dict, status: int = 422, message: str | None = None):
    message = message or gettext("Please correct the fields.")
    return jsonify({"errors": errors, "message": message}), status


def _data_from_json(body: dict) -> tuple[RegistrationData, dict]:
    """RegistrationData from a JSON body, and the type errors found on the way."""
    errors: dict[str, list[str]] = {}
    data = RegistrationData()
    for name in TEXT_FIELDS:
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            errors.setdefault(name, []).append("Must be text.")
        else:
            setattr(data, name, value)
    order = body.get("name_order")
    if order is not None and read_order(order) is None:
        # Left out, it is the default for the country and script; never "" (as the form's
        # "as is usual in my country" is).
        errors["name_order"] = ["Must be given_first or family_first, or left out."]
    for name in YES_NO_FIELDS:
        value = body.get(name)
        if value is not None and not isinstance(value, bool):
            errors.setdefault(name, []).append("Must be true or false.")
        elif value is not None:
            setattr(data, name, value)
    for name in ("category_id", "delegation_id"):
        value = body.get(name)
        if value is not None and not is_id(value):
            errors.setdefault(name, []).append(f"Must be a whole number from 1 to {MAX_ID}.")
        else:
            setattr(data, name, value)
    answers = body.get("answers", {})
    if not isinstance(answers, dict):
        errors.setdefault("answers", []).append("Must be an object: {question id: answer}.")
    else:
        data.answers = {str(k): v for k, v in answers.items()}
    passport = body.get("passport")
    if isinstance(passport, dict):
        data.passport = PassportData(**{k: passport.get(k) or "" for k in PASSPORT_FIELDS})
    return data, errors


def _language(body: dict) -> tuple[str, str | None]:
    """The delegate's language: the body's ``language`` (exactly one of our codes), else
    the best match of Accept-Language, else English; or why the body's is refused."""
    language = body.get("language")
    if language is None:
        return best_accepted(request.accept_languages) or ENGLISH, None
    if not isinstance(language, str) or language not in LANGUAGES:
        return ENGLISH, f"Must be one of {', '.join(LANGUAGES)}, or left out."
    return language, None


@bp.post("/events/<slug>/registrations")
@limiter.limit(lambda: current_app.config["REGISTRATION_RATE_LIMIT"])
def create_registration(slug):
    """202 for a new registration and for an address registered already (whose link is
    e-mailed to it) alike, with no link: the answer never tells whether an address is
    registered, and management links travel by e-mail only."""
    found = get_event(slug)
    body, problem = read_json_object()
    if problem:
        return _invalid({"body": [problem]}, 400, problem)
    data, type_errors = _data_from_json(body)
    language, problem = _language(body)
    if problem:
        type_errors["language"] = [problem]
    if type_errors:
        return _invalid(type_errors)
    code = body.get("invitation_code")
    try:
        register_or_remind(
            found,
            data,
            Context(
                source="api",
                invitation_code=code if isinstance(code, str) else None,
                actor=Actor.api(),
                language=language,
            ),
        )
    except RegistrationInvalid as exc:
        db.session.rollback()
        return _invalid(exc.errors)
    db.session.commit()
    return jsonify({"message": str(RECEIVED)}), 202


@bp.get("/events/<slug>/registrations")
@api_login_required
def list_registrations(slug):
    """Page by page (``page``), or after the last id seen (``after``, which the answer's
    ``next`` link carries): deep pages cost what the first does."""
    found = get_event(slug)
    require_event_role(g.api_user, found, "organiser")
    args = request.args
    per_page = min(max(_whole_arg("per_page", 50), 1), MAX_PER_PAGE)
    filters = Filters(
        status=args.get("status", ""),
        category_id=read_id(args.get("category_id"), "category_id", "category_id"),
        country=(args.get("country") or "")[:2],
        delegation_id=read_id(args.get("delegation_id"), "delegation_id", "delegation_id"),
        q=(args.get("q") or "")[:100],
    )
    query = filtered_query(found, filters).options(selectinload(Registration.answers))
    if "after" in args:
        after = _whole_arg("after", -1)
        if after < 0:
            raise ValidationError("after must be a whole number from 0.", field="after")
        if "page" in args:
            raise ValidationError("Give page or after, not both.", field="after")
        items, more = page_after(query, min(after, MAX_ID), per_page)
        body = {}
    else:
        items, total, pages, page = paginate(query, _whole_arg("page", 1), per_page)
        body = {"page": page, "pages": pages, "total": total}
        more = page < pages
    kept = {k: args[k] for k in FILTER_ARGS if args.get(k)}
    next_url = (
        url_for(".list_registrations", slug=slug, **kept, per_page=per_page, after=items[-1].id)
        if more and items
        else None
    )
    body.update(items=[registration_json(r) for r in items], per_page=per_page, next=next_url)
    return jsonify(body)


def _whole_arg(name: str, default: int) -> int:
    """A page number or size from the query string: any whole number (callers clamp it;
    beyond 18 digits it is simply large), the default when absent; else refused (400)."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    digits = raw.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        raise ValidationError(f"{name} must be a whole number.", field=name)
    value = int(digits) if len(digits) <= 18 else 10**18
    return -value if raw.startswith("-") else value


@bp.get("/events/<slug>/registrations/<int:rid>")
@api_login_required
def show_registration(slug, rid):
    found = get_event(slug)
    require_event_role(g.api_user, found, "organiser")
    registration = get_registration(found, rid)
    body = registration_json(registration)
    body["badge_token"] = badge_token(registration)
    body["badge_printed_count"] = registration.badge_printed_count
    return jsonify(body)
