"""The dashboard filters: program, period, department, office and level.

Input arrives in the address bar, so anything may come in. Every bad value gets a specific,
plain error and the page still answers (status 400), never a stack trace.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms

from peercoach.insights.contract import DashboardFilters

# Months are never summed, so a long period costs only width; three years keeps charts readable.
LONGEST_PERIOD_MONTHS = 36
DEFAULT_PERIOD_MONTHS = 12
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
ANY = ""


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + (month.month - 1) + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> int:
    """How many months from `first` to `last`, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def month_value(month: dt.date) -> str:
    """A month as the `<input type="month">` value: 2026-03."""
    return f"{month.year:04d}-{month.month:02d}"


def default_period(
    *, starts_on: dt.date, ends_on: dt.date, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The last twelve months of the program up to this month (or its last month if over)."""
    first_of_program = month_start(starts_on)
    last = max(first_of_program, min(month_start(today), month_start(ends_on)))
    first = max(first_of_program, add_months(last, -(DEFAULT_PERIOD_MONTHS - 1)))
    return first, last


class MonthField(forms.CharField):
    """A month written as YYYY-MM, cleaned to the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        match = _MONTH.match(text.strip())
        if match is None:
            raise forms.ValidationError(
                "Write the month as year and month, for example 2026-03.", code="month_format"
            )
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise forms.ValidationError(
                "Months go from 01 to 12, for example 2026-03.", code="month_range"
            )
        if not 2000 <= year <= 2100:
            raise forms.ValidationError("Choose a year between 2000 and 2100.", code="year_range")
        return dt.date(year, month, 1)


def _choices(values: Iterable[Any], any_label: str) -> list[tuple[str, str]]:
    return [(ANY, any_label)] + [(str(value), str(value)) for value in values]


class DashboardFilterForm(forms.Form):
    """Filters for one program's dashboard. `group_filters=False` (the team scope) offers only
    the program and the period: a manager's team is shown as one group."""

    program = forms.TypedChoiceField(label="Program", coerce=int)
    first_month = MonthField(label="From")
    last_month = MonthField(label="To")
    department = forms.ChoiceField(label="Department", required=False)
    office = forms.ChoiceField(label="Office", required=False)
    level = forms.ChoiceField(label="Level", required=False)

    def __init__(
        self,
        data: dict[str, Any],
        *,
        programs: Sequence[tuple[int, str]],
        choices: dict[str, list[Any]],
        group_filters: bool = True,
    ) -> None:
        super().__init__(data)
        program = self._choice_field("program")
        program.choices = [(str(pk), name) for pk, name in programs]
        program.error_messages["invalid_choice"] = (
            "That program isn't one you can see. Choose one from the list."
        )
        if not group_filters:
            for name in ("department", "office", "level"):
                del self.fields[name]
            return
        lists = {
            "department": ("departments", "Any department", "That department"),
            "office": ("offices", "Any office", "That office"),
            "level": ("levels", "Any level", "That level"),
        }
        for name, (key, any_label, what) in lists.items():
            field = self._choice_field(name)
            field.choices = _choices(choices.get(key, []), any_label)
            # Choices are the groups with figures, so a small group and a typo read the same.
            field.error_messages["invalid_choice"] = (
                f"{what} has no figures in this program. Choose one from the list."
            )

    def _choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_month"), cleaned.get("last_month")
        if first and last:
            if first > last:
                self.add_error("last_month", "The last month comes before the first one.")
            elif months_between(first, last) > LONGEST_PERIOD_MONTHS:
                self.add_error(
                    "last_month",
                    f"Choose at most {LONGEST_PERIOD_MONTHS} months at a time.",
                )
        return cleaned

    def filters(self) -> DashboardFilters:
        """The cleaned filters; call only after is_valid()."""
        data = self.cleaned_data
        level = data.get("level")
        return DashboardFilters(
            program_id=data["program"],
            first_month=data["first_month"],
            last_month=data["last_month"],
            department=data.get("department") or None,
            office=data.get("office") or None,
            level=int(level) if level else None,
        )


def filter_data(
    query: dict[str, str], *, program_id: int, first: dt.date, last: dt.date
) -> dict[str, str]:
    """The submitted filters with the defaults filled in wherever a value is missing or blank."""
    data = {key: value for key, value in query.items() if value.strip()}
    data.setdefault("program", str(program_id))
    data.setdefault("first_month", month_value(first))
    data.setdefault("last_month", month_value(last))
    return data
