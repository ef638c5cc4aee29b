"""Organiser pages: registrations, categories, questions, delegations, exports and imports."""

import io
from pathlib import Path

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from conference.auth.decorators import event_role_required
from conference.auth.forms import ConfirmForm
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.formatting import country_name
from conference.jobs.models import JobStatus
from conference.jobs.services import get_job_for, start_job
from conference.localtime import to_utc, wall_clock
from conference.pages import attempt, page_window, render_form
from conference.registration.delegations import (
    address_optional,
    delegation_choices,
    delegation_overview,
    delegation_sheet,
    delegations_for,
    get_delegation,
    visa_letters,
)
from conference.registration.emails import resend
from conference.registration.exports import (
    EXPORT_FORMATS,
    MIMETYPES,
    ImportFileError,
    count_rows,
    read_table,
    write_export,
)
from conference.registration.forms import (
    CategoryForm,
    ImportForm,
    ParticipantListForm,
    QuestionForm,
    SettingsForm,
    VisaRefusalForm,
    build_person_form,
    build_registration_form,
)
from conference.registration.history import MAX_PAGE, Actor, history
from conference.registration.imports import claim_upload, keep_upload, preview_import
from conference.registration.jobs import EXPORT_KIND, export_file, start_export
from conference.registration.links import manage_url
from conference.registration.participants import (
    VISIBILITY_LABELS,
    listed_count,
    participants_csv,
    set_visibility,
)
from conference.registration.places import (
    TRANSITIONS,
    actions_for,
    bulk_change,
    bulk_outcome,
    change_status,
    move_to_category,
    preview_bulk,
)
from conference.registration.registering import Context, register, update_registration
from conference.registration.search import (
    filtered_query,
    filters_from_args,
    get_registration,
    known_total,
    paginate,
    status_counts,
)
from conference.registration.settings import (
    EVENT_TEXTS,
    categories_for,
    get_category,
    get_question,
    hide_or_show_question,
    questions_for,
    save_category,
    save_question,
    save_registration_settings,
)
from conference.registration.views import bp
from conference.registration.views._common import (
    attempt_registration,
    participants_context,
    registration_form_data,
)
from conference.registration.visa import (
    VISA_STATUS_LABELS,
    approve_letter,
    delete_visa_data,
    letters_issued,
    refuse_letter,
    visa_letter_for,
    visa_request_counts,
    visa_requests,
)
from conference.web import external_url, pdf_response, safe_next

PER_PAGE = 50
CATEGORY_FIELDS = (
    "name",
    "description",
    "capacity",
    "requires_approval",
    "invitation_code",
    "badge_colour",
)
CATEGORY_TIMES = ("opens_at", "closes_at")


def _flash_promoted(promoted) -> None:
    for other in promoted:
        flash(f"{other.display_name} moved up from the waiting list.", "info")


@bp.get("/events/<slug>/registrations/")
@event_role_required("organiser")
def registrations(event):
    counts = status_counts(event)
    try:
        filters = filters_from_args(request.args)
    except ValidationError as exc:  # the form again, saying what is wrong; no rows
        filters, filter_error = None, exc
        items, total, pages, page = [], 0, 1, 1
    else:
        filter_error = None
        items, total, pages, page = paginate(
            filtered_query(event, filters),
            request.args.get("page", 1, type=int),
            PER_PAGE,
            total=known_total(filters, counts),
        )
    return render_template(
        "registration/organiser/list.html",
        event=event,
        items=items,
        total=total,
        pages=pages,
        page=page,
        page_links=page_window(page, pages),
        filters=filters,
        filter_error=filter_error,
        counts=counts,
        background_export=total > current_app.config["EXPORT_INLINE_LIMIT"],
        categories=categories_for(event),
        delegations=delegation_choices(event),
        actions=[a for a in TRANSITIONS if a != "restore"],
        form=ConfirmForm(),
    ), (400 if filter_error else 200)


