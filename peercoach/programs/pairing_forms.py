from __future__ import annotations

from typing import Any

from django import forms

from peercoach.programs.models import Enrollment
from peercoach.programs.request_services import MAX_MESSAGE_LENGTH


class RequestForm(forms.Form):
    recipient = forms.TypedChoiceField(
        coerce=int,
        label="Colleague",
        help_text="Colleagues taking part in this program, outside your own reporting line.",
        error_messages={
            "required": "Choose the colleague you'd like to ask.",
            "invalid_choice": "That colleague can't be asked right now. Please choose again.",
        },
    )
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_MESSAGE_LENGTH,
        required=False,
        label="A note (optional)",
        help_text="For example, what you'd like to work on, or when you're usually free.",
    )

    def __init__(self, *args: Any, candidates: list[Enrollment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._candidates = {enrollment.pk: enrollment for enrollment in candidates}
        field = self.fields["recipient"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose a colleague")] + [
            (
                e.pk,
                f"{e.person.full_name}, {e.person.job_title}"
                if e.person.job_title
                else e.person.full_name,
            )
            for e in candidates
        ]

    def clean_recipient(self) -> Enrollment:
        return self._candidates[self.cleaned_data["recipient"]]
