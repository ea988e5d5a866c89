"""Ranked suggestions for a participant who chooses their own peers.

The candidates are the colleagues they may ask (taking part, outside their reporting line, not
yet paired, not already asked); the engine ranks them and never suggests anyone in the person's
management chain, whatever the candidates. Reasons speak only of what the colleague offers and
what the person themself wants: a colleague's goals stay theirs.
"""

from __future__ import annotations

from peercoach.programs.matching_adapter import program_suggestions
from peercoach.programs.models import Enrollment
from peercoach.programs.pairing_models import RequestStatus
from peercoach.programs.pairing_selectors import request_candidates, requests_sent

SUGGESTIONS_SHOWN = 5


def suggestions_for(*, enrollment: Enrollment) -> list[tuple[Enrollment, str]]:
    asked = set(
        requests_sent(enrollment=enrollment)
        .filter(status=RequestStatus.PENDING)
        .values_list("recipient_id", flat=True)
    )
    candidates = [c for c in request_candidates(enrollment=enrollment) if c.pk not in asked]
    return program_suggestions(enrollment.program, enrollment, candidates, top=SUGGESTIONS_SHOWN)
