"""Organiser pages: registrations, categories, questions, delegations, exports and imports."""

import secrets
from pathlib import Path

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import selectinload

from conference.agenda.ids import is_id, read_id
from conference.auth.decorators import event_role_required
from conference.auth.forms import ConfirmForm
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.formatting import country_name
from conference.jobs.services import start_job
from conference.registration import (
    routes as delegate_routes,  # a module, not names: the two import each other
)
from conference.registration.exports import (
    ImportFileError,
    export_rows,
    read_table,
    to_csv,
    to_xlsx,
)
from conference.registration.forms import (
    CategoryForm,
    ImportForm,
    QuestionForm,
    SettingsForm,
    build_person_form,
    build_registration_form,
)
from conference.registration.models import STATUS_LABELS, Category, Question, Registration
from conference.registration.services import (
    TRANSITIONS,
    Context,
    Filters,
    RegistrationInvalid,
    bulk_change,
    categories_for,
    change_status,
    delegations_for,
    delete_visa_data,
    filtered_query,
    get_registration,
    manage_url,
    move_to_category,
    paginate,
    preview_import,
    questions_for,
    register,
    save_category,
    save_question,
    status_counts,
    update_registration,
    visa_letter_for,
)
from conference.registration.views import bp
from conference.text import strip_controls
from conference.web import external_url, pdf_response, safe_next

PER_PAGE = 50


def _filters() -> Filters:
    args = request.args
    return Filters(
        status=args.get("status", "") if args.get("status") in STATUS_LABELS else "",
        category_id=read_id(args.get("category"), "category", "The category filter"),
        country=(args.get("country") or "")[:2],
        delegation_id=read_id(args.get("delegation"), "delegation", "The delegation filter"),
        q=(args.get("q") or "")[:100],
    )


@bp.get("/events/<slug>/registrations/")
@event_role_required("organiser")
def registrations(event):
    filters = _filters()
    items, total, pages, page = paginate(
        filtered_query(event, filters), request.args.get("page", 1, type=int), PER_PAGE
    )
    return render_template(
        "registration/organiser/list.html",
        event=event,
        items=items,
        total=total,
        pages=pages,
        page=page,
        filters=filters,
        counts=status_counts(event),
        categories=categories_for(event),
        delegations=delegations_for(event),
        actions=[a for a in TRANSITIONS if a != "restore"],
        form=ConfirmForm(),
    )


@bp.post("/events/<slug>/registrations/bulk")
@event_role_required("organiser")
def bulk(event):
    form = ConfirmForm()
    action = request.form.get("action", "")
    ids = request.form.getlist("ids")
    if not form.validate_on_submit() or action not in TRANSITIONS:
        flash("Choose an action and at least one registration.", "warning")
    elif not ids:
        flash("Tick the registrations to change first.", "warning")
    else:
        done, problems = bulk_change(event, ids, action)
        db.session.commit()
        flash(f"{done} registration(s): {action} done; e-mails are on their way.", "success")
        for problem in problems[:10]:
            flash(problem, "warning")
    return redirect(safe_next(request.form.get("back"), url_for(".registrations", slug=event.slug)))


