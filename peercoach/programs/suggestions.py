"""Ranked suggestions for a participant who chooses their own peers.

The candidates are the colleagues they may ask (taking part, outside their reporting line, not
yet paired, not already asked); the engine ranks them and never suggests anyone in the person's
management chain, whatever the candidates. Reasons speak only of what the colleague offers and
what the person themself wants: a colleague's goals stay theirs.

Suggestions are worked out on every page load, so the engine sees a short list, not the whole
program: colleagues who could never be matched with the person (no shared language, not enough
shared working hours) are left out first, and the rest are cut to the few hundred whose topics
fit best. The chain rule doesn't rest on this pre-filter: the engine still gets every manager
above every candidate and refuses a pair across a reporting line itself.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from peercoach.matching_engine import Person
from peercoach.matching_engine.rules import utc_window, window_overlap
from peercoach.programs.matching_adapter import engine_person, program_suggestions
from peercoach.programs.models import Enrollment, EnrollmentStatus
from peercoach.programs.pairing_models import PairingMember, RequestStatus
from peercoach.programs.pairing_selectors import outside_reporting_line, requests_sent

SUGGESTIONS_SHOWN = 5
# Enough that the engine's own ranking decides, small enough to rank in a few milliseconds.
CANDIDATES_RANKED = 300
ENGLISH = frozenset({"english"})


def suggestions_for(*, enrollment: Enrollment) -> list[tuple[Enrollment, str]]:
    candidates = suggestion_candidates(enrollment=enrollment)
    return program_suggestions(enrollment.program, enrollment, candidates, top=SUGGESTIONS_SHOWN)


def suggestion_candidates(
    *, enrollment: Enrollment, limit: int = CANDIDATES_RANKED
) -> list[Enrollment]:
    """The colleagues worth ranking for `enrollment`, best topic fit first, at most `limit`."""
    program = enrollment.program
    organization_id = program.organization_id
    others = (
        Enrollment.objects.in_organization(organization_id)
        .filter(program=program, status=EnrollmentStatus.ACTIVE)
        .exclude(person=enrollment.person_id)
        .exclude(pk__in=_asked(enrollment))
    )
    if not program.allows_several_pairings:
        paired = PairingMember.objects.in_organization(organization_id).filter(
            program=program, is_current=True
        )
        others = others.exclude(person__in=paired.values("person"))
    others = outside_reporting_line(others, enrollment.person)
    me = engine_person(enrollment)
    minimum = round(float(program.minimum_shared_hours) * 60)
    fit = _Fit(me, minimum, timezone.localdate())
    # The lists come as their stored JSON text: most rows repeat a handful of values, so each
    # distinct text is read once instead of ten thousand times.
    rows = others.annotate(
        raw_languages=Cast("languages", TextField()),
        raw_person_languages=Cast("person__languages", TextField()),
        raw_goals=Cast("goals", TextField()),
        raw_offers=Cast("offers", TextField()),
    )
    ranked = sorted(
        (-score, pk)
        for pk, *profile in rows.values_list(
            "pk",
            "raw_languages",
            "raw_person_languages",
            "timezone",
            "person__timezone",
            "working_hours_start",
            "working_hours_end",
            "raw_goals",
            "raw_offers",
        )
        if (score := fit.score(*profile)) is not None
    )
    chosen = [pk for _, pk in ranked[:limit]]
    loaded = Enrollment.objects.in_organization(organization_id).filter(pk__in=chosen)
    by_pk = {e.pk: e for e in loaded.select_related("person")}
    return [by_pk[pk] for pk in chosen if pk in by_pk]


def _asked(enrollment: Enrollment) -> list[int]:
    pending = requests_sent(enrollment=enrollment).filter(status=RequestStatus.PENDING)
    return list(pending.values_list("recipient_id", flat=True))


class _Fit:
    """The engine's language and working-hours rules for one person, and a cheap topic score."""

    def __init__(self, me: Person, minimum_minutes: int, today: date) -> None:
        self.me = me
        self.minimum = minimum_minutes
        self.today = today
        self.languages = set(me.languages)
        self.wants = set(me.wants)
        self.offers = set(me.offers)
        self.window = utc_window(me, today)
        self.overlaps: dict[tuple[str, int, int], int] = {}
        self.lists: dict[str | None, tuple[bool, frozenset[str]]] = {}

    def score(
        self,
        languages: str | None,
        person_languages: str | None,
        zone: str,
        person_zone: str,
        start: int,
        end: int,
        goals: str | None,
        offers: str | None,
    ) -> int | None:
        """None when the engine could never pair them; otherwise how well their topics fit.

        The lists arrive as JSON text; the fallbacks are the engine's (`engine_person`).
        """
        given, spoken = self._read(languages)
        if not given:
            given, spoken = self._read(person_languages)
        if not given:
            spoken = ENGLISH
        if not spoken & self.languages:
            return None
        if self._overlap(zone or person_zone or "UTC", start, end) < self.minimum:
            return None
        # What they offer that I want counts double: that is what the person came for.
        return 2 * len(self._read(offers)[1] & self.wants) + len(self._read(goals)[1] & self.offers)

    def _read(self, text: str | None) -> tuple[bool, frozenset[str]]:
        """Whether the stored list has anything in it, and its items as the engine sees them."""
        if text not in self.lists:
            items = json.loads(text) if text else None
            items = items if isinstance(items, list) else []
            self.lists[text] = (bool(items), frozenset(_normalized(items)))
        return self.lists[text]

    def _overlap(self, zone: str, start: int, end: int) -> int:
        key = (zone, start, end)
        if key not in self.overlaps:
            them = replace(self.me, timezone=zone, hours=(start, end))
            self.overlaps[key] = window_overlap(self.window, utc_window(them, self.today))
        return self.overlaps[key]


def _normalized(items: list[str]) -> set[str]:
    # The same normalization as the engine's: case and spacing don't make a different topic.
    return {" ".join(str(item).split()).casefold() for item in items if str(item).strip()}
