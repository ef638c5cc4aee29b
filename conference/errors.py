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


class StorageFull(ConferenceError):
    """The disk (or disk quota) that holds uploads is full: nothing was kept (HTTP 507)."""

    status_code = 507

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or "The server has no room left for files right now, so nothing was kept. "
            "The organisers' technical team has been told; please try again later."
        )


class StorageUnavailable(ConferenceError):
    """The upload folder cannot be used (missing, read-only, refused): HTTP 503."""

    status_code = 503

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or "The server cannot store files right now, so nothing was kept. "
            "The organisers' technical team has been told; please try again later."
        )