@bp.route("/events/<slug>/registrations/new", methods=["GET", "POST"])
@event_role_required("organiser")
def add_registration(event):
    questions = questions_for(event)
    form = build_registration_form(questions, categories_for(event), delegations_for(event))
    if form.validate_on_submit():
        try:
            registration = register(
                event,
                form.registration_data(),
                Context(
                    source="organiser",
                    by_organiser=True,
                    notify=bool(request.form.get("send_email")),
                ),
            )
        except RegistrationInvalid as exc:
            db.session.rollback()
            delegate_routes.attach_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(
                f"{registration.display_name} is registered ({registration.status_label}).",
                "success",
            )
            return redirect(url_for(".registration", slug=event.slug, rid=registration.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("registration/organiser/new.html", event=event, form=form), status


@bp.get("/events/<slug>/registrations/<int:rid>")
@event_role_required("organiser")
def registration(event, rid):
    found = get_registration(event, rid)
    return render_template(
        "registration/organiser/detail.html",
        event=event,
        r=found,
        link=manage_url(found),
        questions=questions_for(event, include_inactive=True),
        form=ConfirmForm(),
        categories=categories_for(event),
        actions=[a for a, (allowed, _, _) in TRANSITIONS.items() if found.status in allowed],
    )


@bp.route("/events/<slug>/registrations/<int:rid>/edit", methods=["GET", "POST"])
@event_role_required("organiser")
def edit_registration(event, rid):
    found = get_registration(event, rid)
    questions = questions_for(event)
    if request.method == "POST":
        form = build_person_form(questions)
        if form.validate_on_submit():
            try:
                update_registration(found, form.registration_data(), by_organiser=True)
            except RegistrationInvalid as exc:
                db.session.rollback()
                delegate_routes.attach_errors(form, exc.errors)
            else:
                note = strip_controls(request.form.get("organiser_note") or "", multiline=True)
                found.organiser_note = note[:5000]
                db.session.commit()
                flash("Saved.", "success")
                return redirect(url_for(".registration", slug=event.slug, rid=rid))
    else:
        form = build_person_form(
            questions, formdata=None, data=delegate_routes.registration_form_data(found)
        )
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "registration/organiser/edit.html", event=event, r=found, form=form
    ), status


@bp.post("/events/<slug>/registrations/<int:rid>/status")
@event_role_required("organiser")
def set_status(event, rid):
    found = get_registration(event, rid)
    form = ConfirmForm()
    action = request.form.get("action", "")
    if form.validate_on_submit():
        try:
            promoted = change_status(found, action)
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(f"Done: {found.display_name} is now {found.status_label.lower()}.", "success")
            for other in promoted:
                flash(f"{other.display_name} moved up from the waiting list.", "info")
    return redirect(url_for(".registration", slug=event.slug, rid=rid))


@bp.post("/events/<slug>/registrations/<int:rid>/category")
@event_role_required("organiser")
def set_category(event, rid):
    found = get_registration(event, rid)
    category_id = request.form.get("category_id", type=int)
    category = db.session.get(Category, category_id) if is_id(category_id) else None
    if ConfirmForm().validate_on_submit():
        if category is None or category.event_id != event.id:
            flash("Choose a category of this event.", "danger")
        else:
            promoted = move_to_category(found, category)
            db.session.commit()
            flash(
                f"{found.display_name} is now {category.name} ({found.status_label.lower()}).",
                "success",
            )
            for other in promoted:
                flash(f"{other.display_name} moved up from the waiting list.", "info")
    return redirect(url_for(".registration", slug=event.slug, rid=rid))


@bp.get("/events/<slug>/registrations/export.<fmt>")
@event_role_required("organiser")
def export(event, fmt):
    if fmt not in ("csv", "xlsx"):
        raise NotFound("Exports are CSV or XLSX.")
    query = filtered_query(event, _filters()).options(selectinload(Registration.answers))
    registrations = db.session.scalars(query).all()
    rows = export_rows(event, registrations, questions_for(event, include_inactive=True))
    name = f"{event.slug}-registrations.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return Response("".join(to_csv(rows)), mimetype="text/csv", headers=headers)
    return Response(
        to_xlsx(rows),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=headers,
    )


def _import_dir() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@bp.route("/events/<slug>/registrations/import", methods=["GET", "POST"])
@event_role_required("organiser")
def import_registrations(event):
    form = ImportForm()
    preview = None
    token = None
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read() if upload else b""
        try:
            rows = read_table(upload.filename if upload else "", content)
        except ImportFileError as exc:
            form.file.errors = [str(exc)]
        else:
            preview = preview_import(event, rows)
            if not any(row.errors for row in preview):
                # Keep the file until the organiser confirms; nothing is imported yet.
                token = secrets.token_urlsafe(16)
                suffix = ".xlsx" if content[:4] == b"PK\x03\x04" else ".csv"
                (_import_dir() / f"{event.id}-{token}{suffix}").write_bytes(content)
    status = 422 if form.file.errors or (preview and any(r.errors for r in preview)) else 200
    return render_template(
        "registration/organiser/import.html",
        event=event,
        form=form,
        preview=preview,
        token=token,
        confirm_form=ConfirmForm(),
    ), status


@bp.post("/events/<slug>/registrations/import/<token>")
@event_role_required("organiser")
def confirm_import(event, token):
    if (
        not ConfirmForm().validate_on_submit()
        or not token.replace("-", "").replace("_", "").isalnum()
    ):
        raise ValidationError("The import form expired; upload the file again.")
    matches = [
        path
        for path in _import_dir().glob(f"{event.id}-{token}.*")
        if path.suffix in (".csv", ".xlsx")
    ]
    if not matches:
        raise ValidationError(
            "This import was done already, or has expired; upload the file again."
        )
    path = matches[0]
    rows = read_table(path.name, path.read_bytes())
    # Renamed first, so the same file cannot be imported twice.
    claimed = path.with_name(path.name + ".importing")
    path.rename(claimed)
    record = start_job(
        "registration.import",
        f"Import of {len(rows)} registrations into {event.title}",
        user=current_user,
        event_id=event.id,
        path=str(claimed),
        send_emails=bool(request.form.get("send_emails")),
        done_url=url_for(".registrations", slug=event.slug),
    )
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=record.id))


# Categories, questions, settings, delegations ---------------------------------------


def _local(event, moment):
    return (
        moment.replace(tzinfo=None) if moment is None else event.local(moment).replace(tzinfo=None)
    )


