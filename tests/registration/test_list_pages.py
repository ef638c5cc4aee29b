"""The organisers' registration list links to a window of pages, however many there are."""

import re

from tests.factories import bulk_registrations, delegate, make_category, make_event, organiser_of


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


def test_the_delegation_filter_offers_every_delegation_and_keeps_the_chosen_one(client, db, login):
    from conference.registration.models import Delegation

    event = make_event()
    category = make_category(event, "Delegate")
    cities = [Delegation(event_id=event.id, name=name, country="TH") for name in ("Nan", "A&B <x>")]
    db.session.add_all(cities)
    db.session.flush()
    delegate(event, category, family_name="Inthavong", delegation_id=cities[0].id)
    delegate(event, category, family_name="Srisuk", delegation_id=cities[1].id)
    login(organiser_of(event))
    page = client.get(f"/events/{event.slug}/registrations/?delegation={cities[1].id}")
    assert page.status_code == 200
    choices = re.search(r'<select id="delegation".*?</select>', page.text, re.S).group(0)
    offered = re.findall(r'<option value="(\d+)"( selected)?>([^<]*)</option>', choices)
    assert sorted(offered) == sorted(
        [(str(cities[0].id), "", "Nan"), (str(cities[1].id), " selected", "A&amp;B &lt;x&gt;")]
    )
    assert "Srisuk" in page.text and "Inthavong" not in page.text


def test_the_country_filter_offers_country_names_and_takes_a_name_or_a_code(client, db, login):
    event = make_event()
    category = make_category(event, "Delegate")
    delegate(event, category, family_name="Srisuk", country="TH")
    delegate(event, category, family_name="Nguyen", country="VN")
    login(organiser_of(event))
    url = f"/events/{event.slug}/registrations/"
    page = client.get(url).text
    box = re.search(r'<input id="country"[^>]*>', page).group(0)
    assert 'list="countries"' in box and "maxlength" not in box
    assert '<option value="Vietnam">VN</option>' in page
    assert '<option value="Thailand">TH</option>' in page
    for asked in ("Vietnam", "viet nam", "Viet Nam", "VN", "vn"):
        page = client.get(url, query_string={"country": asked}).text
        assert "Nguyen" in page and "Srisuk" not in page, asked
        # The box shows the country's name, whichever way it was asked for.
        assert 'value="Vietnam"' in re.search(r'<input id="country"[^>]*>', page).group(0)


def test_an_unknown_country_is_named_and_lists_nobody(client, db, login):
    event = make_event()
    delegate(event, make_category(event, "Delegate"), family_name="Srisuk", country="TH")
    login(organiser_of(event))
    for asked in ("Thailnd", "XX", "T"):
        page = client.get(f"/events/{event.slug}/registrations/", query_string={"country": asked})
        assert page.status_code == 400  # the list again, saying what is wrong
        assert f"No country is called “{asked}”" in page.text
        assert "Srisuk" not in page.text
        assert 'aria-invalid="true"' in re.search(r'<input id="country"[^>]*>', page.text).group(0)
