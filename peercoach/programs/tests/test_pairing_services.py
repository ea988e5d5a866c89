from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from peercoach.programs import pairing_services
from peercoach.programs.models import EnrollmentStatus
from peercoach.programs.pairing_models import (
    InboxKind,
    InboxMessage,
    MemberResponse,
    Pairing,
    PairingMember,
    PairingSource,
)
from peercoach.programs.pairing_models import PairingStatus as S
from peercoach.programs.pairing_services import (
    PairingError,
    pairing_accept,
    pairing_decline,
    pairing_invite,
    pairing_leave,
    pairing_pause,
    pairing_propose,
    pairing_resume,
)
from peercoach.programs.pairing_states import Actor
from peercoach.programs.services import enrollment_leave
from peercoach.programs.tests.conftest import enroll, invited_pair
from peercoach.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def inbox_of(person) -> list[InboxMessage]:
    return list(
        InboxMessage.objects.in_organization(person.organization_id).filter(recipient=person)
    )


def reload(pairing: Pairing) -> Pairing:
    return Pairing.objects.in_organization(pairing.organization_id).get(pk=pairing.pk)


def member_row(pairing: Pairing, person) -> PairingMember:
    return PairingMember.objects.in_organization(pairing.organization_id).get(
        pairing=pairing, person=person
    )


# ---------------------------------------------------------------------------------------------
# Proposing and inviting


