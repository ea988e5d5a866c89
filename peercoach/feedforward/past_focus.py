"""Does a suggestion dwell on the past? A gentle nudge for FeedForward, never a block.

FeedForward offers ideas for what someone could do next; a suggestion that starts from what
went wrong ("last time you…", "you always…") turns back into feedback about the past. This
module spots the usual ways that shows up in English so the form can ask, kindly, for a
rephrasing. It is deliberately simple: plain text in, the phrases found out, no Django.

A false alarm costs the writer one click ("send it as it is"), a miss costs nothing more than
today; so the patterns lean towards the phrases people actually write, not towards grammar.
"""

from __future__ import annotations

import re

# Phrases that point at a moment in the past, or at a habit judged from the past.
_TIME_AND_HABIT = [
    r"last (?:time|week|month|quarter|year|meeting|sprint)",
    r"yesterday",
    r"the other day",
    r"earlier today",
    r"(?:in|at|during) (?:the|that|our|yesterday's|today's) (?:meeting|call|review|session)"
    r",? you",
    r"you (?:always|never|keep|kept|constantly|continually)",
    r"(?:you )?(?:should|could|would|shouldn't|couldn't|wouldn't|must)(?: not)? have"
    r" (?:\w+ed|been|done|said|told|asked|known|gone|given|taken|made|seen|written)",
    r"(?:should|could|would)'ve",
    r"you've (?:been|done|said|made|always|never)",
    r"you have (?:been|always|never)",
]

# Irregular past tenses that follow "you" in a sentence about what happened.
_IRREGULAR_PAST = (
    "did|didn't|were|weren't|was|wasn't|said|told|made|went|gave|took|forgot|got|came|ran|"
    "wrote|sent|spoke|thought|felt|left|lost|brought|knew|saw|chose|broke|began|caught|fell|"
    "held|meant|met|paid|sat|stood|spent|taught|understood|won|became|interrupted|ignored"
)
# Present-tense verbs that merely end in "ed", so "you need" is not mistaken for a past tense.
_NOT_PAST = {"need", "feed", "seed", "succeed", "proceed", "exceed", "speed", "heed", "embed"}
_ADVERB = r"(?:(?:just|really|also|then|once|totally|completely|\w+ly) )?"

_PHRASES = re.compile(r"\b(?:" + "|".join(_TIME_AND_HABIT) + r")\b", re.IGNORECASE)
# "if you were to…" is a hypothetical about the future, not a report of the past.
_YOU_PAST = re.compile(
    r"(?<!\bif )\byou "
    + _ADVERB
    + r"(?:(?P<irregular>"
    + _IRREGULAR_PAST
    + r")|(?P<regular>\w+ed))\b",
    re.IGNORECASE,
)


def past_focused_phrases(text: str) -> list[str]:
    """The phrases in `text` that look back rather than forward, in order, each once."""
    found: list[tuple[int, str]] = [(m.start(), m.group(0)) for m in _PHRASES.finditer(text)]
    for match in _YOU_PAST.finditer(text):
        regular = match.group("regular")
        if regular and regular.lower() in _NOT_PAST:
            continue
        found.append((match.start(), match.group(0)))
    phrases: list[str] = []
    for _, phrase in sorted(found):
        if phrase.lower() not in (seen.lower() for seen in phrases):
            phrases.append(phrase)
    return phrases


def dwells_on_the_past(text: str) -> bool:
    return bool(past_focused_phrases(text))
