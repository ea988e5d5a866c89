"""Forms for feedback, help and advice. They check shapes; the permission gate decides the rest."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from peercoach.feedback.models import MAX_TEXT_LENGTH, MAX_TOPIC_LENGTH, HelpAudience

CHOOSE_A_COLLEAGUE = "Please search for a colleague by name and choose them."


def start_of_day(day: date | None) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))


def end_of_day(day: date | None) -> datetime | None:
    """A period "until 3 May" includes all of 3 May."""
    return start_of_day(day + timedelta(days=1)) if day else None


class GrantForm(forms.Form):
    grantee = forms.IntegerField(error_messages={"required": CHOOSE_A_COLLEAGUE})
    topics = forms.CharField(
        label="Only on these topics (optional)",
        required=False,
        max_length=1000,
        help_text="Separate topics with commas, e.g. presenting, running meetings. Leave it "
        "empty to welcome feedback on anything.",
    )
    valid_from = forms.DateField(
        label="From (optional)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label="Until (optional)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def topic_list(self) -> list[str]:
        return [t for t in self.cleaned_data.get("topics", "").split(",") if t.strip()]


class FeedbackForm(forms.Form):
    recipient = forms.TypedChoiceField(
        label="To", coerce=int, error_messages={"required": "Please choose who it's for."}
    )
    topic = forms.CharField(label="Topic", required=False, max_length=MAX_TOPIC_LENGTH)
    text = forms.CharField(
        label="Your feedback",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_TEXT_LENGTH,
        help_text="Specific and kind: what you saw, and what it did.",
        error_messages={"required": "Please write your feedback first."},
    )

    def __init__(self, *args: Any, grantors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["recipient"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose someone who asked you"), *grantors]
        # The gate, not the list, decides: a stale page still gets a clear answer.
        field.valid_value = lambda value: True  # type: ignore[method-assign]


class HelpRequestForm(forms.Form):
    topic = forms.CharField(
        label="Could I use some help with …",
        max_length=MAX_TOPIC_LENGTH,
        error_messages={"required": "Please say what you'd like help with."},
    )
    text = forms.CharField(
        label="A little more about it (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_TEXT_LENGTH,
    )
    audience = forms.ChoiceField(
        label="Who to ask",
        choices=HelpAudience.choices,
        widget=forms.RadioSelect,
        initial=HelpAudience.PEERS,
    )
    pairing = forms.TypedChoiceField(label="Pair or group", coerce=int, required=False)
    program = forms.TypedChoiceField(label="Program", coerce=int, required=False)

    def __init__(
        self,
        *args: Any,
        pairings: list[tuple[int, str]],
        programs: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        pairing = self.fields["pairing"]
        program = self.fields["program"]
        assert isinstance(pairing, forms.TypedChoiceField)
        assert isinstance(program, forms.TypedChoiceField)
        pairing.choices = [("", "—"), *pairings]
        program.choices = [("", "—"), *programs]


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Your answer",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_TEXT_LENGTH,
        error_messages={"required": "Please write your answer first."},
    )


class AdviceOfferForm(forms.Form):
    recipient = forms.IntegerField(error_messages={"required": CHOOSE_A_COLLEAGUE})
    topic = forms.CharField(
        label="Would you like some advice on …",
        max_length=MAX_TOPIC_LENGTH,
        error_messages={"required": "Please say what the advice is about."},
    )
    advice = forms.CharField(
        label="Your advice",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_TEXT_LENGTH,
        help_text="They only read it if they say yes.",
        error_messages={"required": "Please write the advice you'd offer."},
    )