@bp.route("/events/<slug>/categories", methods=["GET", "POST"])
@bp.route("/events/<slug>/categories/<int:cid>", methods=["GET", "POST"])
@event_role_required("organiser")
def categories(event, cid=None):
    category = None
    if cid is not None:
        category = db.session.get(Category, cid)
        if category is None or category.event_id != event.id:
            raise NotFound("There is no such category.")
    if category is not None and request.method == "GET":
        form = CategoryForm(
            formdata=None,
            obj=category,
            data={
                "opens_at": _local(event, category.opens_at) if category.opens_at else None,
                "closes_at": _local(event, category.closes_at) if category.closes_at else None,
            },
        )
    else:
        form = CategoryForm()
    if form.validate_on_submit():
        values = {
            name: form[name].data
            for name in (
                "name",
                "description",
                "capacity",
                "requires_approval",
                "invitation_code",
                "badge_colour",
            )
        }
        for name in ("opens_at", "closes_at"):
            moment = form[name].data
            values[name] = moment.replace(tzinfo=event.tz) if moment else None
        try:
            saved = save_category(event, category, **values)
        except ValidationError as exc:
            db.session.rollback()
            form[exc.field or "name"].errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"The category “{saved.name}” is saved.", "success")
            return redirect(url_for(".categories", slug=event.slug))
    status = 422 if form.errors else 200
    return render_template(
        "registration/organiser/categories.html",
        event=event,
        form=form,
        category=category,
        categories=categories_for(event),
        register_url=external_url("registration.register_form", slug=event.slug),
    ), status


@bp.route("/events/<slug>/questions", methods=["GET", "POST"])
@bp.route("/events/<slug>/questions/<int:qid>", methods=["GET", "POST"])
@event_role_required("organiser")
def questions(event, qid=None):
    question = None
    if qid is not None:
        question = db.session.get(Question, qid)
        if question is None or question.event_id != event.id:
            raise NotFound("There is no such question.")
    if question is not None and request.method == "GET":
        form = QuestionForm(
            formdata=None, obj=question, data={"choices": "\n".join(question.choices)}
        )
    else:
        form = QuestionForm()
    if form.validate_on_submit():
        try:
            saved = save_question(
                event,
                question,
                label=form.label.data,
                help_text=form.help_text.data,
                type=form.type.data,
                required=form.required.data,
                choices=(form.choices.data or "").splitlines(),
            )
        except ValidationError as exc:
            db.session.rollback()
            form[exc.field or "label"].errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"The question “{saved.label}” is saved.", "success")
            return redirect(url_for(".questions", slug=event.slug))
    return render_template(
        "registration/organiser/questions.html",
        event=event,
        form=form,
        question=question,
        questions=questions_for(event, include_inactive=True),
        toggle_form=ConfirmForm(),
    ), 422 if form.errors else 200


@bp.post("/events/<slug>/questions/<int:qid>/toggle")
@event_role_required("organiser")
def toggle_question(event, qid):
    question = db.session.get(Question, qid)
    if question is None or question.event_id != event.id:
        raise NotFound("There is no such question.")
    if ConfirmForm().validate_on_submit():
        question.active = not question.active
        db.session.commit()
        flash(
            f"“{question.label}” is {'shown again' if question.active else 'hidden'}; "
            "answers given so far are kept.",
            "info",
        )
    return redirect(url_for(".questions", slug=event.slug))


@bp.route("/events/<slug>/registration-settings", methods=["GET", "POST"])
@event_role_required("organiser")
def settings(event):
    form = (
        SettingsForm(
            obj=event,
            data={
                "edit_deadline": _local(event, event.edit_deadline) if event.edit_deadline else None
            },
        )
        if request.method == "GET"
        else SettingsForm()
    )
    if form.validate_on_submit():
        deadline = form.edit_deadline.data
        event.edit_deadline = deadline.replace(tzinfo=event.tz) if deadline else None
        for name in (
            "privacy_policy",
            "visa_letter_text",
            "visa_signatory_name",
            "visa_signatory_title",
        ):
            setattr(event, name, (form[name].data or "").strip())
        db.session.commit()
        flash("Registration settings saved.", "success")
        return redirect(url_for(".settings", slug=event.slug))
    return render_template(
        "registration/organiser/settings.html", event=event, form=form, delete_form=ConfirmForm()
    )


@bp.post("/events/<slug>/visa-data/delete")
@event_role_required("organiser")
def delete_visa(event):
    if ConfirmForm().validate_on_submit():
        try:
            count = delete_visa_data(event)
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            current_app.logger.info(
                "%s deleted %d passport records of %s", current_user.email, count, event.slug
            )
            flash(f"Passport details of {count} delegate(s) are deleted.", "success")
    return redirect(url_for(".settings", slug=event.slug))


@bp.get("/events/<slug>/registrations/<int:rid>/visa-letter.pdf")
@event_role_required("organiser")
def visa_letter(event, rid):
    from conference.registration.letters import render_visa_letter

    letter = visa_letter_for(get_registration(event, rid))
    db.session.commit()  # the letter's date of issue is kept
    return pdf_response(render_visa_letter(letter), f"visa-letter-{rid}.pdf")


@bp.get("/events/<slug>/delegations")
@event_role_required("organiser")
def delegations(event):
    groups: dict[str, list] = {}
    for delegation in delegations_for(event, with_members=True):
        groups.setdefault(delegation.country, []).append(delegation)
    groups = dict(sorted(groups.items(), key=lambda item: country_name(item[0])))
    return render_template("registration/organiser/delegations.html", event=event, groups=groups)
