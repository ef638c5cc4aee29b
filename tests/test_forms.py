"""Every form takes its text through the project's bases, which strip control characters."""

import importlib
import inspect
import pkgutil

import wtforms
from werkzeug.datastructures import MultiDict

import conference
from conference.forms import FlaskForm, Form


def _form_classes():
    for module_info in pkgutil.walk_packages(conference.__path__, "conference."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, wtforms.form.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_form_of_the_project_strips_control_characters():
    classes = list(_form_classes())
    assert len(classes) > 20  # the walk found the features' forms
    assert [c for c in classes if not issubclass(c, FlaskForm | Form)] == []


class _Plain(wtforms.Form):  # even a plain form nested in one of ours is cleaned
    name = wtforms.StringField()


class _Everything(Form):
    line = wtforms.StringField()
    text = wtforms.TextAreaField()
    secret = wtforms.PasswordField()
    picked = wtforms.SelectMultipleField(choices=["a", "b"], validate_choice=False)
    people = wtforms.FieldList(wtforms.StringField(), min_entries=1)
    nested = wtforms.FormField(_Plain)


def test_the_bases_strip_every_kind_of_text_field_but_passwords():
    form = _Everything(
        MultiDict(
            [
                ("line", "one\x00\r\ntwo\x1b"),
                ("text", "one\x00\r\ntwo\x1b"),
                ("secret", "pass\x00word"),
                ("picked", "a\x07"),
                ("picked", "b"),
                ("people-0", "Ann\x00a"),
                ("nested-name", "Som\x1bchai"),
            ]
        )
    )
    assert form.line.data == "one two"
    assert form.text.data == "one\ntwo"
    assert form.secret.data == "pass\x00word"  # only ever hashed, so left as typed
    assert form.picked.data == ["a", "b"]
    assert form.people.data == ["Anna"]
    assert form.nested.data == {"name": "Somchai"}
