"""The organisers' registration list links to a window of pages, however many there are."""

import re

from tests.factories import bulk_registrations, make_category, make_event, organiser_of


def test_a_long_list_links_to_first_last_and_nearby_pages_only(client, db, login):
    event = make_event()
    bulk_registrations(event, make_category(event, "Delegate"), 50 * 12 + 1)  # 13 pages
    login(organiser_of(event))
    page = client.get(f"/events/{event.slug}/registrations/?page=6&country=TH")
    assert page.status_code == 200
    numbers = re.findall(r'class="page-link" href="[^"]*page=(\d+)[^"]*"', page.text)
    assert numbers == ["1", "3", "4", "5", "6", "7", "8", "9", "13"]
    assert page.text.count("…</span>") == 2
    assert re.search(r'page-item active"><a [^>]*aria-current="page">6<', page.text)
