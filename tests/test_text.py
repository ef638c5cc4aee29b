"""strip_controls: text fit to store and to write into XML, calendars and spreadsheets."""

import pytest

from conference.text import strip_controls, strip_controls_deep

C0 = "".join(map(chr, range(0x20)))


@pytest.mark.parametrize(
    ("raw", "one_line", "multi_line"),
    [
        ("Hà Trung Chiến · 王晓明 · ศักดิ์ชัย", "Hà Trung Chiến · 王晓明 · ศักดิ์ชัย", None),
        ("a\x00b\x07c\x1bd\x7fe", "abcde", "abcde"),
        ("one\r\ntwo\rthree\nfour", "one two three four", "one\ntwo\nthree\nfour"),
        ("tab\there", "tab here", "tab\there"),
        ("Word\x0bline\x0cpage", "Word line page", "Word\nline\npage"),
        ("C1\x85\x9b[31m", "C1[31m", "C1[31m"),
        ("lone \ud800 surrogate \udfff", "lone  surrogate ", None),
        ("not xml \ufffe\uffff", "not xml ", None),
        ("keep \u200d\u0e31 joiners and marks", "keep \u200d\u0e31 joiners and marks", None),
        (C0, " " * 5, "\t\n\n\n\n"),
    ],
)
def test_strip_controls(raw, one_line, multi_line):
    assert strip_controls(raw) == one_line
    assert strip_controls(raw, multiline=True) == (one_line if multi_line is None else multi_line)


def test_strip_controls_deep_cleans_every_string_and_leaves_the_rest():
    data = {"a\x00": ["x\x1by", {"n": 3, "t": "l1\r\nl2"}], "when": None, "ok": True}
    assert strip_controls_deep(data) == {
        "a": ["xy", {"n": 3, "t": "l1\nl2"}],
        "when": None,
        "ok": True,
    }
    assert strip_controls_deep(data, multiline=False)["a"][1]["t"] == "l1 l2"
    assert data["a\x00"][0] == "x\x1by"  # the input is not changed


def test_strip_controls_deep_copes_with_any_nesting():
    deep = "x\x00"
    for _ in range(10_000):
        deep = [deep]
    out = strip_controls_deep(deep)
    for _ in range(10_000):
        out = out[0]
    assert out == "x"
