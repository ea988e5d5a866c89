"""Hand-made dashboards for testing the pages' presentation without building figures."""

from __future__ import annotations

import datetime as dt

from peercoach.insights.contract import (
    Dashboard,
    DashboardFilters,
    Family,
    Figure,
    MetricDefinition,
    MonthFigures,
    Unit,
)

ENROLLED = MetricDefinition(
    key="enrolled",
    label="People enrolled",
    description="Everyone taking part.",
    family=Family.PARTICIPANTS,
    unit=Unit.PEOPLE,
    numerator="enrolled",
)
IN_PAIRING = MetricDefinition(
    key="in_pairing",
    label="In a pairing",
    description="Share in an active pairing.",
    family=Family.PARTICIPANTS,
    unit=Unit.SHARE,
    numerator="in_pairing",
)
RATING = MetricDefinition(
    key="session_rating",
    label="Session rating",
    description="From 1 to 5.",
    family=Family.RATERS,
    unit=Unit.AVERAGE,
    numerator="rating_total",
    denominator="ratings",
    decimals=1,
)

WITHHELD = Figure(value=None, population=None)


def dashboard(
    *,
    program_id: int = 1,
    months: dict[dt.date, dict[str, Figure]] | None = None,
    department: str | None = None,
    minimum_reporting_size: int = 5,
    notes: list[str] | None = None,
) -> Dashboard:
    """Three months: January fully shown, February's rating withheld, March all withheld."""
    if months is None:
        months = {
            dt.date(2026, 1, 1): {
                "enrolled": Figure(40, 40),
                "in_pairing": Figure(0.5, 40),
                "session_rating": Figure(4.25, 12),
            },
            dt.date(2026, 2, 1): {
                "enrolled": Figure(42, 42),
                "in_pairing": Figure(0.625, 42),
                "session_rating": WITHHELD,
            },
            dt.date(2026, 3, 1): {
                "enrolled": WITHHELD,
                "in_pairing": WITHHELD,
                "session_rating": WITHHELD,
            },
        }
    ordered = sorted(months)
    return Dashboard(
        filters=DashboardFilters(
            program_id=program_id,
            first_month=ordered[0],
            last_month=ordered[-1],
            department=department,
        ),
        scope_label="Whole organization",
        metrics=[ENROLLED, IN_PAIRING, RATING],
        months=[MonthFigures(month=month, figures=months[month]) for month in ordered],
        minimum_reporting_size=minimum_reporting_size,
        refreshed_at=dt.datetime(2026, 4, 1, 6, 0, tzinfo=dt.UTC),
        notes=notes or [],
    )
