"""The tabs of an event's organiser pages (templates/_partials/event_nav.html), in one list.

Fourteen pages and more side by side overflow a laptop's screen, so pages are grouped
under a few menus. A page is added with one line in ``EVENT_PAGES``: its key (the
``tab`` its templates set), its label, its endpoint, and the menu it goes under (None:
a tab of its own). Menus come in the order of their first page; their pages in the
order listed. Pure: no Flask, no database.
"""

from dataclasses import dataclass

# (key, label, endpoint, menu)
EVENT_PAGES = (
    ("dashboard", "Dashboard", "events.dashboard", None),
    ("registrations", "Registration list", "registration.registrations", "Registrations"),
    ("messages", "Messages", "messages.index", "Registrations"),
    ("categories", "Categories", "registration.categories", "Registrations"),
    ("questions", "Questions", "registration.questions", "Registrations"),
    ("delegations", "Delegations", "registration.delegations", "Registrations"),
    ("visa", "Visa letters", "registration.visa_queue", "Registrations"),
    ("participants", "Participant list", "registration.participant_list", "Registrations"),
    ("settings", "Registration settings", "registration.settings", "Registrations"),
    ("agenda", "Agenda", "agenda.editor", "Programme"),
    ("signups", "Sign-ups", "agenda.signups", "Programme"),
    ("papers", "Papers", "papers.papers", "Programme"),
    ("badges", "Badges", "badges.print_badges", "Door"),
    ("arrivals", "Arrivals", "checkin.live_arrivals", "Door"),
    ("checkins", "Check-ins", "checkin.scan_log", "Door"),
    ("certificates", "Certificates", "certificates.overview", "Door"),
    ("team", "Team", "events.team", "Event"),
    ("edit", "Event details", "events.edit", "Event"),
)


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    endpoint: str
    current: bool


@dataclass(frozen=True)
class Tab:
    """A tab of the bar: a menu of pages, or (``label`` None) one page of its own."""

    label: str | None
    pages: tuple[Page, ...]

    @property
    def current(self) -> bool:
        return any(page.current for page in self.pages)


def event_tabs(current: str | None, pages=EVENT_PAGES) -> list[Tab]:
    """The bar's tabs, the page whose key is ``current`` (and its menu) marked."""
    tabs: list[Tab] = []
    menus: dict[str, list[Page]] = {}
    for key, label, endpoint, menu in pages:
        page = Page(key, label, endpoint, key == current)
        if menu is None:
            tabs.append(Tab(None, (page,)))
        elif menu in menus:
            menus[menu].append(page)
        else:
            menus[menu] = [page]
            tabs.append(Tab(menu, ()))
    return [Tab(t.label, tuple(menus[t.label])) if t.label else t for t in tabs]
