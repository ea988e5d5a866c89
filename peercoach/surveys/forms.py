from __future__ import annotations

from django import forms

from peercoach.surveys.models import RATING_CHOICES, TEXT_MAX_LENGTH


class ProgramFeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How useful has this program been for you?",
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    keep = forms.CharField(
        label="What should we keep?",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    change = forms.CharField(
        label="What should we change?",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
