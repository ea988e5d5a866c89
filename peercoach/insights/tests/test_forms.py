from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peercoach.insights.forms import DashboardFilterForm, default_period, filter_data

PROGRAMS = [(7, "Circles"), (8, "Pairs")]
CHOICES = {"departments": ["Sales", "Support"], "offices": ["Berlin"], "levels": [2, 3]}


def _form(**data: str) -> DashboardFilterForm:
    defaults = {"program": "7", "first_month": "2026-01", "last_month": "2026-06"}
    return DashboardFilterForm({**defaults, **data}, programs=PROGRAMS, choices=CHOICES)


def test_valid_filters_become_dashboard_filters() -> None:
    form = _form(department="Sales", level="3")
    assert form.is_valid(), form.errors
    filters = form.filters()
    assert filters.program_id == 7
    assert filters.first_month == dt.date(2026, 1, 1)
    assert filters.last_month == dt.date(2026, 6, 1)
    assert filters.department == "Sales"
    assert filters.office is None
    assert filters.level == 3


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"first_month": "March"}, "first_month", "for example 2026-03"),
        ({"last_month": "2026-13"}, "last_month", "Months go from 01 to 12"),
        ({"first_month": "1899-01"}, "first_month", "between 2000 and 2100"),
        ({"first_month": "2026-07"}, "last_month", "comes before the first one"),
        ({"first_month": "2020-01"}, "last_month", "at most 36 months"),
        ({"department": "Marketing"}, "department", "That department has no figures"),
        ({"level": "99"}, "level", "That level has no figures"),
        ({"program": "999"}, "program", "isn't one you can see"),
        ({"program": "abc"}, "program", "isn't one you can see"),
    ],
)
def test_bad_filters_get_a_specific_plain_error(
    data: dict[str, str], field: str, message: str
) -> None:
    form = _form(**data)
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_the_team_scope_offers_no_group_filters() -> None:
    form = DashboardFilterForm(
        {"program": "7", "first_month": "2026-01", "last_month": "2026-02", "department": "Sales"},
        programs=PROGRAMS,
        choices={},
        group_filters=False,
    )
    assert form.is_valid()
    assert set(form.fields) == {"program", "first_month", "last_month"}
    assert form.filters().department is None


def test_the_default_period_is_the_last_twelve_months_of_the_program() -> None:
    period = default_period(
        starts_on=dt.date(2025, 3, 15), ends_on=dt.date(2027, 1, 1), today=dt.date(2026, 8, 9)
    )
    assert period == (dt.date(2025, 9, 1), dt.date(2026, 8, 1))


def test_the_default_period_stays_inside_a_short_or_finished_program() -> None:
    period = default_period(
        starts_on=dt.date(2025, 3, 15), ends_on=dt.date(2025, 6, 30), today=dt.date(2026, 8, 9)
    )
    assert period == (dt.date(2025, 3, 1), dt.date(2025, 6, 1))


def test_blank_values_take_the_defaults() -> None:
    data = filter_data(
        {"first_month": " ", "department": ""},
        program_id=7,
        first=dt.date(2026, 1, 1),
        last=dt.date(2026, 3, 1),
    )
    assert data == {"program": "7", "first_month": "2026-01", "last_month": "2026-03"}


@given(
    st.dictionaries(
        st.sampled_from(["program", "first_month", "last_month", "department", "office", "level"]),
        st.text(max_size=12),
    )
)
def test_any_input_is_either_valid_or_explained_never_an_exception(data: dict[str, Any]) -> None:
    form = DashboardFilterForm(data, programs=PROGRAMS, choices=CHOICES)
    if form.is_valid():
        form.filters()
    else:
        assert all(messages for messages in form.errors.values())
