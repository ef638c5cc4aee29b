"""Countries as people name them: a name or a code for the code."""

from conference.countries import country_list, find_country


def test_a_country_is_found_by_code_or_by_any_of_its_names():
    for text, code in [
        ("TH", "TH"),
        ("th", "TH"),
        ("THA", "TH"),
        ("vnm", "VN"),
        (" Thailand ", "TH"),
        ("Vietnam", "VN"),
        ("Viet Nam", "VN"),
        ("Socialist Republic of Viet Nam", "VN"),
        ("south korea", "KR"),
        ("Korea, Republic of", "KR"),
        ("Laos", "LA"),
        ("Lao People's Democratic Republic", "LA"),
        ("Cote d'Ivoire", "CI"),
        ("Türkiye", "TR"),
    ]:
        assert find_country(text) == code, text


def test_what_names_no_country_is_none():
    for text in ("", None, "XX", "XXX", "T", "Thailnd", "Korea", "Bangkok"):
        assert find_country(text) is None, text


def test_the_list_names_every_country_once_in_alphabetical_order():
    listed = country_list()
    assert len(listed) == len({code for code, _ in listed}) >= 249
    names = [name for _, name in listed]
    assert ("VN", "Vietnam") in listed and ("MM", "Myanmar") in listed
    assert names.index("Cambodia") < names.index("Indonesia") < names.index("Thailand")
