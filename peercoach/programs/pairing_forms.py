from __future__ import annotations

from typing import Any

from django import forms

from peercoach.programs.models import Enrollment
from peercoach.programs.pairing_selectors import request_recipient
from peercoach.programs.request_services import MAX_MESSAGE_LENGTH


class RequestForm(forms.Form):
    """Ask one colleague, found by name (see `request_candidates_named`) or among suggestions."""

    recipient = forms.IntegerField(
        min_value=1,
        label="Colleague",
        help_text="Colleagues taking part in this program, outside your own reporting line.",
        error_messages={
            "required": "Choose the colleague you'd like to ask.",
            "invalid": "Choose the colleague you'd like to ask.",
            "min_value": "Choose the colleague you'd like to ask.",
        },
    )
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_MESSAGE_LENGTH,
        required=False,
        label="A note (optional)",
        help_text="For example, what you'd like to work on, or when you're usually free.",
    )

    def __init__(self, *args: Any, enrollment: Enrollment | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._enrollment = enrollment

    def clean_recipient(self) -> Enrollment:
        recipient_id = self.cleaned_data["recipient"]
        found = None
        if self._enrollment is not None:
            found = request_recipient(enrollment=self._enrollment, recipient_id=recipient_id)
        if found is None:
            raise forms.ValidationError(
                "That colleague can't be asked right now. Please choose someone else."
            )
        return found
