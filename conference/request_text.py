"""Text in URLs without control characters: query-string values and path parts.

Forms clean their own fields (conference/forms.py) and the API its JSON bodies
(conference/api/bodies.py); what remains is the URL. A NUL in ``?q=`` or in an event's
slug reaches a database query, and PostgreSQL answers it with an error (a 500), while
other controls would be stored or echoed raw. So query-string values arrive stripped, and
a path part holding a control character matches no route (a 404).
"""

import flask
from werkzeug.routing import UnicodeConverter
from werkzeug.utils import cached_property

from conference.text import strip_controls


class Request(flask.Request):
    """Flask's request whose query-string values carry no control characters."""

    @cached_property
    def args(self):
        """The query-string parameters, each value stripped (tabs and line breaks stay)."""
        # super().args parses (and caches) the raw values; this property's own cache then
        # replaces them with the stripped ones, so the raw ones are never seen.
        return self.parameter_storage_class(
            (key, strip_controls(value, multiline=True))
            for key, value in super().args.items(multi=True)
        )


class PathPart(UnicodeConverter):
    """The default URL converter (one path part, any text), but never a control character."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f]", 1)


def init_app(app: flask.Flask) -> None:
    """Use the stripping request and converter. Before any route is added."""
    app.request_class = Request
    app.url_map.converters["default"] = app.url_map.converters["string"] = PathPart
