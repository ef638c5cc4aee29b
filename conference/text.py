"""Text fit to store and to write into XML, calendars and spreadsheets: no control characters.

Control characters are never meant to be seen: they come from pasting (a BEL, an ESC of a
terminal's colours, a NUL of a bad export). They make XML ill-formed, land raw in
calendars, and PostgreSQL refuses NUL in text outright. Lone surrogates (from JSON's
"\\ud800") cannot even be encoded as UTF-8, and U+FFFE/U+FFFF are not allowed in XML.
Pure functions: data in, data out.
"""

import re

# C0 controls but tab and line feed, DEL, C1 controls, lone surrogates, U+FFFE and U+FFFF.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Line breaks in any spelling (CR LF, lone CR, vertical tab, form feed) become one LF.
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c]")
_SINGLE_LINE = str.maketrans({"\n": " ", "\t": " "})


def strip_controls(text: str, *, multiline: bool = False) -> str:
    """The text without control characters.

    One-line text gets a space for each line break or tab (so words stay apart);
    multi-line text keeps its tabs and line breaks, every break spelt LF."""
    if _CONTROLS.search(text) is not None:  # most text has none: one scan, nothing built
        text = _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))
    return text if multiline else text.translate(_SINGLE_LINE)


def strip_controls_deep(value, *, multiline: bool = True):
    """JSON-shaped data (dicts, lists, strings) with every string, keys too, stripped.

    For documents built from stored data (agenda snapshots), so that rows stored before
    input was cleaned still give well-formed output, and for JSON request bodies. Tabs and
    line breaks stay unless ``multiline`` is false. Iterative: however deep the nesting,
    no RecursionError."""
    pending: list[tuple[dict | list, dict | list]] = []

    def clean(item):
        if isinstance(item, str):
            return strip_controls(item, multiline=multiline)
        if isinstance(item, dict | list):
            copy = type(item)()
            pending.append((item, copy))
            return copy
        return item

    result = clean(value)
    while pending:
        source, copy = pending.pop()
        if isinstance(source, dict):
            for key, item in source.items():
                copy[clean(key)] = clean(item)
        else:
            copy.extend(clean(item) for item in source)
    return result
