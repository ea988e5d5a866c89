"""Reads for pairings and requests, always from one member's point of view.

What a member sees of a pairing never says who answered what: only their own answer, and for a
match that didn't go ahead the same words whether someone said no or time ran out. Program
managers see pairings only as counts by status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from peercoach.people import management_path
from peercoach.people.models import Person
from peercoach.programs.models import Enrollment, EnrollmentStatus, Program
from peercoach.programs.pairing_models import (
    OPEN_STATUSES,
    MemberResponse,
    Pairing,
    PairingMember,
    PairingRequest,
    PairingStatus,
    RequestStatus,
)

# How a match that didn't happen reads to the members who didn't end it.
DID_NOT_GO_AHEAD = "did_not_go_ahead"
VIEWER_STATUS_LABELS = {
    PairingStatus.INVITED: "Waiting for answers",
    PairingStatus.ACTIVE: "Active",
    PairingStatus.PAUSED: "Paused",
    PairingStatus.ENDED: "Ended",
    PairingStatus.COMPLETED: "Completed",
    PairingStatus.DECLINED: "You said no",
    DID_NOT_GO_AHEAD: "Didn't go ahead",
}


@dataclass(frozen=True)
class PairingView:
    """One pairing as one of its members sees it."""

    id: int
    program_id: int
    program_name: str
    kind: str
    status: str
    status_label: str
    peers: list[str]
    my_response: str
    expires_at: datetime | None
    activated_at: datetime | None

    @property
    def is_waiting_for_me(self) -> bool:
        return self.status == PairingStatus.INVITED and self.my_response == MemberResponse.PENDING

    @property
    def is_waiting_for_others(self) -> bool:
        return self.status == PairingStatus.INVITED and self.my_response == MemberResponse.ACCEPTED

    @property
    def is_active(self) -> bool:
        return self.status == PairingStatus.ACTIVE

    @property
    def is_paused(self) -> bool:
        return self.status == PairingStatus.PAUSED


def pairing_view(pairing: Pairing, person: Person) -> PairingView:
    """Needs the pairing's members (with people) and program loaded, as the selectors do."""
    members = list(pairing.members.all())
    mine = next(m for m in members if m.person_id == person.pk)
    status = pairing.status
    if status == PairingStatus.EXPIRED or (
        status == PairingStatus.DECLINED and mine.response != MemberResponse.DECLINED
    ):
        status = DID_NOT_GO_AHEAD
    return PairingView(
        id=pairing.pk,
        program_id=pairing.program_id,
        program_name=pairing.program.name,
        kind=pairing.kind,
        status=status,
        status_label=VIEWER_STATUS_LABELS[status],
        peers=sorted(m.person.full_name for m in members if m.person_id != person.pk),
        my_response=mine.response,
        expires_at=pairing.expires_at if pairing.status == PairingStatus.INVITED else None,
        activated_at=pairing.activated_at,
    )


def _pairings_of(person: Person) -> QuerySet[Pairing]:
    members = PairingMember.objects.in_organization(person.organization_id).select_related("person")
    return (
        Pairing.objects.in_organization(person.organization_id)
        .filter(members__person=person)
        .exclude(status=PairingStatus.PROPOSED)  # a proposal is the manager's draft until sent
        .select_related("program")
        .prefetch_related(Prefetch("members", queryset=members))
    )


def pairings_mine(*, person: Person, program: Program | None = None) -> list[PairingView]:
    """The person's open pairings: invitations to answer, active and paused ones."""
    pairings = _pairings_of(person).filter(status__in=OPEN_STATUSES)
    if program is not None:
        pairings = pairings.filter(program=program)
    return [pairing_view(p, person) for p in pairings.order_by("-proposed_at", "pk")]


def pairing_for_member(*, person: Person | None, pairing_id: int) -> Pairing:
    """A pairing the person belongs to; anyone else's answers 404, like a missing one."""
    if person is None:
        raise Http404("No such pairing.")
    pairing = _pairings_of(person).filter(pk=pairing_id).first()
    if pairing is None:
        raise Http404("No such pairing.")
    return pairing


