"""Thin decorators over the permission services."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from conference.auth.services import require_event_role
from conference.events.services import get_event


def event_role_required(*roles: str):
    """Load the event named by ``slug`` and let only holders of ``roles`` through."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(slug, **kwargs):
            event = get_event(slug)
            require_event_role(current_user, event, *roles)
            return view(event=event, **kwargs)

        return wrapped

    return decorator


def admin_required(view):
    """Only site administrators."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
