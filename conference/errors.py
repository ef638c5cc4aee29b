"""The project's own exceptions, raised by services and turned into pages by the app."""


class ConferenceError(Exception):
    """Base class: a rule was broken; the message is safe to show to the user."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(ConferenceError):
    """The input breaks a rule (duplicate, out of range, wrong state)."""


class PermissionDenied(ConferenceError):
    """The user may not do this."""

    status_code = 403


class NotFound(ConferenceError):
    """The thing asked for does not exist (or the user may not know it exists)."""

    status_code = 404