@bp.post("/events/<slug>/registrations/bulk")
@event_role_required("organiser")
def bulk(event):
    """A bulk action in two steps: a page naming the action and the count ("Approve 10
    registrations?"), then (``confirmed``) the change, its outcome named the same way."""
    form = ConfirmForm()
    action = request.form.get("action", "")
    ids = request.form.getlist("ids")
    back = safe_next(request.form.get("back"), url_for(".registrations", slug=event.slug))
    if not form.validate_on_submit() or action not in TRANSITIONS:
        flash("Choose an action and at least one registration.", "warning")
        return redirect(back)
    if not ids:
        flash("Tick the registrations to change first.", "warning")
        return redirect(back)
    if not request.form.get("confirmed"):
        return render_template(
            "registration/organiser/bulk_confirm.html",
            event=event,
            preview=preview_bulk(event, ids, action),
            back=back,
            form=form,
        )
    with attempt() as done:
        changed, problems = bulk_change(event, ids, action, Actor.of_user(current_user))
    if done:
        told = "; e-mails are on their way." if changed else "."
        flash(f"{bulk_outcome(action, changed)}{told}", "success" if changed else "warning")
        for problem in problems[:10]:
            flash(problem, "warning")
    return redirect(back)


@bp.route("/events/<slug>/registrations/new", methods=["GET", "POST"])
@event_role_required("organiser")
def add_registration(event):
    questions = questions_for(event)
    form = build_registration_form(questions, categories_for(event), delegations_for(event))
    if form.validate_on_submit():
        context = Context(
            source="organiser",
            by_organiser=True,
            notify=bool(request.form.get("send_email")),
            actor=Actor.of_user(current_user),
        )
        with attempt_registration(form) as done:
            registration = register(event, form.registration_data(), context)
        if done:
            flash(
                f"{registration.display_name} is registered ({registration.status_label}).",
                "success",
            )
            return redirect(url_for(".registration", slug=event.slug, rid=registration.id))
    return render_form("registration/organiser/new.html", form, event=event)


@bp.get("/events/<slug>/registrations/<int:rid>")
@event_role_required("organiser")
def registration(event, rid):
    found = get_registration(event, rid)
    page = min(max(request.args.get("history", 1, type=int), 1), MAX_PAGE)
    entries, older = history(found, page)
    return render_template(
        "registration/organiser/detail.html",
        event=event,
        r=found,
        link=manage_url(found),
        questions=questions_for(event, include_inactive=True),
        form=ConfirmForm(),
        categories=categories_for(event),
        actions=actions_for(found),
        visa_labels=VISA_STATUS_LABELS,
        history=entries,
        newer=page - 1 if page > 1 else None,
        older=page + 1 if older else None,
    )


@bp.post("/events/<slug>/registrations/<int:rid>/emails/<int:message_id>/resend")
@event_role_required("organiser")
def resend_email(event, rid, message_id):
    """Send an e-mail of the registration's history again, to its current address."""
    found = get_registration(event, rid)
    if ConfirmForm().validate_on_submit():
        with attempt() as done:
            copy = resend(found, message_id, Actor.of_user(current_user))
        if done:
            flash(f"“{copy.subject}” is on its way to {copy.recipient} again.", "success")
    return redirect(url_for(".registration", slug=event.slug, rid=rid, _anchor="history"))


@bp.route("/events/<slug>/registrations/<int:rid>/edit", methods=["GET", "POST"])
@event_role_required("organiser")
def edit_registration(event, rid):
    found = get_registration(event, rid)
    questions = questions_for(event)
    if request.method == "GET":
        form = build_person_form(questions, formdata=None, data=registration_form_data(found))
        return render_form("registration/organiser/edit.html", form, event=event, r=found)
    form = build_person_form(questions)
    if form.validate_on_submit():
        with attempt_registration(form) as done:
            update_registration(
                found,
                form.registration_data(),
                by_organiser=True,
                organiser_note=request.form.get("organiser_note") or "",
                email_optional=address_optional(found),
                actor=Actor.of_user(current_user),
            )
        if done:
            flash("Saved.", "success")
            return redirect(url_for(".registration", slug=event.slug, rid=rid))
    return render_form("registration/organiser/edit.html", form, event=event, r=found)


@bp.post("/events/<slug>/registrations/<int:rid>/status")
@event_role_required("organiser")
def set_status(event, rid):
    found = get_registration(event, rid)
    if ConfirmForm().validate_on_submit():
        with attempt() as done:
            promoted = change_status(
                found, request.form.get("action", ""), actor=Actor.of_user(current_user)
            )
        if done:
            flash(f"Done: {found.display_name} is now {found.status_label.lower()}.", "success")
            _flash_promoted(promoted)
    return redirect(url_for(".registration", slug=event.slug, rid=rid))


