from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from peercoach.meetings.models import AttendanceOutcome
from peercoach.meetings.slots import Slot, parse_slot


def _slot_label(slot: Slot) -> str:
    return " · ".join(
        f"{t.name}: {t.starts_at:%a} {t.starts_at.day} {t.starts_at:%b %H:%M} ({t.timezone})"
        for t in slot.local_times
    )


def _by_day(slots: Sequence[Slot], zone: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Slots grouped under the day they fall on for the viewer, so the list stays short."""
    days: dict[str, list[tuple[str, str]]] = {}
    for slot in slots:
        local = slot.starts_at.astimezone(ZoneInfo(zone))
        day = f"{local:%A} {local.day} {local:%B}"
        days.setdefault(day, []).append((slot.value, _slot_label(slot)))
    return list(days.items())


class SlotForm(forms.Form):
    """Pick one of the times that suit everyone. The choices are the offered slots only."""

    slot = forms.ChoiceField(
        label="When",
        error_messages={
            "required": "Please pick a time.",
            "invalid_choice": "That time is no longer offered. Please pick one from the list.",
        },
    )

    def __init__(self, *args: Any, slots: Sequence[Slot], zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        slot_field = self.fields["slot"]
        assert isinstance(slot_field, forms.ChoiceField)
        slot_field.choices = [("", "Choose a time"), *_by_day(slots, zone)]

    def clean_slot(self) -> object:
        moment = parse_slot(self.cleaned_data["slot"])
        if moment is None:
            raise forms.ValidationError("Please pick a time from the list.")
        return moment


class ProposeForm(SlotForm):
    recurring = forms.BooleanField(
        required=False,
        label="Repeat on the program's rhythm until it ends",
        help_text="You can move or cancel the series at any time.",
    )


RATING_CHOICES = [("", "Rather not say")] + [(str(n), str(n)) for n in range(1, 6)]


class AttendanceForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Did it happen?",
        choices=AttendanceOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Please say whether you met, moved it, or didn't meet."},
    )
    rating = forms.TypedChoiceField(
        label="How useful was it for you? (1 = not much, 5 = very)",
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Only you see this. It counts only in figures for the whole program.",
    )
