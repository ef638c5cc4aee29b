"""The geometry of the server-drawn charts (no app, no database)."""

import re

from conference.charts import nice_step, stacked_area


def _points(path: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"([\d.]+),([\d.]+)", path)]


def test_steps_are_round_numbers():
    assert [nice_step(n) for n in (0, 3, 10, 37, 180, 1000, 99_999)] == [
        1,
        1,
        5,
        10,
        50,
        500,
        50_000,
    ]


def test_series_stack_the_first_at_the_bottom_and_the_top_is_the_total():
    chart = stacked_area(
        ["1 Oct", "2 Oct", "3 Oct"],
        [("Confirmed", "#198754", [1, 2, 4]), ("Pending", "#b7791f", [1, 1, 4])],
        width=200,
        height=100,
    )
    assert [layer.label for layer in chart.layers] == ["Confirmed", "Pending"]
    assert [layer.last for layer in chart.layers] == [4, 4]
    assert chart.top_value == 8  # the largest total, a whole number of steps of 2
    bottom, top = chart.bottom, chart.top
    confirmed = _points(chart.layers[0].path)
    pending = _points(chart.layers[1].path)
    # The confirmed band's upper edge is the pending band's lower edge.
    assert confirmed[:3] == list(reversed(pending[3:]))
    # The top band ends at the top (8); the first day's total (2) is a quarter of the way up.
    assert pending[2][1] == top
    assert pending[0][1] == round(bottom - (bottom - top) / 4, 1)
    # The bottom band rests on the axis.
    assert all(y == round(bottom, 1) for _, y in confirmed[3:])
    assert [t.label for t in chart.y_ticks][0] == "0"
    assert [t.label for t in chart.x_ticks] == ["1 Oct", "2 Oct", "3 Oct"]
    assert [t.anchor for t in chart.x_ticks] == ["start", "middle", "end"]


def test_empty_series_are_left_out_and_nothing_to_draw_is_empty():
    chart = stacked_area(["1 Oct"], [("Rejected", "#adb5bd", [0])])
    assert chart.empty and chart.x_ticks == [] and chart.y_ticks == []
    assert stacked_area([], [("Confirmed", "#198754", [])]).empty


def test_one_point_is_a_band_across_the_plot():
    chart = stacked_area(["4 Dec"], [("Confirmed", "#198754", [3])], width=300)
    (x0, _), (x1, _) = _points(chart.layers[0].path)[:2]
    assert (x0, x1) == (chart.left, chart.right)
    assert [t.label for t in chart.x_ticks] == ["4 Dec"]


def test_many_points_get_a_few_labels_first_and_last_among_them():
    labels = [f"d{n}" for n in range(60)]
    chart = stacked_area(labels, [("Confirmed", "#198754", list(range(60)))], x_labels=6)
    shown = [t.label for t in chart.x_ticks]
    assert len(shown) == 6 and shown[0] == "d0" and shown[-1] == "d59"
