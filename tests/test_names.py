"""Names in the order people write them, and one name never shown twice (conference/names.py)."""

import pytest

from conference.names import (
    NameOrder,
    badge_names,
    default_order,
    formal_name,
    full_name,
    name_and_native,
    order_rules,
    read_order,
    same_name,
    sort_key,
)

FAMILY, GIVEN = NameOrder.FAMILY_FIRST, NameOrder.GIVEN_FIRST

# culture: (country, native name, title, given name, family name, as the person writes it)
CULTURES = {
    "vietnamese": ("VN", "Nguyễn Thị Minh Khai", "Ms", "Thị Minh Khai", "Nguyễn",
                   "Ms Nguyễn Thị Minh Khai"),
    "khmer": ("KH", "អ៊ុក វណ្ណា", "Mr", "Vanna", "Ouk", "Mr Ouk Vanna"),
    "chinese": ("CN", "王晓明", "Mr", "Xiaoming", "Wang", "Mr Wang Xiaoming"),
    "japanese": ("JP", "木村 正人", "Mr", "Masato", "Kimura", "Mr Kimura Masato"),
    "korean": ("KR", "김수현", "Ms", "Soohyun", "Kim", "Ms Kim Soohyun"),
    "hungarian": ("HU", "", "Dr", "János", "Kovács", "Dr Kovács János"),
    "thai": ("TH", "ศักดิ์ชัย ทองดี", "Mr", "Sakchai", "Thongdee", "Mr Sakchai Thongdee"),
    "lao": ("LA", "ບຸນທະວີ ໄຊຍະວົງ", "Mr", "Bounthavy", "Sayavong", "Mr Bounthavy Sayavong"),
    "malay": ("MY", "", "Ms", "Aina Zulaikha", "Roslan", "Ms Aina Zulaikha Roslan"),
    "indonesian": ("ID", "", "Ms", "Sri", "Mulyani", "Ms Sri Mulyani"),
    "filipino": ("PH", "", "Ms", "Maria Luisa", "Santos", "Ms Maria Luisa Santos"),
    "burmese": ("MM", "ထွန်းထွန်းနိုင်", "Mr", "Tun Tun", "Naing", "Mr Tun Tun Naing"),
}  # fmt: skip


@pytest.mark.parametrize("culture", CULTURES)
def test_each_culture_writes_its_name_in_its_own_order_by_default(culture):
    country, native, title, given, family, written = CULTURES[culture]
    order = default_order(country, native)
    assert formal_name(title, given, family, order) == written
    # The country alone says the same (no name in the person's own script given).
    assert default_order(country) == order


@pytest.mark.parametrize(
    ("country", "order"),
    [("VN", FAMILY), ("KH", FAMILY), ("CN", FAMILY), ("TW", FAMILY), ("HK", FAMILY),
     ("JP", FAMILY), ("KR", FAMILY), ("HU", FAMILY), ("TH", GIVEN), ("LA", GIVEN),
     ("MY", GIVEN), ("ID", GIVEN), ("PH", GIVEN), ("MM", GIVEN), ("SG", GIVEN), ("BN", GIVEN),
     ("FR", GIVEN), ("", GIVEN), ("vn", FAMILY)],
)  # fmt: skip
def test_the_country_gives_the_default_order(country, order):
    assert default_order(country) == order


@pytest.mark.parametrize(
    ("country", "native", "order"),
    [
        ("SG", "李显龙", FAMILY),  # a Chinese name from Singapore
        ("MY", "林冠英", FAMILY),  # ... and from Malaysia
        ("US", "Nguyễn Văn An", FAMILY),  # Vietnamese letters, wherever the person lives
        ("AU", "김민준", FAMILY),
        ("FR", "やまだ たろう", FAMILY),
        ("DE", "Erdős Pál", FAMILY),  # Hungarian letters
        ("CN", "สมชาย ใจดี", GIVEN),  # a Thai name from China
        ("VN", "ສົມພອນ", GIVEN),  # Lao
        ("FR", "Hélène Dupont", GIVEN),  # French accents say nothing: the country does
        ("VN", "Hà", FAMILY),  # nor does à (French too): the country does
    ],
)
def test_the_script_of_the_native_name_comes_before_the_country(country, native, order):
    assert default_order(country, native) == order


def test_one_name_only_is_written_alone_whatever_the_order():
    for order in NameOrder:
        assert full_name("Sukarno", "", order) == "Sukarno"
        assert formal_name("Mr", "Sukarno", "", order) == "Mr Sukarno"
        assert full_name("Tun Tun Naing", "", order) == "Tun Tun Naing"
    assert formal_name("", "  Sukarno ", " ", FAMILY) == "Sukarno"


def test_the_order_chosen_is_kept_whatever_the_country():
    # A Japanese delegate who writes their name given name first, as in their passport.
    assert full_name("Masato", "Kimura", GIVEN) == "Masato Kimura"
    assert full_name("Sakchai", "Thongdee", FAMILY) == "Thongdee Sakchai"


