"""Charts drawn on the server as inline SVG: the geometry, worked out here (pure functions,
no Flask), and a template that writes it out. No script runs in the page, and a table
beside each chart says the same for those who cannot see it."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Layer:
    """One series of a stacked chart: its label, colour, the SVG path of its band and its
    last value."""

    label: str
    colour: str
    path: str
    last: int


@dataclass(frozen=True)
class Tick:
    """A label on an axis: its line's position (x on the time axis, y on the values'),
    where its text stands on that line, and how the text is anchored."""

    label: str
    at: float
    text_at: float
    anchor: str = "middle"


@dataclass(frozen=True)
class StackedChart:
    """A stacked area chart ready to draw: the plot's box, its bands, its axes' ticks."""

    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    layers: list[Layer]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    top_value: int

    @property
    def empty(self) -> bool:
        return not self.layers

    @property
    def y_label_x(self) -> float:
        """Where the values' labels end, left of the plot."""
        return self.left - 6

    @property
    def x_label_y(self) -> float:
        """The baseline of the time axis's labels, below the plot."""
        return self.bottom + 18


def nice_step(largest: int, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 times a power of ten) dividing 0..``largest`` into about
    ``ticks`` parts."""
    if largest <= ticks:
        return 1
    rough = largest / ticks
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5, 10):
        if factor * power >= rough:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover (10 is always enough)


def _spread(count: int, most: int) -> list[int]:
    """Up to ``most`` indexes of ``count`` points, evenly spread, the first and last kept."""
    if count <= most:
        return list(range(count))
    step = (count - 1) / (most - 1)
    return sorted({round(i * step) for i in range(most)})


def stacked_area(
    labels: list[str],
    series: list[tuple[str, str, list[int]]],
    *,
    width: int = 520,
    height: int = 220,
    x_labels: int = 6,
) -> StackedChart:
    """A stacked area chart of ``series`` (label, colour, one value per point of
    ``labels``), the first series at the bottom. Series that are zero throughout are left
    out. One point is drawn as a band across the whole width."""
    left, top, right, bottom = 48.0, 8.0, width - 8.0, height - 28.0
    series = [s for s in series if any(s[2])]
    count = len(labels)
    if not series or count == 0:
        return StackedChart(width, height, left, top, right, bottom, [], [], [], 0)
    totals = [sum(values[i] for _, _, values in series) for i in range(count)]
    step = nice_step(max(totals))
    top_value = step * math.ceil(max(totals) / step)

    points = count if count > 1 else 2
    xs = [left + (right - left) * i / (points - 1) for i in range(points)]

    def y(value: float) -> float:
        return bottom - (bottom - top) * value / top_value

    def at(values: list[int], i: int) -> int:
        return values[i if count > 1 else 0]

    layers = []
    below = [0] * points
    for label, colour, values in series:
        above = [below[i] + at(values, i) for i in range(points)]
        upper = [f"{xs[i]:.1f},{y(above[i]):.1f}" for i in range(points)]
        lower = [f"{xs[i]:.1f},{y(below[i]):.1f}" for i in reversed(range(points))]
        path = "M" + " L".join(upper + lower) + " Z"
        layers.append(Layer(label, colour, path, values[-1]))
        below = above
    shown = _spread(count, x_labels)
    x_ticks = []
    for i in shown:
        x = round(xs[i] if count > 1 else (left + right) / 2, 1)
        anchor = "middle"
        if len(shown) > 1 and i == shown[0]:
            anchor = "start"
        elif len(shown) > 1 and i == shown[-1]:
            anchor = "end"
        x_ticks.append(Tick(labels[i], x, x, anchor))
    y_ticks = [
        Tick(f"{value:,}", round(y(value), 1), round(y(value) + 4, 1), "end")
        for value in range(0, top_value + 1, step)
    ]
    return StackedChart(
        width, height, left, top, right, bottom, layers, x_ticks, y_ticks, top_value
    )
