"""Forms of the guided session and of the script editor. Checks of meaning live in services."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from peercoach.runner import scripts
from peercoach.runner.scripts import Part, Speaker, Step, StepKind
from peercoach.runner.services import (
    OBSERVER_NOTE_MAX_LENGTH,
    OPTION_MAX_LENGTH,
    PROS_CONS_MAX_LENGTH,
    ReviewOutcome,
)

PLAN_ACTION_ROWS = 3


class PositionForm(forms.Form):
    position = forms.IntegerField(min_value=0)
    direction = forms.ChoiceField(choices=[("next", "Next"), ("back", "Back")], required=False)


# The live part of the page is replaced while people type: htmx keeps these fields as they are.
KEEP_WHILE_TYPING = {"hx-preserve": "true"}


class OptionForm(forms.Form):
    prefix = "option"

    text = forms.CharField(
        label="Option", max_length=OPTION_MAX_LENGTH, widget=forms.TextInput(KEEP_WHILE_TYPING)
    )
    pros = forms.CharField(
        label="What speaks for it",
        max_length=PROS_CONS_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, **KEEP_WHILE_TYPING}),
    )
    cons = forms.CharField(
        label="What speaks against it",
        max_length=PROS_CONS_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, **KEEP_WHILE_TYPING}),
    )


class ObserverNoteForm(forms.Form):
    prefix = "note"

    text = forms.CharField(
        label="A note for the coach",
        max_length=OBSERVER_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, **KEEP_WHILE_TYPING}),
    )


class PlanForm(forms.Form):
    prefix = "plan"

    goal = forms.CharField(
        label="Your goal",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, **KEEP_WHILE_TYPING}),
        help_text="What you want to be different, in your own words.",
    )
    shared_with_pairing = forms.BooleanField(
        label="Share this plan with my peers",
        required=False,
        help_text="Private unless you tick this. Nobody else ever sees it.",
        widget=forms.CheckboxInput(KEEP_WHILE_TYPING),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in range(1, PLAN_ACTION_ROWS + 1):
            self.fields[f"action_{row}"] = forms.CharField(
                label=f"Step {row}",
                max_length=1000,
                required=False,
                widget=forms.TextInput(KEEP_WHILE_TYPING),
            )
            self.fields[f"due_{row}"] = forms.DateField(
                label=f"By when (step {row})",
                required=False,
                widget=forms.DateInput(attrs={"type": "date", **KEEP_WHILE_TYPING}),
            )
        # Goal first, then the steps, then the sharing choice.
        self.order_fields(["goal", *self._action_field_names(), "shared_with_pairing"])

    @staticmethod
    def _action_field_names() -> list[str]:
        names = []
        for row in range(1, PLAN_ACTION_ROWS + 1):
            names += [f"action_{row}", f"due_{row}"]
        return names

    def action_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"action_{row}"], self[f"due_{row}"]) for row in range(1, PLAN_ACTION_ROWS + 1)
        ]

    def actions(self) -> list[tuple[str, date | None]]:
        data = self.cleaned_data
        return [
            (data.get(f"action_{row}") or "", data.get(f"due_{row}"))
            for row in range(1, PLAN_ACTION_ROWS + 1)
        ]


class ReviewForm(forms.Form):
    action_id = forms.UUIDField()
    outcome = forms.ChoiceField(
        choices=[
            (ReviewOutcome.DONE, "Done"),
            (ReviewOutcome.GOING, "Still going"),
            (ReviewOutcome.DROPPED, "Dropped"),
        ]
    )


class StepForm(forms.Form):
    part = forms.ChoiceField(choices=Part.choices)
    kind = forms.ChoiceField(label="What happens", choices=StepKind.choices)
    title = forms.CharField(max_length=scripts.MAX_TITLE_LENGTH)
    prompt = forms.CharField(
        max_length=scripts.MAX_PROMPT_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="{client}, {coach} and {observer} become first names.",
    )
    minutes = forms.IntegerField(min_value=0, max_value=scripts.MAX_STEP_MINUTES)
    speaker = forms.ChoiceField(label="Who leads", choices=Speaker.choices)

    def step(self) -> Step:
        return Step(
            part=self.cleaned_data["part"],
            kind=self.cleaned_data["kind"],
            title=self.cleaned_data["title"].strip(),
            prompt=self.cleaned_data["prompt"].strip(),
            minutes=self.cleaned_data["minutes"],
            speaker=self.cleaned_data["speaker"],
        )


class BaseStepFormSet(forms.BaseFormSet[StepForm]):
    def steps(self) -> list[Step]:
        """The kept steps in the order the manager numbered them."""
        # `ordered_forms` already leaves out deleted steps and the untouched blank row.
        return [form.step() for form in self.ordered_forms]


StepFormSet: type[BaseStepFormSet] = forms.formset_factory(  # type: ignore[assignment]
    StepForm,
    formset=BaseStepFormSet,
    extra=1,
    can_delete=True,
    can_order=True,
    max_num=scripts.MAX_STEPS,
    validate_max=True,
)


def step_initial(steps: list[Step]) -> list[dict[str, Any]]:
    return [{**step.as_data(), "ORDER": number} for number, step in enumerate(steps, start=1)]