def test_only_the_two_orders_are_read():
    assert read_order("family_first") is FAMILY
    assert read_order("given_first") is GIVEN
    for value in ("", "FAMILY_FIRST", "family", None, 1):
        assert read_order(value) is None


def test_one_name_sorts_by_itself_among_family_names():
    people = [("Sukarno", ""), ("Minh Khai", "Nguyễn"), ("Somchai", "Jaidee"), ("Ani", "Tan")]
    ordered = sorted(people, key=lambda p: sort_key(*p))
    assert ordered == [("Somchai", "Jaidee"), ("Minh Khai", "Nguyễn"), ("Sukarno", ""),
                       ("Ani", "Tan")]  # fmt: skip


def test_same_name_means_the_same_words_in_any_order_diacritics_aside():
    assert same_name("Nguyễn Thị Minh Khai", "Thị Minh Khai Nguyễn")
    assert same_name("Nguyen Thi Minh Khai", "Nguyễn Thị Minh Khai")
    assert same_name("Đặng Văn Đức", "DANG VAN DUC")
    assert same_name("Kovács, János", "János Kovács")
    assert not same_name("Nguyễn Thị Minh", "Nguyễn Thị Minh Khai")
    assert not same_name("Somchai Jaidee", "สมชาย ใจดี")
    assert not same_name("", "")


@pytest.mark.parametrize(
    ("name", "native", "shown"),
    [
        # The badge: the same name twice in two orders is shown once, in the native
        # spelling, with the title.
        ("Ms Thị Minh Khai Nguyễn", "Nguyễn Thị Minh Khai", ("Ms Nguyễn Thị Minh Khai", "")),
        ("Ms Nguyễn Thị Minh Khai", "Nguyễn Thị Minh Khai", ("Ms Nguyễn Thị Minh Khai", "")),
        ("Nguyen Van An", "Nguyễn Văn An", ("Nguyễn Văn An", "")),
        ("Prof. Dr Tran Van Duc", "Trần Văn Đức", ("Prof. Dr Trần Văn Đức", "")),
        ("Mr Sakchai Thongdee", "ศักดิ์ชัย ทองดี", ("Mr Sakchai Thongdee", "ศักดิ์ชัย ทองดี")),
        ("Mr Wang Xiaoming", "王晓明", ("Mr Wang Xiaoming", "王晓明")),
        ("Ms Sri Mulyani", "", ("Ms Sri Mulyani", "")),
        ("", "李伟", ("李伟", "")),
        # Another name altogether stays beside.
        ("Dr Somchai", "Nguyễn Văn An", ("Dr Somchai", "Nguyễn Văn An")),
    ],
)
def test_a_native_name_that_writes_the_same_name_is_shown_once(name, native, shown):
    assert name_and_native(name, native) == shown


def test_a_badge_never_prints_one_name_twice():
    # Today's badge: "Nguyễn Thị Minh Khai" above "Ms Thị Minh Khai Nguyễn". Now one line.
    vietnamese = dict(title="Ms", given="Thị Minh Khai", family="Nguyễn",
                      native="Nguyễn Thị Minh Khai")  # fmt: skip
    for order in NameOrder:
        assert badge_names(**vietnamese, order=order) == ("", "Ms Nguyễn Thị Minh Khai")
    # Without diacritics in the Latin name, the native spelling is the one printed.
    plain = dict(vietnamese, given="Thi Minh Khai", family="Nguyen")
    assert badge_names(**plain, order=FAMILY) == ("", "Ms Nguyễn Thị Minh Khai")
    # Two scripts: both, the native name above.
    thai = dict(title="Mr", given="Sakchai", family="Thongdee", native="ศักดิ์ชัย ทองดี")
    assert badge_names(**thai, order=GIVEN) == ("ศักดิ์ชัย ทองดี", "Mr Sakchai Thongdee")
    chinese = dict(title="", given="Xiaoming", family="Wang", native="王晓明")
    assert badge_names(**chinese, order=FAMILY) == ("王晓明", "Wang Xiaoming")
    # The name chosen for the badge replaces the formal name, and is not printed twice either.
    assert badge_names(**thai, order=GIVEN, badge_name="Dr Sakchai") == (
        "ศักดิ์ชัย ทองดี",
        "Dr Sakchai",
    )
    assert badge_names(**vietnamese, order=GIVEN, badge_name="Nguyen Thi Minh Khai") == (
        "",
        "Nguyễn Thị Minh Khai",
    )
    # One name only.
    single = dict(title="Mr", given="Sukarno", family="", native="")
    assert badge_names(**single, order=GIVEN) == ("", "Mr Sukarno")


def test_the_rules_handed_to_the_browser_are_the_rules():
    rules = order_rules()
    assert "VN" in rules["family_first_countries"] and "TH" not in rules["family_first_countries"]
    for first, last, order in rules["scripts"]:
        assert first <= last and NameOrder(order)
        assert default_order("FR", chr(first)) == order
