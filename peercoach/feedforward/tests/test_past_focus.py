from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peercoach.feedforward.past_focus import dwells_on_the_past, past_focused_phrases

LOOKING_BACK = [
    "Last time you spoke over Sam in the stand-up.",
    "last week the demo ran long",
    "You always jump to solutions.",
    "you never ask the quiet people",
    "You should have asked for help sooner.",
    "You could have told the team earlier.",
    "I think you should've checked the numbers.",
    "Yesterday the plan was unclear.",
    "In the meeting you cut Maria off.",
    "At the review, you seemed rushed.",
    "You did a lot of talking.",
    "You were quite short with the client.",
    "You said it was done, but it wasn't.",
    "You interrupted twice.",
    "You completely ignored the deadline.",
    "You just rushed the ending.",
    "You've been late to every session.",
    "The other day it felt tense.",
]

LOOKING_FORWARD = [
    "Next time, try pausing for five seconds before answering.",
    "You could ask each person for one idea before the team decides.",
    "Try writing the three key points on a card before you present.",
    "If you were to share the agenda a day ahead, people could prepare.",
    "You need only one slide for the summary.",
    "Ask the quietest person first; it often opens the room.",
    "Consider a short check-in at the start of each meeting.",
    "You might block an hour each Friday to plan the week.",
    "When you feel rushed, say so and ask for a minute.",
    "You will succeed if you proceed one step at a time.",
]


@pytest.mark.parametrize("text", LOOKING_BACK)
def test_it_notices_a_suggestion_that_looks_back(text: str) -> None:
    assert dwells_on_the_past(text), past_focused_phrases(text)


@pytest.mark.parametrize("text", LOOKING_FORWARD)
def test_it_leaves_a_suggestion_for_the_future_alone(text: str) -> None:
    assert past_focused_phrases(text) == []


def test_it_names_each_phrase_once_in_the_order_written() -> None:
    text = "Last time you were late. You always are. last time, too."
    assert past_focused_phrases(text) == ["Last time", "you were", "You always"]


def test_it_reads_past_the_end_of_a_word_only_at_word_boundaries() -> None:
    # "outlast times" and "younever" are not the phrases.
    assert past_focused_phrases("It will outlast times of change; younever know.") == []


future_verbs = st.sampled_from(["try", "ask", "share", "plan", "pause", "invite", "write"])
objects = st.sampled_from(["the agenda", "one question", "a short summary", "your idea"])


@given(verb=future_verbs, thing=objects)
def test_an_invitation_to_try_something_is_never_flagged(verb: str, thing: str) -> None:
    assert not dwells_on_the_past(f"Next time, {verb} {thing} first.")


@given(
    before=st.text(alphabet="abcdefghij .,", max_size=30),
    after=st.text(alphabet="abcdefghij .,", max_size=30),
    phrase=st.sampled_from(["last time you", "you always", "you never", "yesterday"]),
)
def test_a_looking_back_phrase_is_found_wherever_it_sits(
    before: str, after: str, phrase: str
) -> None:
    assert dwells_on_the_past(f"{before} {phrase} {after}")
