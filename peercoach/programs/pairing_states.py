"""Every allowed change of a pairing's status, and who may make it, in one table.

Services call `check_transition` before they change a pairing's status; nothing else decides.
A status of `None` means "no pairing yet", so the ways a pairing comes to be are rows too.

Consent runs through the table: only members make a pairing active (the last of them to say yes,
or the recipient of a request, which both sides asked for), and only members pause, resume or
end it (pausing one's place in the program pauses one's pairings too). A program manager
proposes and invites, and never ends anyone's pairing: that choice belongs to the members. The
system expires unanswered invitations, completes pairings when the program or a rotation round
ends, ends pairings whose member left the program, and resumes a pairing paused with a member's
place in the program when that pause is over.
"""

from __future__ import annotations

from enum import StrEnum

from peercoach.core.errors import RefusedError
from peercoach.programs.pairing_models import PairingStatus


class Actor(StrEnum):
    MEMBER = "member"  # one of the pairing's members
    PROGRAM_MANAGER = "program_manager"  # a program manager or organization admin
    SYSTEM = "system"  # matching runs and the scheduled sweep


S = PairingStatus
A = Actor

TRANSITIONS: dict[PairingStatus | None, dict[PairingStatus, frozenset[Actor]]] = {
    None: {
        S.PROPOSED: frozenset({A.PROGRAM_MANAGER, A.SYSTEM}),  # a matching run's suggestion
        S.INVITED: frozenset({A.PROGRAM_MANAGER, A.SYSTEM}),  # proposed and asked at once
        S.ACTIVE: frozenset({A.MEMBER}),  # a request accepted: both sides asked for it
    },
    S.PROPOSED: {
        S.INVITED: frozenset({A.PROGRAM_MANAGER, A.SYSTEM}),  # published to its members
        S.EXPIRED: frozenset({A.SYSTEM}),  # never published before the program ended
    },
    S.INVITED: {
        S.ACTIVE: frozenset({A.MEMBER}),  # the last member says yes
        S.DECLINED: frozenset({A.MEMBER}),
        S.EXPIRED: frozenset({A.SYSTEM}),
    },
    S.ACTIVE: {
        S.PAUSED: frozenset({A.MEMBER}),
        S.ENDED: frozenset({A.MEMBER, A.SYSTEM}),  # no-fault exit, or a member left the program
        S.COMPLETED: frozenset({A.SYSTEM}),
    },
    S.PAUSED: {
        # The system resumes only a pairing that paused with a member's pause of their place in
        # the program, once that pause has run its course.
        S.ACTIVE: frozenset({A.MEMBER, A.SYSTEM}),
        S.ENDED: frozenset({A.MEMBER, A.SYSTEM}),
        S.COMPLETED: frozenset({A.SYSTEM}),
    },
    # Ended, completed, declined and expired are final: a new start is a new pairing.
    S.ENDED: {},
    S.COMPLETED: {},
    S.DECLINED: {},
    S.EXPIRED: {},
}

_REFUSALS: dict[PairingStatus, str] = {
    S.PROPOSED: "This match hasn't been sent out yet.",
    S.INVITED: "This match is still waiting for everyone's answer.",
    S.ACTIVE: "This pairing is already active.",
    S.PAUSED: "This pairing is paused. You can resume it any time.",
    S.ENDED: "This pairing has ended.",
    S.COMPLETED: "This pairing is complete: the program has ended.",
    S.DECLINED: "This match didn't go ahead.",
    S.EXPIRED: "This match didn't go ahead.",
}


class TransitionRefused(RefusedError):
    """The pairing state table does not allow this change for this actor."""


def is_allowed(from_status: PairingStatus | None, to_status: PairingStatus, actor: Actor) -> bool:
    return actor in TRANSITIONS.get(from_status, {}).get(to_status, frozenset())


def check_transition(
    from_status: PairingStatus | str | None, to_status: PairingStatus, actor: Actor
) -> None:
    """Raise TransitionRefused, with a message for the person who asked, unless allowed."""
    current = PairingStatus(from_status) if from_status is not None else None
    if is_allowed(current, to_status, actor):
        return
    allowed_actors = TRANSITIONS.get(current, {}).get(to_status)
    if allowed_actors and A.MEMBER in allowed_actors:
        raise TransitionRefused("Only the members of this pairing can make this change.")
    if current is not None:
        raise TransitionRefused(_REFUSALS[current])
    raise TransitionRefused("That change isn't possible for this pairing.")
