"""Forms for plans and notes: they only shape input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from peercoach.plans.models import (
    ACTION_MAX_LENGTH,
    CHECK_IN_MAX_LENGTH,
    GOAL_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    ActionStatus,
)

SHARE_HELP = "Your pairing will see it too. Nobody else ever does."


class PlanForm(forms.Form):
    pairing = forms.TypedChoiceField(label="With", coerce=int)
    goal = forms.CharField(
        label="What do you want to get better at, or get done?",
        max_length=GOAL_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    first_action = forms.CharField(
        label="A first step (optional)", max_length=ACTION_MAX_LENGTH, required=False
    )
    first_action_due_on = forms.DateField(
        label="By when", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    shared_with_pairing = forms.BooleanField(
        label="Share this plan with my pairing", required=False, help_text=SHARE_HELP
    )

    def __init__(self, *args: Any, pairings: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pairing"].choices = pairings  # type: ignore[attr-defined]


class GoalForm(forms.Form):
    goal = forms.CharField(
        label="Goal", max_length=GOAL_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class ActionForm(forms.Form):
    text = forms.CharField(label="Action", max_length=ACTION_MAX_LENGTH)
    due_on = forms.DateField(
        label="By when", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)


class CheckInForm(forms.Form):
    text = forms.CharField(
        label="How is it going?",
        max_length=CHECK_IN_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ShareForm(forms.Form):
    shared = forms.BooleanField(required=False)


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Note", max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
    shared_with_pairing = forms.BooleanField(
        label="Share this note with my pairing", required=False, help_text=SHARE_HELP
    )
