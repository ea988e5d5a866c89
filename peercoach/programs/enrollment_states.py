"""Every allowed change of an enrollment's status, and who may make it, in one table.

Services call `check_transition` before they change a status; nothing else decides. A status of
`None` means "no enrollment yet", so the three ways in are rows of the table too.

Consent runs through the table: nobody but the person themselves can make them take part, pause,
leave or decline. A colleague can only nominate; a program manager can only invite (assign).
The system only ends a pause the person chose, and closes the enrollments of someone the HR
import marks as having left the organization.
"""

from __future__ import annotations

from enum import StrEnum

from peercoach.core.errors import RefusedError
from peercoach.programs.models import EnrollmentStatus


class Actor(StrEnum):
    PERSON = "person"  # the person enrolled, about their own enrollment
    COLLEAGUE = "colleague"  # another participant of the organization
    PROGRAM_MANAGER = "program_manager"  # a program manager or organization admin
    SYSTEM = "system"  # scheduled work, e.g. a pause that has run its course


S = EnrollmentStatus
A = Actor

TRANSITIONS: dict[EnrollmentStatus | None, dict[EnrollmentStatus, frozenset[Actor]]] = {
    None: {
        S.ACTIVE: frozenset({A.PERSON}),  # open enrollment: joins on their own
        S.NOMINATED: frozenset({A.COLLEAGUE}),
        S.INVITED: frozenset({A.PROGRAM_MANAGER}),  # assigned, free to opt out
    },
    S.NOMINATED: {
        S.ACTIVE: frozenset({A.PERSON}),  # accepts the nomination
        S.DECLINED: frozenset({A.PERSON}),
        S.LEFT: frozenset({A.SYSTEM}),  # the HR import says they left the organization
    },
    S.INVITED: {
        S.ACTIVE: frozenset({A.PERSON}),  # completes the profile and agrees to the rules
        # The person opts out, or the HR import says they left the organization.
        S.LEFT: frozenset({A.PERSON, A.SYSTEM}),
    },
    S.ACTIVE: {
        S.PAUSED: frozenset({A.PERSON}),
        S.LEFT: frozenset({A.PERSON, A.SYSTEM}),
    },
    S.PAUSED: {
        S.ACTIVE: frozenset({A.PERSON, A.SYSTEM}),
        S.LEFT: frozenset({A.PERSON, A.SYSTEM}),
    },
    S.LEFT: {
        S.ACTIVE: frozenset({A.PERSON}),  # rejoins while the program is open
    },
    S.DECLINED: {
        S.ACTIVE: frozenset({A.PERSON}),  # changed their mind and joins after all
    },
}

_REFUSALS: dict[EnrollmentStatus, str] = {
    S.ACTIVE: "You're already taking part in this program.",
    S.PAUSED: "Your place in this program is paused. You can resume it any time.",
    S.LEFT: "You've left this program.",
    S.DECLINED: "You said no to this program.",
    S.INVITED: "You're invited to this program already.",
    S.NOMINATED: "You're nominated for this program already.",
}


class TransitionRefused(RefusedError):
    """The enrollment state table does not allow this change for this actor."""


def is_allowed(
    from_status: EnrollmentStatus | None, to_status: EnrollmentStatus, actor: Actor
) -> bool:
    return actor in TRANSITIONS.get(from_status, {}).get(to_status, frozenset())


def check_transition(
    from_status: EnrollmentStatus | str | None, to_status: EnrollmentStatus, actor: Actor
) -> None:
    """Raise TransitionRefused, with a message for the person who asked, unless allowed."""
    current = EnrollmentStatus(from_status) if from_status is not None else None
    if is_allowed(current, to_status, actor):
        return
    allowed_actors = TRANSITIONS.get(current, {}).get(to_status)
    if allowed_actors and A.PERSON in allowed_actors:
        raise TransitionRefused("Only the person themselves can make this change.")
    if current is not None and actor == A.PERSON:
        raise TransitionRefused(_REFUSALS[current])
    raise TransitionRefused("That change isn't possible for this enrollment.")
