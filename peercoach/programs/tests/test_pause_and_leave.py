"""A person's pause or departure carries over to their pairings, and the sweep brings them back.

Every moment the sweep sees is passed in as `now`: the clock is frozen by construction.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from peercoach.programs.models import Enrollment, EnrollmentStatus, MatchingMode
from peercoach.programs.pairing_models import InboxKind, InboxMessage, Pairing
from peercoach.programs.pairing_models import PairingStatus as S
from peercoach.programs.pairing_selectors import enrollments_looking
from peercoach.programs.pairing_services import (
    PairingError,
    pairing_accept,
    pairing_pause,
    pairing_propose,
    pairing_resume,
)
from peercoach.programs.request_services import request_send
from peercoach.programs.services import (
    enrollment_leave,
    enrollment_pause,
    enrollment_resume,
)
from peercoach.programs.sweep import pairings_sweep
from peercoach.programs.tests.conftest import days_from_today, enroll, invited_pair
from peercoach.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

START = timezone.now()


@pytest.fixture(autouse=True)
def clock_starts_with_the_test() -> None:
    # Taken again for every test, not only at import: a run that crosses midnight would
    # otherwise compare yesterday's clock with today's dates.
    global START
    START = timezone.now()


def day(n: int):
    return START + timedelta(days=n)


def reload(pairing: Pairing) -> Pairing:
    return Pairing.objects.in_organization(pairing.organization_id).get(pk=pairing.pk)


def enrollment(program, person) -> Enrollment:
    return Enrollment.objects.in_organization(program.organization_id).get(
        program=program, person=person
    )


def messages_to(person) -> list[InboxMessage]:
    return list(
        InboxMessage.objects.in_organization(person.organization_id)
        .filter(recipient=person)
        .order_by("created_at", "pk")
    )


def active_pair(personas, program) -> Pairing:
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    pairing_accept(pairing=pairing, by=personas.pia_person, now=START)
    pairing_accept(pairing=pairing, by=personas.colleague, now=START)
    return reload(pairing)


# Pausing ------------------------------------------------------------------------------------


def test_pausing_a_place_in_the_program_pauses_its_pairing(personas, program):
    pairing = active_pair(personas, program)
    enrollment_pause(enrollment=enrollment(program, personas.pia_person), until=days_from_today(5))
    assert reload(pairing).status == S.PAUSED
    assert reload(pairing).paused_with_enrollment


def test_the_others_are_told_it_is_paused_but_not_why(personas, program):
    active_pair(personas, program)
    enrollment_pause(enrollment=enrollment(program, personas.pia_person), until=days_from_today(5))
    told = messages_to(personas.colleague)[-1]
    assert told.kind == InboxKind.PAIRING_PAUSED
    text = f"{told.subject} {told.body}".lower()
    for giveaway in ("pia", "paused their", "away", "leave", "holiday", "because"):
        assert giveaway not in text
    assert all(m.kind != InboxKind.PAIRING_PAUSED for m in messages_to(personas.pia_person))


def test_the_sweep_resumes_the_pairing_when_the_pause_is_over_and_only_once(personas, program):
    pairing = active_pair(personas, program)
    enrollment_pause(enrollment=enrollment(program, personas.pia_person), until=days_from_today(5))
    assert pairings_sweep(now=day(4)).enrollments_resumed == 0
    assert reload(pairing).status == S.PAUSED
    assert pairings_sweep(now=day(5)).enrollments_resumed == 1
    resumed = reload(pairing)
    assert (resumed.status, resumed.last_resumed_at) == (S.ACTIVE, day(5))
    assert not resumed.paused_with_enrollment
    assert pairings_sweep(now=day(5)).enrollments_resumed == 0  # a second run changes nothing
    for person in (personas.pia_person, personas.colleague):
        kinds = [m.kind for m in messages_to(person)]
        assert kinds.count(InboxKind.PAIRING_RESUMED) == 1


def test_resuming_by_hand_resumes_the_pairing_too(personas, program):
    pairing = active_pair(personas, program)
    paused = enrollment_pause(
        enrollment=enrollment(program, personas.pia_person), until=days_from_today(5)
    )
    enrollment_resume(enrollment=paused)
    assert reload(pairing).status == S.ACTIVE


def test_a_pairing_waits_until_everyone_is_back(personas, program):
    pairing = active_pair(personas, program)
    enrollment_pause(enrollment=enrollment(program, personas.pia_person), until=days_from_today(3))
    enrollment_pause(enrollment=enrollment(program, personas.colleague), until=days_from_today(8))
    pairings_sweep(now=day(3))
    assert reload(pairing).status == S.PAUSED
    pairings_sweep(now=day(8))
    assert reload(pairing).status == S.ACTIVE


def test_nobody_can_resume_it_by_hand_while_a_member_is_away(personas, program):
    pairing = active_pair(personas, program)
    enrollment_pause(enrollment=enrollment(program, personas.pia_person), until=days_from_today(5))
    with pytest.raises(PairingError, match="picks up again by itself"):
        pairing_resume(pairing=pairing, by=personas.colleague)


def test_a_pairing_the_members_paused_themselves_stays_paused(personas, program):
    pairing = active_pair(personas, program)
    pairing_pause(pairing=pairing, by=personas.colleague)
    enrollment_pause(enrollment=enrollment(program, personas.pia_person), until=days_from_today(5))
    pairings_sweep(now=day(5))
    assert reload(pairing).status == S.PAUSED  # it wasn't paused by that pause
    pairing_resume(pairing=pairing, by=personas.colleague)  # theirs to resume, now all are back
    assert reload(pairing).status == S.ACTIVE


def test_a_pairing_someone_left_meanwhile_does_not_come_back(personas, program):
    pairing = active_pair(personas, program)
    enrollment_pause(enrollment=enrollment(program, personas.pia_person), until=days_from_today(5))
    enrollment_leave(enrollment=enrollment(program, personas.colleague))
    assert reload(pairing).status == S.ENDED
    pairings_sweep(now=day(5))
    assert reload(pairing).status == S.ENDED
    assert enrollment(program, personas.pia_person).status == EnrollmentStatus.ACTIVE


def test_a_group_resumes_only_when_nobody_is_away(personas, program):
    third = PersonFactory(organization=personas.acme, full_name="Thea Third")
    people = [personas.pia_person, personas.colleague, third]
    group = pairing_propose(program=program, enrollments=[enroll(program, p) for p in people])
    for person in people:
        pairing_accept(pairing=group, by=person, now=START)
    enrollment_pause(enrollment=enrollment(program, third), until=days_from_today(2))
    assert reload(group).status == S.PAUSED
    assert [m.kind for m in messages_to(personas.colleague)][-1] == InboxKind.PAIRING_PAUSED
    pairings_sweep(now=day(2))
    assert reload(group).status == S.ACTIVE


# Leaving the program ------------------------------------------------------------------------


def test_leaving_ends_the_pairing_no_fault_and_the_others_are_offered_a_new_match(
    personas, program
):
    pairing = active_pair(personas, program)
    enrollment_leave(enrollment=enrollment(program, personas.pia_person))
    assert reload(pairing).status == S.ENDED
    told = messages_to(personas.colleague)[-1]
    assert told.kind == InboxKind.PAIRING_ENDED
    assert "new match" in told.body
    assert "pia" not in f"{told.subject} {told.body}".lower()
    looking = enrollments_looking(program=program).values_list("person_id", flat=True)
    assert personas.colleague.pk in looking


def test_leaving_lapses_the_requests_sent_and_received(personas, program):
    program.matching_mode = MatchingMode.PARTICIPANTS_CHOOSE
    program.save()
    pia = enroll(program, personas.pia_person)
    cole = enroll(program, personas.colleague)
    other = enroll(program, PersonFactory(organization=personas.acme))
    sent = request_send(requester=pia, recipient=cole)
    received = request_send(requester=other, recipient=pia)
    enrollment_leave(enrollment=pia)
    sent.refresh_from_db()
    received.refresh_from_db()
    assert (sent.status, received.status) == ("withdrawn", "expired")
    assert messages_to(other.person)[-1].kind == InboxKind.REQUEST_NOT_TAKEN_UP


def test_matches_and_requests_waiting_for_answers_lapse_with_a_pause(personas, program):
    program.matching_mode = MatchingMode.HYBRID
    program.save()
    invitation = invited_pair(program, personas.pia_person, personas.colleague)
    pia = enrollment(program, personas.pia_person)
    other = enroll(program, PersonFactory(organization=personas.acme))
    received = request_send(requester=other, recipient=pia)
    enrollment_pause(enrollment=pia, until=days_from_today(5))
    received.refresh_from_db()
    assert (reload(invitation).status, received.status) == (S.EXPIRED, "expired")
    # Nobody learns why: the same words as any match or request that didn't go ahead.
    assert messages_to(personas.colleague)[-1].kind == InboxKind.DID_NOT_GO_AHEAD
    assert messages_to(other.person)[-1].kind == InboxKind.REQUEST_NOT_TAKEN_UP