def test_an_invited_pair_asks_each_member_by_inbox_and_email(
    personas, program, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pairing = invited_pair(program, personas.pia_person, personas.colleague)
    assert pairing.status == S.INVITED
    assert pairing.kind == "pair"
    assert pairing.invited_at is not None
    assert pairing.expires_at == pairing.invited_at + timedelta(days=7)
    invitation = inbox_of(personas.pia_person)[0]
    assert invitation.kind == InboxKind.INVITATION
    assert "Cole League" in invitation.body
    assert {m.to[0] for m in mail.outbox} == {personas.pia_person.email, personas.colleague.email}


def test_a_proposal_stays_with_the_manager_until_it_is_sent_out(personas, program):
    people = [enroll(program), enroll(program), enroll(program)]
    pairing = pairing_propose(program=program, enrollments=people, invite=False)
    assert pairing.status == S.PROPOSED
    assert pairing.kind == "triad"
    assert InboxMessage.objects.in_organization(personas.acme).count() == 0
    pairing_invite(pairing=pairing)
    assert reload(pairing).status == S.INVITED
    assert InboxMessage.objects.in_organization(personas.acme).count() == 3


def test_people_in_one_reporting_line_are_never_proposed_as_peers(personas, program):
    boss = enroll(program, personas.ceo)
    report = enroll(program, personas.pia_person)
    with pytest.raises(PairingError, match="same reporting line"):
        pairing_propose(program=program, enrollments=[boss, report])


def test_only_people_taking_part_can_be_proposed(personas, program):
    paused = enroll(program, status=EnrollmentStatus.PAUSED, paused_until=timezone.localdate())
    with pytest.raises(PairingError, match="isn't taking part"):
        pairing_propose(program=program, enrollments=[enroll(program), paused])
    with pytest.raises(PairingError, match="at least two"):
        pairing_propose(program=program, enrollments=[enroll(program)])


def test_a_member_cannot_propose_and_a_manager_cannot_activate(personas, program):
    with pytest.raises(PairingError):
        pairing_propose(
            program=program, enrollments=[enroll(program), enroll(program)], actor=Actor.MEMBER
        )


# ---------------------------------------------------------------------------------------------
# Consent


def test_the_pairing_becomes_active_only_when_everyone_said_yes(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    pairing_accept(pairing=pairing, by=personas.pia_person)
    assert reload(pairing).status == S.INVITED
    assert not member_row(pairing, personas.pia_person).is_current
    pairing_accept(pairing=pairing, by=personas.colleague)
    pairing = reload(pairing)
    assert pairing.status == S.ACTIVE
    assert pairing.activated_at is not None
    assert member_row(pairing, personas.pia_person).is_current
    assert [m.kind for m in inbox_of(personas.colleague)] == [
        InboxKind.PAIRING_ACTIVE,
        InboxKind.INVITATION,
    ]


def test_saying_yes_twice_changes_nothing(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    pairing_accept(pairing=pairing, by=personas.pia_person)
    pairing_accept(pairing=pairing, by=personas.pia_person)
    assert reload(pairing).status == S.INVITED


def test_someone_outside_the_pairing_cannot_answer_for_it(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    stranger = PersonFactory(organization=personas.acme)
    for answer in (pairing_accept, pairing_decline, pairing_leave, pairing_pause):
        with pytest.raises(PairingError, match="aren't part of this pairing"):
            answer(pairing=pairing, by=stranger)


def test_a_no_ends_the_match_for_everyone_and_returns_them_to_the_pool(personas, program):
    third = PersonFactory(organization=personas.acme, full_name="Theo Third")
    pairing = pairing_propose(
        program=program,
        enrollments=[enroll(program, p) for p in (personas.pia_person, personas.colleague, third)],
    )
    pairing_accept(pairing=pairing, by=personas.pia_person)
    pairing_decline(pairing=pairing, by=third)
    pairing = reload(pairing)
    assert pairing.status == S.DECLINED
    assert member_row(pairing, third).response == MemberResponse.DECLINED
    assert not PairingMember.objects.in_organization(personas.acme).filter(is_current=True).exists()
    from peercoach.programs.pairing_selectors import enrollments_looking

    looking = {e.person_id for e in enrollments_looking(program=program)}
    assert looking == {personas.pia_person.pk, personas.colleague.pk, third.pk}
    with pytest.raises(PairingError, match="didn't go ahead"):
        pairing_accept(pairing=pairing, by=personas.colleague)


def test_the_others_hear_that_it_didnt_go_ahead_but_never_who_said_no(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    pairing_decline(pairing=pairing, by=personas.colleague)
    told = inbox_of(personas.pia_person)[0]
    assert told.kind == InboxKind.DID_NOT_GO_AHEAD
    assert "didn't go ahead" in told.body
    assert "Cole" not in told.subject + told.body
    assert "declin" not in (told.subject + told.body).lower()
    # The one who said no isn't sent a message about their own answer.
    assert [m.kind for m in inbox_of(personas.colleague)] == [InboxKind.INVITATION]


# ---------------------------------------------------------------------------------------------
# One current pairing per person per program


def test_saying_yes_while_already_paired_is_refused_kindly(personas, program):
    first = invited_pair(program, personas.pia_person, personas.colleague)
    other = PersonFactory(organization=personas.acme)
    second = invited_pair(program, personas.pia_person, other)
    pairing_accept(pairing=second, by=other)
    pairing_accept(pairing=first, by=personas.pia_person)
    pairing_accept(pairing=first, by=personas.colleague)
    # Pia's other invitation lapsed the moment she had a peer: the other person is told only
    # that it didn't go ahead.
    assert reload(second).status == S.EXPIRED
    assert inbox_of(other)[0].kind == InboxKind.DID_NOT_GO_AHEAD
    with pytest.raises(PairingError, match="didn't go ahead"):
        pairing_accept(pairing=second, by=personas.pia_person)


def test_the_database_refuses_a_second_current_pairing_in_the_same_program(personas, program):
    first = invited_pair(program, personas.pia_person, personas.colleague)
    second = invited_pair(program, personas.pia_person, PersonFactory(organization=personas.acme))
    member_row(first, personas.pia_person).__class__.all_organizations.filter(
        pairing=first, person=personas.pia_person
    ).update(is_current=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        PairingMember.all_organizations.filter(pairing=second, person=personas.pia_person).update(
            is_current=True
        )


def test_a_race_the_database_catches_becomes_a_kind_message_and_changes_nothing(personas, program):
    """Two accepts racing: both passed the check in Python, the database lets one through."""
    first = invited_pair(program, personas.pia_person, personas.colleague)
    other = PersonFactory(organization=personas.acme)
    second = invited_pair(program, personas.pia_person, other)
    for pairing, peer in ((first, personas.colleague), (second, other)):
        pairing_accept(pairing=pairing, by=peer)
    pairing_accept(pairing=first, by=personas.pia_person)
    # Pretend the other transaction hadn't committed yet when this one looked.
    second_again = Pairing.all_organizations.filter(pk=second.pk)
    second_again.update(status=S.INVITED)
    with (
        mock.patch.object(pairing_services, "_check_nobody_paired_already"),
        pytest.raises(PairingError, match="has just started another pairing"),
    ):
        pairing_accept(pairing=second, by=personas.pia_person)
    assert reload(second).status == S.INVITED
    assert member_row(second, personas.pia_person).response == MemberResponse.PENDING


def test_programs_that_allow_several_pairings_leave_the_constraint_alone(personas, program):
    program.allows_several_pairings = True
    program.save()
    first = invited_pair(program, personas.pia_person, personas.colleague)
    second = invited_pair(program, personas.pia_person, PersonFactory(organization=personas.acme))
    for pairing in (first, second):
        for member in pairing.members.all():
            pairing_accept(pairing=pairing, by=member.person)
    assert reload(first).status == reload(second).status == S.ACTIVE
    assert not PairingMember.objects.in_organization(personas.acme).filter(is_current=True).exists()


# ---------------------------------------------------------------------------------------------
# Pausing, leaving


def active_pair(personas, program) -> Pairing:
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    pairing_accept(pairing=pairing, by=personas.pia_person)
    pairing_accept(pairing=pairing, by=personas.colleague)
    return reload(pairing)


def test_members_pause_and_resume_their_pairing(personas, program):
    pairing = active_pair(personas, program)
    pairing_pause(pairing=pairing, by=personas.colleague)
    assert reload(pairing).status == S.PAUSED
    assert member_row(pairing, personas.pia_person).is_current  # still each other's peers
    pairing_resume(pairing=pairing, by=personas.pia_person)
    pairing = reload(pairing)
    assert pairing.status == S.ACTIVE
    assert pairing.last_resumed_at is not None
    with pytest.raises(PairingError, match="isn't paused"):
        pairing_resume(pairing=pairing, by=personas.pia_person)


def test_resuming_is_not_a_way_to_skip_answering(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    with pytest.raises(PairingError, match="isn't paused"):
        pairing_resume(pairing=pairing, by=personas.pia_person)


def test_anyone_may_leave_without_a_reason_and_everyone_is_free_again(personas, program):
    pairing = active_pair(personas, program)
    pairing_leave(pairing=pairing, by=personas.pia_person)
    pairing = reload(pairing)
    assert pairing.status == S.ENDED
    assert member_row(pairing, personas.pia_person).left_at is not None
    assert not PairingMember.objects.in_organization(personas.acme).filter(is_current=True).exists()
    told = inbox_of(personas.colleague)[0]
    assert told.kind == InboxKind.PAIRING_ENDED
    assert "new match" in told.body
    assert "Pia" not in told.body
    # Both can be matched again at once.
    again = invited_pair(program, personas.pia_person, personas.colleague)
    pairing_accept(pairing=again, by=personas.pia_person)
    pairing_accept(pairing=again, by=personas.colleague)
    assert reload(again).status == S.ACTIVE


def test_leaving_the_program_ends_the_persons_pairings(personas, program):
    pairing = active_pair(personas, program)
    enrollment = member_row(pairing, personas.pia_person).enrollment
    enrollment_leave(enrollment=enrollment)
    assert reload(pairing).status == S.ENDED
    assert inbox_of(personas.colleague)[0].kind == InboxKind.PAIRING_ENDED


def test_a_request_source_is_recorded(personas, program):
    pairing = pairing_propose(
        program=program,
        enrollments=[enroll(program), enroll(program)],
        source=PairingSource.ROTATION,
    )
    assert pairing.source == "rotation"
