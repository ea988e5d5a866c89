from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from peercoach.insights.charts import describe, metric_chart, points_for
from peercoach.insights.contract import Figure
from peercoach.insights.tests.dashboards import ENROLLED, IN_PAIRING, RATING, WITHHELD, dashboard

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    # The chart is inline SVG in HTML; give it the namespace so it parses as XML.
    return ET.fromstring(markup.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def test_a_chart_is_an_image_named_by_its_title_and_described_in_words() -> None:
    svg = _parse(metric_chart(metric=IN_PAIRING, months=dashboard().months, chart_id="c1"))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert title is not None
    assert title.text == "In a pairing, January 2026 to March 2026"
    assert desc is not None
    assert desc.text == (
        "From 50% in January 2026 to 62% in February 2026. "
        "1 month withheld: too few people to show."
    )


def test_withheld_months_break_the_line_and_carry_a_marker() -> None:
    months = dashboard(
        months={
            dt.date(2026, 1, 1): {"enrolled": Figure(10, 10)},
            dt.date(2026, 2, 1): {"enrolled": Figure(12, 12)},
            dt.date(2026, 3, 1): {"enrolled": WITHHELD},
            dt.date(2026, 4, 1): {"enrolled": Figure(15, 15)},
            dt.date(2026, 5, 1): {"enrolled": Figure(16, 16)},
        }
    ).months
    svg = _parse(metric_chart(metric=ENROLLED, months=months, chart_id="c"))
    lines = svg.findall(f"{SVG}polyline")
    assert len(lines) == 2  # January-February, then April-May: no line across March
    assert [len(line.get("points", "").split()) for line in lines] == [2, 2]
    assert len(svg.findall(f"{SVG}circle[@class='chart-withheld']")) == 1
    assert len(svg.findall(f"{SVG}circle[@class='chart-point']")) == 4


def test_a_chart_with_everything_withheld_says_so_and_draws_no_line() -> None:
    months = dashboard().months[2:]
    svg = _parse(metric_chart(metric=RATING, months=months, chart_id="c"))
    assert svg.findall(f"{SVG}polyline") == []
    desc = svg.find(f"{SVG}desc")
    assert desc is not None
    assert desc.text is not None
    assert desc.text.startswith("Nothing can be shown for this period.")


def test_the_description_names_the_lowest_and_highest_month() -> None:
    months = dashboard(
        months={
            dt.date(2026, 1, 1): {"session_rating": Figure(3.0, 8)},
            dt.date(2026, 2, 1): {"session_rating": Figure(4.5, 8)},
            dt.date(2026, 3, 1): {"session_rating": Figure(4.0, 8)},
        }
    ).months
    text = describe(RATING, points_for(RATING, months))
    assert text == (
        "From 3.0 in January 2026 to 4.0 in March 2026; "
        "lowest 3.0 (January 2026), highest 4.5 (February 2026)."
    )


def test_text_in_a_chart_is_escaped() -> None:
    from dataclasses import replace

    sneaky = replace(ENROLLED, label="<script>alert(1)</script>")
    markup = metric_chart(metric=sneaky, months=dashboard().months, chart_id="c")
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup


def test_shares_above_one_hundred_percent_stay_inside_the_chart() -> None:
    months = dashboard(months={dt.date(2026, 1, 1): {"in_pairing": Figure(1.5, 10)}}).months
    svg = _parse(metric_chart(metric=IN_PAIRING, months=months, chart_id="c"))
    point = svg.find(f"{SVG}circle[@class='chart-point']")
    assert point is not None
    assert float(point.get("cy", "-1")) >= 0