@bp.post("/events/<slug>/registrations/<int:rid>/category")
@event_role_required("organiser")
def set_category(event, rid):
    found = get_registration(event, rid)
    if ConfirmForm().validate_on_submit():
        with attempt() as done:
            promoted = move_to_category(
                found, request.form.get("category_id", type=int), Actor.of_user(current_user)
            )
        if done:
            flash(
                f"{found.display_name} is now {found.category.name} "
                f"({found.status_label.lower()}).",
                "success",
            )
            _flash_promoted(promoted)
    return redirect(url_for(".registration", slug=event.slug, rid=rid))


def _export_format(fmt: str) -> str:
    if fmt not in EXPORT_FORMATS:
        raise NotFound("Exports are CSV or XLSX.")
    return fmt


@bp.get("/events/<slug>/registrations/export.<fmt>")
@event_role_required("organiser")
def export(event, fmt):
    """The file at once for a small export; for a large one, a page that starts a job."""
    fmt = _export_format(fmt)
    filters = filters_from_args(request.args)
    count = count_rows(event, filters)
    if count > current_app.config["EXPORT_INLINE_LIMIT"]:
        return render_template(
            "registration/organiser/export.html",
            event=event,
            fmt=fmt,
            count=count,
            form=ConfirmForm(),
        )
    out = io.BytesIO()
    write_export(event, fmt, out, filters)
    out.seek(0)
    return _export_download(event, fmt, out)


@bp.post("/events/<slug>/registrations/export.<fmt>")
@event_role_required("organiser")
def export_job(event, fmt):
    """Start a background export of the filtered list; its page shows the progress."""
    fmt = _export_format(fmt)
    if not ConfirmForm().validate_on_submit():
        raise ValidationError("The export form expired; press Export again.")
    record = start_export(current_user, event, fmt, filters_from_args(request.args))
    record.params = {
        **record.params,
        "download_url": url_for(".download_export", slug=event.slug, job_id=record.id),
    }
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=record.id))


@bp.get("/events/<slug>/registrations/exports/<job_id>")
@event_role_required("organiser")
def download_export(event, job_id):
    record = get_job_for(current_user, job_id)
    params = record.params or {}
    fmt = params.get("fmt")
    path = export_file(record.id, fmt) if fmt in EXPORT_FORMATS else None
    if (
        record.kind != EXPORT_KIND
        or params.get("event_id") != event.id
        or record.status != JobStatus.FINISHED
        or path is None
        or not path.exists()
    ):
        raise NotFound("This export is not ready, or has been deleted: export again.")
    return _export_download(event, fmt, path)


def _export_download(event, fmt: str, source):
    """An export as a download (``source``: a file's path, or the file itself)."""
    return send_file(
        source,
        mimetype=MIMETYPES[fmt],
        as_attachment=True,
        download_name=f"{event.slug}-registrations.{fmt}",
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
                token = keep_upload(_import_dir(), event, content)
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
    if not ConfirmForm().validate_on_submit():
        raise ValidationError("The import form expired; upload the file again.")
    path, count = claim_upload(_import_dir(), event, token)
    record = start_job(
        "registration.import",
        f"Import of {count} registrations into {event.title}",
        user=current_user,
        event_id=event.id,
        path=str(path),
        send_emails=bool(request.form.get("send_emails")),
        done_url=url_for(".registrations", slug=event.slug),
    )
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=record.id))


# Categories, questions, settings, delegations ---------------------------------------


@bp.route("/events/<slug>/categories", methods=["GET", "POST"])
@bp.route("/events/<slug>/categories/<int:cid>", methods=["GET", "POST"])
@event_role_required("organiser")
def categories(event, cid=None):
    category = get_category(event, cid) if cid is not None else None
    if category is not None and request.method == "GET":
        times = {name: wall_clock(getattr(category, name), event.tz) for name in CATEGORY_TIMES}
        form = CategoryForm(formdata=None, obj=category, data=times)
    else:
        form = CategoryForm()
    if form.validate_on_submit():
        values = {name: form[name].data for name in CATEGORY_FIELDS}
        with attempt(form, field="name") as done:
            for name in CATEGORY_TIMES:
                values[name] = to_utc(form[name].data, event.tz, field=name)
            saved = save_category(event, category, **values)
        if done:
            flash(f"The category “{saved.name}” is saved.", "success")
            return redirect(url_for(".categories", slug=event.slug))
    return render_form(
        "registration/organiser/categories.html",
        form,
        event=event,
        category=category,
        categories=categories_for(event),
        register_url=external_url("registration.register_form", slug=event.slug),
    )