def pairing_counts(*, program: Program) -> dict[str, int]:
    """For the program manager: how many pairings are in each status, nothing more."""
    counts = dict(
        Pairing.objects.in_organization(program.organization_id)
        .filter(program=program)
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return {status.value: counts.get(status.value, 0) for status in PairingStatus}


def enrollments_looking(*, program: Program) -> QuerySet[Enrollment]:
    """Who is waiting for a match: taking part, and neither paired nor asked to pair."""
    busy = PairingMember.objects.in_organization(program.organization_id).filter(
        program=program, pairing__status__in=OPEN_STATUSES
    )
    return (
        Enrollment.objects.in_organization(program.organization_id)
        .filter(program=program, status=EnrollmentStatus.ACTIVE)
        .exclude(person__in=busy.values("person"))
    )


# ---------------------------------------------------------------------------------------------
# Requests


# The most colleagues a name search shows: enough to spot the right one, few enough to read.
COLLEAGUE_SEARCH_LIMIT = 20


def request_candidates(*, enrollment: Enrollment) -> QuerySet[Enrollment]:
    """Whom the person may ask: taking part in the same program, outside their reporting line
    (above or below), not paired yet, not asked already, and not themself.

    Every rule is a database filter, so a search over ten thousand people reads only its page.
    """
    program = enrollment.program
    others = (
        Enrollment.objects.in_organization(program.organization_id)
        .filter(program=program, status=EnrollmentStatus.ACTIVE)
        .exclude(person=enrollment.person_id)
        .exclude(
            pk__in=PairingRequest.objects.in_organization(program.organization_id)
            .filter(requester=enrollment, status=RequestStatus.PENDING)
            .values("recipient")
        )
    )
    if not program.allows_several_pairings:
        paired = PairingMember.objects.in_organization(program.organization_id).filter(
            program=program, is_current=True
        )
        others = others.exclude(person__in=paired.values("person"))
    return outside_reporting_line(others, enrollment.person)


def outside_reporting_line(
    enrollments: QuerySet[Enrollment], person: Person
) -> QuerySet[Enrollment]:
    """Leave out everyone above `person` and everyone below them: peers only."""
    path = person.management_path
    if not path:
        return enrollments
    return enrollments.exclude(person_id__in=management_path.ancestor_ids(path)).exclude(
        person__management_path__gte=path,
        person__management_path__lt=management_path.subtree_upper_bound(path),
    )


def request_candidates_named(
    *, enrollment: Enrollment, text: str, limit: int = COLLEAGUE_SEARCH_LIMIT
) -> list[Enrollment]:
    """Colleagues the person may ask whose name contains `text`, by name, at most `limit`."""
    text = text.strip()
    if not text:
        return []
    return list(
        request_candidates(enrollment=enrollment)
        .filter(person__full_name__icontains=text)
        .select_related("person")
        .order_by("person__full_name", "pk")[:limit]
    )


@dataclass(frozen=True)
class ColleagueSearch:
    """The "choose a colleague" list: colleagues found by name, at most a page of them."""

    text: str = ""
    found: tuple[Enrollment, ...] = ()
    chosen_id: int | None = None

    @classmethod
    def from_text(cls, enrollment: Enrollment | None, text: str) -> ColleagueSearch:
        text = text.strip()[:100]
        if enrollment is None or not text:
            return cls(text=text)
        found = request_candidates_named(enrollment=enrollment, text=text)
        return cls(text=text, found=tuple(found))

    @classmethod
    def chosen(cls, recipient: Enrollment) -> ColleagueSearch:
        return cls(text=recipient.person.full_name, found=(recipient,), chosen_id=recipient.pk)

    @property
    def may_be_more(self) -> bool:
        return len(self.found) >= COLLEAGUE_SEARCH_LIMIT


def request_recipient(*, enrollment: Enrollment, recipient_id: int) -> Enrollment | None:
    """Anyone enrolled in the same program: whether they may be asked is for `request_send` to
    say, with the reason in plain words."""
    return (
        Enrollment.objects.in_organization(enrollment.organization_id)
        .filter(program=enrollment.program_id, pk=recipient_id)
        .select_related("person")
        .first()
    )


def _requests(enrollment: Enrollment) -> QuerySet[PairingRequest]:
    return PairingRequest.objects.in_organization(enrollment.organization_id).select_related(
        "requester__person", "recipient__person", "pairing"
    )


def requests_sent(*, enrollment: Enrollment) -> QuerySet[PairingRequest]:
    return (
        _requests(enrollment).filter(requester=enrollment).exclude(status=RequestStatus.WITHDRAWN)
    )


def requests_received(*, enrollment: Enrollment) -> QuerySet[PairingRequest]:
    """Only the ones still waiting: what the person answered before is theirs to remember."""
    return _requests(enrollment).filter(recipient=enrollment, status=RequestStatus.PENDING)


def request_for_member(*, person: Person | None, request_id: int) -> PairingRequest:
    """A request the person sent or received; anyone else's answers 404."""
    if person is None:
        raise Http404("No such request.")
    request = (
        PairingRequest.objects.in_organization(person.organization_id)
        .filter(pk=request_id)
        .select_related("program", "requester__person", "recipient__person")
        .first()
    )
    if request is None or person.pk not in (
        request.requester.person_id,
        request.recipient.person_id,
    ):
        raise Http404("No such request.")
    return request
