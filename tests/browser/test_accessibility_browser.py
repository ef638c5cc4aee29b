"""The accessibility check itself: it fails on a page with a serious violation, says what
and where in words a person can act on, lets minor ones pass, and passes a clean page."""

import re

import pytest

from tests.browser.accessibility import assert_accessible, axe_violations

PAGE = """<!doctype html><html lang="en"><head><title>Test</title></head>
<body><main><h1>Registration</h1>{}</main></body></html>"""


def test_faint_text_and_an_unlabelled_field_fail_with_a_readable_report(page):
    page.set_content(
        PAGE.format(
            '<p class="faint" style="color:#aaa;background:#fff">Closes on Friday</p>'
            '<input type="text" id="email">'
        )
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "the test form")
    report = str(failure.value)
    assert "on the test form (about:blank)" in report
    assert re.search(r"- color-contrast \(serious\): Elements must meet minimum color", report)
    assert ".faint" in report
    assert "insufficient color contrast of 2.32" in report
    assert re.search(r"- label \(critical\): Form elements must have labels", report)
    assert "#email" in report


def test_minor_and_moderate_violations_do_not_fail(page):
    # A heading level skipped is "moderate" and a best practice, not a WCAG A/AA failure.
    page.set_content(PAGE.format("<h3>Details</h3><p>Text.</p>"))
    assert_accessible(page, "a page with a skipped heading level")
    found = axe_violations(page, tags=["best-practice"])
    assert [v["id"] for v in found] == ["heading-order"]
    assert found[0]["impact"] == "moderate"