@bp.route("/events/<slug>/questions", methods=["GET", "POST"])
@bp.route("/events/<slug>/questions/<int:qid>", methods=["GET", "POST"])
@event_role_required("organiser")
def questions(event, qid=None):
    question = get_question(event, qid) if qid is not None else None
    if question is not None and request.method == "GET":
        choices = "\n".join(question.choices)
        form = QuestionForm(formdata=None, obj=question, data={"choices": choices})
    else:
        form = QuestionForm()
    if form.validate_on_submit():
        with attempt(form, field="label") as done:
            saved = save_question(
                event,
                question,
                label=form.label.data,
                help_text=form.help_text.data,
                type=form.type.data,
                required=form.required.data,
                choices=(form.choices.data or "").splitlines(),
            )
        if done:
            flash(f"The question “{saved.label}” is saved.", "success")
            return redirect(url_for(".questions", slug=event.slug))
    return render_form(
        "registration/organiser/questions.html",
        form,
        event=event,
        question=question,
        questions=questions_for(event, include_inactive=True),
        toggle_form=ConfirmForm(),
    )


@bp.post("/events/<slug>/questions/<int:qid>/toggle")
@event_role_required("organiser")
def toggle_question(event, qid):
    question = get_question(event, qid)
    if ConfirmForm().validate_on_submit():
        with attempt() as done:
            hide_or_show_question(question)
        if done:
            flash(
                f"“{question.label}” is {'shown again' if question.active else 'hidden'}; "
                "answers given so far are kept.",
                "info",
            )
    return redirect(url_for(".questions", slug=event.slug))


@bp.route("/events/<slug>/registration-settings", methods=["GET", "POST"])
@event_role_required("organiser")
def settings(event):
    if request.method == "GET":
        deadline = wall_clock(event.edit_deadline, event.tz)
        form = SettingsForm(obj=event, data={"edit_deadline": deadline})
    else:
        form = SettingsForm()
    if form.validate_on_submit():
        with attempt(form) as done:
            save_registration_settings(
                event,
                edit_deadline=to_utc(form.edit_deadline.data, event.tz, field="edit_deadline"),
                reply_to=form.reply_to.data or "",
                visa_letters_need_approval=bool(form.visa_letters_need_approval.data),
                **{name: form[name].data for name in EVENT_TEXTS},
            )
        if done:
            flash("Registration settings saved.", "success")
            return redirect(url_for(".settings", slug=event.slug))
    return render_form(
        "registration/organiser/settings.html", form, event=event, delete_form=ConfirmForm()
    )


@bp.post("/events/<slug>/visa-data/delete")
@event_role_required("organiser")
def delete_visa(event):
    if ConfirmForm().validate_on_submit():
        with attempt() as done:
            count = delete_visa_data(event)
        if done:
            current_app.logger.info(
                "%s deleted %d passport records of %s", current_user.email, count, event.slug
            )
            flash(f"Passport details of {count} delegate(s) are deleted.", "success")
    return redirect(url_for(".settings", slug=event.slug))


@bp.get("/events/<slug>/registrations/<int:rid>/visa-letter.pdf")
@event_role_required("organiser")
def visa_letter(event, rid):
    from conference.registration.letters import render_visa_letter

    letter = visa_letter_for(get_registration(event, rid), issued_by=current_user)
    db.session.commit()  # the letter's date of issue, and the log of letters issued
    return pdf_response(render_visa_letter(letter), f"visa-letter-{rid}.pdf")


VISA_VIEWS = (*VISA_STATUS_LABELS, "issued")


