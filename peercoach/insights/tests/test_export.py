from __future__ import annotations

import csv
import io

from peercoach.insights.export import csv_filename, dashboard_csv, metric_tables
from peercoach.insights.tests.dashboards import dashboard


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_tables_show_each_metric_month_by_month_as_people_read_it() -> None:
    tables = metric_tables(dashboard())
    assert [t.metric.label for t in tables] == ["People enrolled", "In a pairing", "Session rating"]
    share = tables[1]
    assert [(r.month, r.value, r.people) for r in share.rows] == [
        ("January 2026", "50%", "40"),
        ("February 2026", "62%", "42"),
        ("March 2026", "Withheld", ""),
    ]
    assert tables[2].rows[0].value == "4.2"  # one decimal, as the metric asks


def test_a_withheld_figure_is_marked_and_carries_no_number() -> None:
    rating = metric_tables(dashboard())[2]
    assert [r.withheld for r in rating.rows] == [False, True, True]
    assert all(r.people == "" for r in rating.rows if r.withheld)
    assert rating.any_withheld


def test_the_csv_names_the_program_filters_and_minimum_group_size_first() -> None:
    rows = _rows(dashboard_csv(dashboard=dashboard(department="Sales"), program_name="Circles"))
    header = dict(row for row in rows[: rows.index([])] if len(row) == 2)
    assert header["Program"] == "Circles"
    assert header["Scope"] == "Whole organization"
    assert header["From"] == "2026-01"
    assert header["To"] == "2026-03"
    assert header["Department"] == "Sales"
    assert header["Office"] == "Any"
    assert header["Level"] == "Any"
    assert header["Minimum group size"] == "5"
    assert "at least 5 people" in header["Note"]


def test_the_csv_has_one_row_per_metric_and_month_exactly_as_shown() -> None:
    rows = _rows(dashboard_csv(dashboard=dashboard(), program_name="Circles"))
    table = rows[rows.index(["Metric", "Month", "Value", "People counted", "Note"]) + 1 :]
    assert len(table) == 3 * 3
    assert ["In a pairing", "February 2026", "62%", "42", ""] in table
    assert ["Session rating", "February 2026", "", "", "withheld"] in table
    shown = {
        (t.metric.label, r.month, "" if r.withheld else r.value)
        for t in metric_tables(dashboard())
        for r in t.rows
    }
    assert {(row[0], row[1], row[2]) for row in table} == shown


def test_names_that_look_like_formulas_are_written_as_text() -> None:
    rows = _rows(dashboard_csv(dashboard=dashboard(department="=HYPERLINK(1)"), program_name="+1"))
    assert ["Program", "'+1"] in rows
    assert ["Department", "'=HYPERLINK(1)"] in rows


def test_the_file_name_names_the_program_and_period() -> None:
    name = csv_filename(dashboard=dashboard(), program_name="Peer Circles 2026")
    assert name == "insights-peer-circles-2026-2026-01-to-2026-03.csv"


def test_a_released_figure_with_nothing_to_divide_is_not_called_withheld() -> None:
    import datetime as dt

    from peercoach.insights.contract import Figure

    nobody_rated = dashboard(
        months={dt.date(2026, 1, 1): {"session_rating": Figure(value=None, population=30)}}
    )
    row = metric_tables(nobody_rated)[2].rows[0]
    assert (row.value, row.people, row.withheld) == ("Nothing to count", "30", False)
    rows = _rows(dashboard_csv(dashboard=nobody_rated, program_name="Circles"))
    assert ["Session rating", "January 2026", "", "30", "nothing to count"] in rows
