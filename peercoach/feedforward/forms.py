from __future__ import annotations

from django import forms
from django.urls import reverse_lazy

from peercoach.feedforward.models import (
    MAX_INVITEES_PER_ROUND,
    SUGGESTION_MAX_LENGTH,
    TOPIC_MAX_LENGTH,
)


class RoundStartForm(forms.Form):
    topic = forms.CharField(
        label="One thing I'd like to get better at",
        max_length=TOPIC_MAX_LENGTH,
        help_text="Something you'll do again soon, so ideas can be tried. For example: "
        "“making my updates shorter” or “saying no to extra work kindly”.",
    )
    random_count = forms.IntegerField(
        label="Colleagues to draw at random",
        min_value=0,
        max_value=MAX_INVITEES_PER_ROUND,
        initial=3,
        help_text="Never anyone in your own reporting line. You can also invite people by name "
        "on the next page.",
    )


class RandomDrawForm(forms.Form):
    random_count = forms.IntegerField(
        label="How many", min_value=1, max_value=MAX_INVITEES_PER_ROUND, initial=1
    )


def _checked_as_typed(name: str) -> dict[str, object]:
    """Textarea attributes that ask the server, as the person types, whether the idea looks
    back; the answer lands in the note under the field. Without JavaScript the same check runs
    when the form is sent."""
    return {
        "rows": 3,
        "hx-post": reverse_lazy("feedforward:check"),
        "hx-trigger": "input changed delay:500ms",
        "hx-target": f"#{name}_looks_back",
        "hx-swap": "innerHTML",
    }


class AnswerForm(forms.Form):
    suggestion_1 = forms.CharField(
        label="An idea for the future",
        max_length=SUGGESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs=_checked_as_typed("suggestion_1")),
        help_text="Something they could try from now on, for example: “Next time, try…”.",
    )
    suggestion_2 = forms.CharField(
        label="A second idea (if you have one)",
        max_length=SUGGESTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs=_checked_as_typed("suggestion_2")),
    )

    def suggestions(self) -> list[str]:
        return [self.cleaned_data["suggestion_1"], self.cleaned_data.get("suggestion_2", "")]
