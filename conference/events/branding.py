"""An event's colour and logo: setting them, removing the logo, and reading the brand back.

Badges, certificates and e-mails ask :func:`event_brand` for an event's brand (its palette,
its logo's bytes and path); pages use :func:`event_palette` and :func:`brand_version`
(which changes whenever the colour or the logo does, so their URLs can be cached for
good). Logos are checked and re-encoded by :mod:`.logos` and kept like uploaded papers:
under a random key, outside ``static/``, written whole or not at all (``LocalStorage``), in
``<instance>/uploads/logos`` unless ``LOGOS_UPLOAD_DIR`` says otherwise.
"""

import hashlib
import io
import logging
import os
from dataclasses import dataclass

from flask import current_app

from conference.errors import ConferenceError, ValidationError
from conference.events.brand import DEFAULT_PALETTE, Brand, ColourError, Palette, palette_for
from conference.events.logos import check_logo, read_limited
from conference.extensions import db
from conference.papers.storage import LocalStorage, disk_error

log = logging.getLogger(__name__)


def logo_storage() -> LocalStorage:
    """Where logos are kept, as the app's configuration says."""
    root = current_app.config.get("LOGOS_UPLOAD_DIR") or os.path.join(
        current_app.instance_path, "uploads", "logos"
    )
    return LocalStorage(root)


def event_palette(event) -> Palette:
    """The event's palette: from its colour, or the site's own."""
    if not event.brand_colour:
        return DEFAULT_PALETTE
    try:
        return palette_for(event.brand_colour)
    except ColourError:  # not written by set_brand_colour; the database's check forbids it
        log.error("event %s has an unreadable colour %r", event.id, event.brand_colour)
        return DEFAULT_PALETTE


def brand_version(event) -> str:
    """A short tag that changes whenever the event's colour or logo does."""
    seed = f"{event.brand_colour}|{event.logo_key or ''}".encode()
    return hashlib.sha256(seed).hexdigest()[:12]


def set_brand_colour(event, value: str) -> Palette | None:
    """Give the event its colour (``""``: the site's own again); the palette derived from
    it, or None. ValidationError, changing nothing, for what is not a colour."""
    value = (value or "").strip()
    if not value:
        event.brand_colour = ""
        db.session.flush()
        return None
    try:
        palette = palette_for(value)
    except ColourError as exc:
        raise ValidationError(str(exc), field="colour") from None
    event.brand_colour = palette.primary
    db.session.flush()
    return palette


@dataclass(frozen=True)
class LogoChange:
    """A logo stored for an event: the new file's key, and the one it replaces (to delete
    once the change is committed: until then the event still shows it)."""

    stored: str
    replaced: str | None


def replace_logo(event, stream, filename: str, storage: LocalStorage) -> LogoChange:
    """Check an uploaded logo (LogoError, a ValidationError, if it is not one), store it
    re-encoded and make it the event's. The previous file stays until
    :func:`discard_logo_file` is called for it after the commit."""
    limit = current_app.config["LOGO_MAX_BYTES"]
    try:
        data = read_limited(stream, limit)
    except OSError as exc:  # the temporary file the request body was spooled to
        if (error := disk_error(exc, "reading a logo")) is None:
            raise
        raise error from exc
    logo = check_logo(data, filename, max_bytes=limit)
    key = storage.save(io.BytesIO(logo.data))
    replaced = event.logo_key
    try:
        event.logo_key = key
        event.logo_type = logo.kind
        event.logo_width = logo.width
        event.logo_height = logo.height
        db.session.flush()
    except BaseException:
        discard_logo_file(storage, key)
        raise
    return LogoChange(key, replaced)


def remove_logo(event) -> str | None:
    """The event has no logo any more; the key of its file, to delete after the commit."""
    key = event.logo_key
    event.logo_key = event.logo_type = event.logo_width = event.logo_height = None
    db.session.flush()
    return key


def discard_logo_file(storage: LocalStorage, key: str | None) -> None:
    """Delete a logo file no event uses any more; a failure is logged, not shown."""
    if not key:
        return
    try:
        storage.delete(key)
    except OSError:  # the change is made; a leftover file harms nobody
        log.exception("could not delete the logo file %s", key)


def logo_bytes(event, storage: LocalStorage | None = None) -> bytes | None:
    """The event's logo as stored, or None (no logo, or its file is missing: logged)."""
    if not event.logo_key:
        return None
    storage = storage or logo_storage()
    try:
        with storage.open(event.logo_key) as handle:
            return handle.read()
    except (OSError, ConferenceError) as exc:
        log.error("event %s: logo file %s unreadable: %s", event.id, event.logo_key, exc)
        return None


def event_brand(event, storage: LocalStorage | None = None) -> Brand:
    """What the event looks like, for badges, certificates and e-mails: its palette (the
    site's when it chose none), whether it chose one, and its logo's bytes, type, size in
    pixels and path (None for all when it has no logo, or its file cannot be read)."""
    storage = storage or logo_storage()
    data = logo_bytes(event, storage)
    if data is None:
        return Brand(event_palette(event), colour_chosen=bool(event.brand_colour))
    return Brand(
        event_palette(event),
        colour_chosen=bool(event.brand_colour),
        logo=data,
        logo_type=f"image/{event.logo_type}",
        logo_size=(event.logo_width, event.logo_height),
        logo_path=storage.path(event.logo_key),
    )