@bp.get("/events/<slug>/visa-requests")
@event_role_required("organiser")
def visa_queue(event):
    """The visa letter requests in one state (awaiting approval first), or the letters issued."""
    show = request.args.get("show", "requested")
    if show not in VISA_VIEWS:
        show = "requested"
    return render_template(
        "registration/organiser/visa_requests.html",
        event=event,
        show=show,
        labels=VISA_STATUS_LABELS,
        counts=visa_request_counts(event),
        requests=visa_requests(event, show) if show != "issued" else [],
        issued=letters_issued(event) if show == "issued" else [],
        form=ConfirmForm(),
        refusal_form=VisaRefusalForm(formdata=None),
    )


def _back_to_queue(event):
    return redirect(safe_next(request.form.get("back"), url_for(".visa_queue", slug=event.slug)))


@bp.post("/events/<slug>/registrations/<int:rid>/visa/approve")
@event_role_required("organiser")
def approve_visa(event, rid):
    found = get_registration(event, rid)
    if ConfirmForm().validate_on_submit():
        with attempt() as done:
            approve_letter(found, current_user)
        if done:
            flash(
                f"{found.display_name}'s visa letter is approved; they are told by e-mail.",
                "success",
            )
    return _back_to_queue(event)


@bp.post("/events/<slug>/registrations/<int:rid>/visa/refuse")
@event_role_required("organiser")
def refuse_visa(event, rid):
    found = get_registration(event, rid)
    form = VisaRefusalForm()
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or "The form expired; try again.", "danger")
        return _back_to_queue(event)
    with attempt() as done:
        refuse_letter(found, form.reason.data, current_user)
    if done:
        flash(f"{found.display_name}'s visa letter is refused; they are told why.", "info")
    return _back_to_queue(event)


@bp.get("/events/<slug>/delegations")
@event_role_required("organiser")
def delegations(event):
    groups: dict[str, list] = {}
    for summary in delegation_overview(event):
        groups.setdefault(summary.delegation.country, []).append(summary)
    groups = dict(sorted(groups.items(), key=lambda item: country_name(item[0])))
    return render_template("registration/organiser/delegations.html", event=event, groups=groups)


@bp.get("/events/<slug>/delegations/<int:delegation_id>")
@event_role_required("organiser")
def delegation(event, delegation_id):
    sheet = delegation_sheet(get_delegation(event, delegation_id))
    return render_template(
        "registration/organiser/delegation.html", event=event, sheet=sheet, token=None
    )


@bp.get("/events/<slug>/delegations/<int:delegation_id>/visa-letters.pdf")
@event_role_required("organiser")
def delegation_visa_letters_pdf(event, delegation_id):
    from conference.registration.letters import render_visa_letters

    with attempt() as done:
        sheet = delegation_sheet(get_delegation(event, delegation_id))
        letters = visa_letters(sheet, issued_by=current_user)
    if not done:
        return redirect(url_for(".delegation", slug=event.slug, delegation_id=delegation_id))
    name = f"visa-letters-delegation-{delegation_id}.pdf"
    return pdf_response(render_visa_letters(letters), name)


@bp.route("/events/<slug>/participant-list", methods=["GET", "POST"])
@event_role_required("organiser")
def participant_list(event):
    """Who sees the participant list (a setting), and the list as they see it."""
    form = ParticipantListForm(data={"participant_list": event.participant_list})
    if request.method == "POST" and form.validate_on_submit():
        with attempt(form, field="participant_list") as done:
            set_visibility(event, form.participant_list.data)
        if done:
            label = VISIBILITY_LABELS[event.participant_list].lower()
            flash(f"Saved. Who sees the participant list: {label}.", "success")
            return redirect(url_for(".participant_list", slug=event.slug))
    context, status = participants_context(
        event, request.args, ".participant_list", slug=event.slug
    )
    listed, confirmed = listed_count(event)
    status = 422 if form.errors else status
    return render_template(
        "registration/organiser/participants.html",
        form=form,
        listed=listed,
        confirmed=confirmed,
        public_url=external_url("registration.participants", slug=event.slug),
        **context,
    ), status


@bp.get("/events/<slug>/participant-list.csv")
@event_role_required("organiser")
def participant_list_csv(event):
    """The whole participant list as CSV, written as it is read (any size)."""
    return Response(
        stream_with_context(participants_csv(event)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{event.slug}-participants.csv"',
            "Cache-Control": "private, no-store",
        },
    )
