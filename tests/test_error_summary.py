"""The error summary at the top of every form: each problem named and linked to its field
(WCAG 3.3.1), and fields that become needed marked as required."""

import re
from pathlib import Path

import wtforms
from werkzeug.datastructures import MultiDict

from conference.forms import ErrorItem, Form, error_items
from tests.factories import make_category, make_event, registration_form

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


class _Author(Form):
    name = wtforms.StringField("Name", validators=[wtforms.validators.InputRequired()])


class _Paper(Form):
    title = wtforms.StringField("Title", validators=[wtforms.validators.InputRequired()])
    kind = wtforms.RadioField(
        "Kind", choices=["talk", "poster"], validators=[wtforms.validators.InputRequired()]
    )
    authors = wtforms.FieldList(wtforms.FormField(_Author), label="Author", min_entries=2)


def test_error_items_name_each_field_in_form_order_with_the_control_to_move_to():
    form = _Paper(MultiDict({"authors-0-name": "Ada", "authors-1-name": ""}))
    assert not form.validate()
    form.form_errors.append("The call is closed.")
    items = error_items(form)
    assert [(i.label, i.target) for i in items] == [
        ("Title", "title"),
        ("Kind", "kind-0"),  # a group of options: its first option
        ("Author 2: Name", "authors-1-name"),
        ("", None),  # the form's own message has no field
    ]
    assert items[-1] == ErrorItem("", None, "The call is closed.")
    assert error_items(_Paper(MultiDict({"title": "T", "kind": "talk"}))) == []


def _summary(html: str) -> str:
    found = re.search(r"<div class=\"alert alert-danger error-summary\".*?</ul>", html, re.S)
    assert found, "no error summary on the page"
    return found.group(0)


def test_registration_form_lists_and_links_every_problem_at_its_top(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    response = client.post(
        f"/events/{event.slug}/register",
        data=registration_form(category, email="not-an-email", country="", privacy_accepted=""),
    )
    assert response.status_code == 422
    summary = _summary(response.text)
    assert "There are 3 problems" in summary
    links = [
        (target, re.sub(r"<[^>]+>", "", text))
        for target, text in re.findall(
            r'<a class="alert-link[^"]*" href="#([\w-]+)">(.*?)</a>', summary
        )
    ]
    assert [target for target, _ in links] == ["email", "country", "privacy_accepted"]
    assert links[0][1].startswith("E-mail: Enter a valid e-mail address")
    for target, _ in links:  # every link leads to a control on the page
        assert f'id="{target}"' in response.text
    assert response.text.index("error-summary") < response.text.index('<form method="post"')
    assert 'tabindex="-1"' in summary and "data-error-summary" in summary


def test_a_category_left_out_links_to_its_first_option(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    make_category(event, "Observer")
    response = client.post(
        f"/events/{event.slug}/register", data=registration_form(category, category_id="")
    )
    summary = _summary(response.text)
    assert re.search(
        r'href="#category_id-0"><span[^>]*>How you take part:</span> Choose how you take part.',
        summary,
    )
    assert 'id="category_id-0"' in response.text


def test_no_summary_on_a_form_not_yet_sent(client, db):
    event = make_event()
    make_category(event, "Delegate")
    assert "error-summary" not in client.get(f"/events/{event.slug}/register").text


def _passport_inputs(html: str) -> dict[str, str]:
    return {
        name: re.search(rf"<(?:input|select)[^>]*\bname=\"{name}\"[^>]*>", html).group(0)
        for name in ("passport_name", "passport_number", "nationality", "date_of_birth")
    }


def _passport_marker_hidden(html: str) -> bool:
    label = re.search(r'for="passport_number">[^<]*</label>\s*(<span[^>]*>)', html).group(1)
    assert "required-marker" in label
    return re.search(r"\shidden[\s>]", label) is not None


def test_passport_is_marked_required_once_a_visa_letter_is_asked_for(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    url = f"/events/{event.slug}/register"

    blank = client.get(url).text
    assert _passport_marker_hidden(blank)
    for tag in _passport_inputs(blank).values():
        assert "required" not in tag
    assert 'data-required-when="visa_requested"' in blank

    asked = client.post(url, data=registration_form(category, visa_requested="y")).text
    assert not _passport_marker_hidden(asked)
    for tag in _passport_inputs(asked).values():
        assert "required" in tag and 'aria-required="true"' in tag
    assert 'href="#passport_number"' in _summary(asked)


def test_every_template_that_draws_form_fields_has_the_error_summary():
    """A form built from the shared macros shows its problems at its top."""
    missing = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if path.name.startswith("_") or "mail" in path.parts:
            continue  # pieces included in pages that have their own summary, and e-mails
        if re.search(r"\{\{\s*field\(", text) and "errors_summary(" not in text:
            missing.append(str(path.relative_to(TEMPLATES)))
    assert missing == []
