"""The placeholders of a message: known ones filled, anything else refused by name, and
nothing a delegate typed (or an organiser wrote) ever becomes markup or code."""

import pytest

from conference.messages.placeholders import (
    Placeholder,
    PlaceholderError,
    parse,
    problems,
    render_html,
    render_text,
    used,
)

VALUES = {
    "name": "Nguyễn Thị Minh Khai",
    "formal_name": "Ms Nguyễn Thị Minh Khai",
    "given_name": "Thị Minh Khai",
    "event": "Learning Cities Forum",
    "manage_link": "https://conference.test/events/f/manage/abc?verify=x&y=1",
    "badge_link": "https://conference.test/events/f/manage/abc/badge",
    "agenda_link": "https://conference.test/events/f/manage/abc/agenda",
}


def test_each_placeholder_is_replaced_by_the_recipients_value():
    pieces = parse("Dear {formal_name},\nyour badge: {badge_link}\nSee you at {event}, {name}.")
    assert render_text(pieces, VALUES) == (
        "Dear Ms Nguyễn Thị Minh Khai,\n"
        "your badge: https://conference.test/events/f/manage/abc/badge\n"
        "See you at Learning Cities Forum, Nguyễn Thị Minh Khai."
    )
    assert used(pieces) == {"formal_name", "badge_link", "event", "name"}


def test_doubled_braces_write_a_brace():
    assert (
        render_text(parse("The set {{1, 2}} and }} alone"), VALUES) == "The set {1, 2} and } alone"
    )


@pytest.mark.parametrize(
    ("template", "named"),
    [
        ("Dear {first_name},", "{first_name}"),
        ("Hello {nmae} and {nmae} again", "{nmae}"),
    ],
)
def test_an_unknown_placeholder_is_refused_by_name(template, named):
    with pytest.raises(PlaceholderError) as refused:
        parse(template)
    message = " ".join(refused.value.problems)
    assert f"Unknown placeholder: {named}." in message
    assert "{manage_link}" in message  # the known ones are listed
    assert message.count(named) == 1


@pytest.mark.parametrize(
    "template",
    [
        "{name.__class__.__mro__}",
        "{name.__init__.__globals__[SECRET_KEY]}",
        "{0}",
        "{}",
        "{name!r}",
        "{name:>10}",
        "{ name }",
        "{Name}",
        "Dear {name",
        "Dear name}",
        "{manage_link[0]}",
    ],
)
def test_format_tricks_and_stray_braces_are_refused(template):
    found = problems(template)
    assert found, template
    assert "Not a placeholder" in found[0]


def test_a_placeholder_written_with_double_braces_is_refused_saying_how():
    found = problems("Dear {{name}}, see {{ agenda_link }}")
    assert found[0] == (
        "Placeholders take single braces, like {name}: {{name}}, {{ agenda_link }}."
    )


def test_a_text_without_placeholders_is_fine():
    assert problems("See you in Bangkok!\n\nThe organisers") == []
    assert used(parse("Plain")) == set()


def test_values_are_never_read_for_placeholders_again():
    hostile = {**VALUES, "name": "{manage_link} {name.__class__}"}
    assert render_text(parse("Hi {name}"), hostile) == "Hi {manage_link} {name.__class__}"


def test_a_value_brings_no_line_break_of_its_own():
    assert render_text(parse("Hi {name}!"), {"name": "Ada\r\n\nBcc: x@y"}) == "Hi Ada Bcc: x@y!"


def test_the_html_part_escapes_the_organisers_words_and_every_value():
    pieces = parse("<b>Dear</b> {name} & co\n<script>alert(1)</script>")
    html = render_html(pieces, {"name": '<img src=x onerror="alert(1)">'})
    assert "<script>" not in html and "<b>" not in html and "<img" not in html
    assert "&lt;b&gt;Dear&lt;/b&gt; &lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; co" in html


def test_the_html_part_makes_paragraphs_and_links():
    pieces = parse(
        "Dear {name},\nwelcome.\n\nYour agenda: {agenda_link}.\nMap: https://maps.test/a?b=1&c=2."
    )
    html = render_html(pieces, VALUES)
    assert html.startswith("<p>Dear Nguyễn Thị Minh Khai,<br>\nwelcome.</p>\n<p>")
    assert (
        '<a href="https://conference.test/events/f/manage/abc/agenda">'
        "https://conference.test/events/f/manage/abc/agenda</a>." in html
    )
    # An address typed by the organiser is a link too, its trailing full stop left out.
    assert (
        '<a href="https://maps.test/a?b=1&amp;c=2">https://maps.test/a?b=1&amp;c=2</a>.</p>' in html
    )


def test_a_link_value_cannot_break_out_of_its_attribute():
    html = render_html(parse("{manage_link}"), {"manage_link": 'https://x.test/"><script>'})
    assert "<script>" not in html
    assert 'href="https://x.test/&#34;&gt;&lt;script&gt;"' in html


def test_parsed_pieces_say_where_each_placeholder_is():
    assert parse("A {name} B") == ("A ", Placeholder("name"), " B")
