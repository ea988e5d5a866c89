"""Small server-rendered SVG charts, one per metric, readable without sight or script.

Each chart is an image (role="img") named by its <title> and summarized in its <desc>; the page
shows the same numbers in a table below it. Months whose figure is withheld break the line and
carry a hollow marker on the baseline, which the legend explains. No inline styles (CSP): the
look comes from classes in core/site.css.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from peercoach.insights.contract import Figure, MetricDefinition, MonthFigures, Unit

WITHHELD_TEXT = "Too few people to show: their figures are combined with others"

WIDTH, HEIGHT = 360, 160
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_label(month: dt.date) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def short_month_label(month: dt.date) -> str:
    return f"{MONTH_NAMES[month.month - 1][:3]} {month.year}"


def format_value(metric: MetricDefinition, value: float) -> str:
    """A value as people read it: shares as percentages, averages with the metric's decimals."""
    if metric.unit == Unit.SHARE:
        return f"{round(value * 100)}%"
    if metric.unit == Unit.PEOPLE:
        return f"{round(value)}"
    return f"{value:.{metric.decimals}f}"


NOTHING_TO_COUNT = "Nothing to count"


def is_withheld(figure: Figure | None) -> bool:
    """Withheld for privacy: no population either. A released figure with nothing to divide by
    (nobody rated a session) keeps its population and is "nothing to count" instead."""
    return figure is None or figure.population is None


def format_figure(metric: MetricDefinition, figure: Figure | None) -> str:
    if is_withheld(figure):
        return "Withheld"
    assert figure is not None
    if figure.value is None:
        return NOTHING_TO_COUNT
    return format_value(metric, figure.value)


@dataclass(frozen=True)
class Point:
    month: dt.date
    value: float | None
    withheld: bool


def points_for(metric: MetricDefinition, months: list[MonthFigures]) -> list[Point]:
    points = []
    for month in months:
        figure = month.figures.get(metric.key)
        value = None if figure is None else figure.value
        points.append(Point(month.month, value, is_withheld(figure)))
    return points


def _scale_top(metric: MetricDefinition, values: list[float]) -> float:
    """The value at the top of the chart: 100% for shares, else a little above the largest."""
    largest = max(values, default=0.0)
    if metric.unit == Unit.SHARE:
        # No share passes 100%: even meetings held against the rhythm are capped at the rhythm
        # (facts.py counts at most the planned sessions).
        return 1.0
    return largest * 1.1 if largest > 0 else 1.0


def describe(metric: MetricDefinition, points: list[Point]) -> str:
    """The plain-words summary screen readers hear instead of the picture."""
    shown = [p for p in points if p.value is not None]
    withheld = sum(1 for p in points if p.withheld)
    if not points:
        return "No months in this period."
    if not shown:
        if withheld == len(points):
            return f"Nothing can be shown for this period. {WITHHELD_TEXT}."
        return "Nothing to count in this period."
    first, last = shown[0], shown[-1]
    first_text = f"{format_value(metric, first.value or 0.0)} in {month_label(first.month)}"
    last_text = f"{format_value(metric, last.value or 0.0)} in {month_label(last.month)}"
    parts = [first_text if first is last else f"From {first_text} to {last_text}"]
    if len(shown) > 2:
        low = min(shown, key=lambda p: p.value or 0.0)
        high = max(shown, key=lambda p: p.value or 0.0)
        parts.append(
            f"lowest {format_value(metric, low.value or 0.0)} ({month_label(low.month)}), "
            f"highest {format_value(metric, high.value or 0.0)} ({month_label(high.month)})"
        )
    sentence = "; ".join(parts) + "."
    if withheld:
        months = "month" if withheld == 1 else "months"
        sentence += f" {withheld} {months} withheld: too few people to show."
    return sentence


def _x(index: int, count: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    return LEFT + (inner / 2 if count == 1 else inner * index / (count - 1))


def _y(value: float, top: float) -> float:
    inner = HEIGHT - TOP - BOTTOM
    return TOP + inner * (1 - min(value, top) / top)


def _runs(points: list[Point]) -> list[list[tuple[int, float]]]:
    """Consecutive shown points: the line is drawn per run, so withheld months are gaps."""
    runs: list[list[tuple[int, float]]] = [[]]
    for index, point in enumerate(points):
        if point.value is None:
            runs.append([])
        else:
            runs[-1].append((index, point.value))
    return [run for run in runs if run]


def metric_chart(
    *, metric: MetricDefinition, months: list[MonthFigures], chart_id: str
) -> SafeString:
    points = points_for(metric, months)
    title = metric.label
    if points:
        title += f", {month_label(points[0].month)} to {month_label(points[-1].month)}"
    top = _scale_top(metric, [p.value for p in points if p.value is not None])
    count = len(points)
    bottom_y = HEIGHT - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(describe(metric, points))}</desc>',
        f'<line class="chart-axis" x1="{LEFT}" y1="{bottom_y}" x2="{WIDTH - RIGHT}" '
        f'y2="{bottom_y}"/>',
        f'<line class="chart-grid" x1="{LEFT}" y1="{TOP}" x2="{WIDTH - RIGHT}" y2="{TOP}"/>',
        f'<text class="chart-label" x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">'
        f"{escape(format_value(metric, top))}</text>",
        f'<text class="chart-label" x="{LEFT - 6}" y="{bottom_y + 4}" text-anchor="end">'
        f"{escape(format_value(metric, 0.0))}</text>",
    ]
    for run in _runs(points):
        coordinates = " ".join(f"{_x(i, count):.1f},{_y(v, top):.1f}" for i, v in run)
        if len(run) > 1:
            parts.append(f'<polyline class="chart-line" points="{coordinates}"/>')
        for index, value in run:
            parts.append(
                f'<circle class="chart-point" cx="{_x(index, count):.1f}" '
                f'cy="{_y(value, top):.1f}" r="3"/>'
            )
    for index, point in enumerate(points):
        if point.withheld:
            parts.append(
                f'<circle class="chart-withheld" cx="{_x(index, count):.1f}" '
                f'cy="{bottom_y:.1f}" r="4"/>'
            )
    if points:
        parts.append(
            f'<text class="chart-label" x="{_x(0, count):.1f}" y="{HEIGHT - 8}" '
            f'text-anchor="{"middle" if count == 1 else "start"}">'
            f"{escape(short_month_label(points[0].month))}</text>"
        )
        if count > 1:
            parts.append(
                f'<text class="chart-label" x="{_x(count - 1, count):.1f}" y="{HEIGHT - 8}" '
                f'text-anchor="end">{escape(short_month_label(points[-1].month))}</text>'
            )
    parts.append("</svg>")
    # Every piece of text above went through escape(); the rest are numbers and fixed markup.
    return mark_safe("".join(parts))
