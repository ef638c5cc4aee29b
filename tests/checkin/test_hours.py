"""Arrivals by hour read as times of the event's day, with each hour's share of the day."""

from datetime import date

from conference.checkin.hours import arrival_hours, hour_label, percentages


def test_shares_are_whole_percentages_that_add_up_to_a_hundred():
    assert percentages([2, 1]) == [67, 33]
    assert percentages([1, 1, 1]) == [34, 33, 33]
    assert percentages([1, 1, 1, 1, 1, 1, 1]) == [15, 15, 14, 14, 14, 14, 14]
    assert percentages([5]) == [100]
    assert percentages([]) == []
    assert percentages([0, 0]) == [0, 0]
    for counts in ([3, 7, 11, 13], [1, 998, 1], [17] * 9):
        assert sum(percentages(counts)) == 100


def test_hours_are_written_as_times_from_one_hour_to_the_next():
    assert hour_label(9) == "09:00–10:00"
    assert hour_label(0) == "00:00–01:00"
    assert hour_label(23) == "23:00–00:00"


def test_each_day_has_its_hours_in_order_with_shares_of_that_day():
    first, second = date(2024, 10, 29), date(2024, 10, 30)
    listed = arrival_hours({(second, 8): 10, (first, 10): 1, (first, 8): 3, (second, 9): 30})
    assert listed == [
        {
            "day": "2024-10-29",
            "label": "Tue 29 Oct",
            "total": 4,
            "hours": [
                {"time": "08:00–09:00", "count": 3, "percent": 75},
                {"time": "10:00–11:00", "count": 1, "percent": 25},
            ],
        },
        {
            "day": "2024-10-30",
            "label": "Wed 30 Oct",
            "total": 40,
            "hours": [
                {"time": "08:00–09:00", "count": 10, "percent": 25},
                {"time": "09:00–10:00", "count": 30, "percent": 75},
            ],
        },
    ]
