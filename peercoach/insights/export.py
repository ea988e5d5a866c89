"""What a dashboard shows, as rows: the page's tables and the CSV export are built from the same
rows, so the download holds exactly what is on the screen (same filters, same withheld cells).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.text import slugify

from peercoach.insights.charts import NOTHING_TO_COUNT, format_figure, is_withheld, month_label
from peercoach.insights.contract import Dashboard, MetricDefinition
from peercoach.insights.forms import month_value

WITHHELD = "withheld"
CSV_COLUMNS = ["Metric", "Month", "Value", "People counted", "Note"]
# A spreadsheet runs a cell starting with one of these as a formula; names come from HR files.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Row:
    month: str  # as shown: "March 2026"
    value: str  # as shown: "45%", "2.5", or "Withheld"
    people: str  # how many people the figure covers, "" when withheld
    withheld: bool


@dataclass(frozen=True)
class MetricTable:
    metric: MetricDefinition
    rows: list[Row]

    @property
    def any_withheld(self) -> bool:
        return any(row.withheld for row in self.rows)


def metric_tables(dashboard: Dashboard) -> list[MetricTable]:
    tables = []
    for metric in dashboard.metrics:
        rows = []
        for month in dashboard.months:
            figure = month.figures.get(metric.key)
            withheld = is_withheld(figure)
            people = "" if withheld or figure is None else str(figure.population)
            rows.append(
                Row(
                    month=month_label(month.month),
                    value=format_figure(metric, figure),
                    people=people,
                    withheld=withheld,
                )
            )
        tables.append(MetricTable(metric=metric, rows=rows))
    return tables


def filters_summary(dashboard: Dashboard) -> list[tuple[str, str]]:
    filters = dashboard.filters
    return [
        ("From", month_value(filters.first_month)),
        ("To", month_value(filters.last_month)),
        ("Department", filters.department or "Any"),
        ("Office", filters.office or "Any"),
        ("Level", "Any" if filters.level is None else str(filters.level)),
    ]


def reporting_note(minimum_reporting_size: int) -> str:
    return (
        f"Figures cover groups of at least {minimum_reporting_size} people; "
        "smaller groups are combined or withheld."
    )


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def dashboard_csv(*, dashboard: Dashboard, program_name: str) -> str:
    """Header lines naming the program, scope, filters and k, a blank line, then one row per
    metric and month. A withheld figure is an empty value with "withheld" in the Note column."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Program", _cell(program_name)])
    writer.writerow(["Scope", dashboard.scope_label])
    for label, value in filters_summary(dashboard):
        writer.writerow([label, _cell(value)])
    writer.writerow(["Minimum group size", dashboard.minimum_reporting_size])
    writer.writerow(["Note", reporting_note(dashboard.minimum_reporting_size)])
    writer.writerow([])
    writer.writerow(CSV_COLUMNS)
    for table in metric_tables(dashboard):
        for row in table.rows:
            blank = row.withheld or row.value == NOTHING_TO_COUNT
            note = WITHHELD if row.withheld else ("nothing to count" if blank else "")
            writer.writerow(
                [table.metric.label, row.month, "" if blank else row.value, row.people, note]
            )
    return out.getvalue()


def csv_filename(*, dashboard: Dashboard, program_name: str) -> str:
    filters = dashboard.filters
    name = slugify(program_name) or "program"
    period = f"{month_value(filters.first_month)}-to-{month_value(filters.last_month)}"
    return f"insights-{name}-{period}.csv"
