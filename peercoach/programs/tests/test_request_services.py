from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from peercoach.programs.models import EnrollmentStatus, MatchingMode
from peercoach.programs.pairing_models import (
    InboxKind,
    InboxMessage,
    PairingMember,
    PairingRequest,
    RequestStatus,
)
from peercoach.programs.pairing_models import PairingStatus as S
from peercoach.programs.pairing_selectors import request_candidates
from peercoach.programs.pairing_services import PairingError
from peercoach.programs.request_services import (
    request_accept,
    request_decline,
    request_send,
    request_withdraw,
    requests_expire_due,
)
from peercoach.programs.tests.conftest import enroll, invited_pair
from peercoach.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def choosing(program):
    program.matching_mode = MatchingMode.PARTICIPANTS_CHOOSE
    program.save()
    return program


@pytest.fixture
def pia(personas, choosing):
    return enroll(choosing, personas.pia_person)


@pytest.fixture
def cole(personas, choosing):
    return enroll(choosing, personas.colleague)


def inbox_of(person) -> list[InboxMessage]:
    return list(
        InboxMessage.objects.in_organization(person.organization_id).filter(recipient=person)
    )


def reload(request: PairingRequest) -> PairingRequest:
    return PairingRequest.objects.in_organization(request.organization_id).get(pk=request.pk)


def test_a_request_reaches_the_colleague_with_the_requesters_name(personas, pia, cole):
    request = request_send(requester=pia, recipient=cole, message="Storytelling?")
    assert request.status == RequestStatus.PENDING
    assert request.expires_at == request.created_at + timedelta(days=7)
    received = inbox_of(personas.colleague)[0]
    assert received.kind == InboxKind.REQUEST_RECEIVED
    assert "Pia Participant" in received.subject
    assert "I'll coach you if you'll coach me" in received.body


def test_accepting_a_request_starts_an_active_pairing_at_once(personas, pia, cole):
    request = request_send(requester=pia, recipient=cole)
    request_accept(request=request, by=personas.colleague)
    request = reload(request)
    assert request.status == RequestStatus.ACCEPTED
    pairing = request.pairing
    assert pairing is not None
    assert pairing.status == S.ACTIVE
    assert pairing.source == "request"
    members = PairingMember.objects.in_organization(personas.acme).filter(pairing=pairing)
    assert {m.response for m in members} == {"accepted"}
    assert all(m.is_current for m in members)
    assert inbox_of(personas.pia_person)[0].kind == InboxKind.PAIRING_ACTIVE


def test_a_declined_request_reads_exactly_like_an_expired_one(personas, pia, cole, choosing):
    declined = request_send(requester=pia, recipient=cole)
    request_decline(request=declined, by=personas.colleague)
    third = enroll(choosing)
    lapsed = request_send(requester=pia, recipient=third)
    later = timezone.now() + timedelta(days=8)
    assert requests_expire_due(organization_id=personas.acme.pk, now=later) == 1
    assert reload(lapsed).status == RequestStatus.EXPIRED
    after_decline, after_expiry = inbox_of(personas.pia_person)[1], inbox_of(personas.pia_person)[0]
    assert after_decline.kind == after_expiry.kind == InboxKind.REQUEST_NOT_TAKEN_UP
    assert after_decline.body == after_expiry.body
    assert "Cole" not in after_decline.body
    assert reload(declined).get_status_display() == reload(lapsed).get_status_display()


def test_only_the_recipient_answers_and_only_the_requester_withdraws(personas, pia, cole):
    request = request_send(requester=pia, recipient=cole)
    with pytest.raises(PairingError, match="Only the person who was asked"):
        request_accept(request=request, by=personas.pia_person)
    with pytest.raises(PairingError, match="Only the person who sent"):
        request_withdraw(request=request, by=personas.colleague)
    request_withdraw(request=request, by=personas.pia_person)
    with pytest.raises(PairingError, match="already been answered"):
        request_accept(request=request, by=personas.colleague)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("self", "to yourself"),
        ("boss", "in your reporting line"),
        ("not_enrolled", "isn't taking part"),
        ("paused", "isn't taking part"),
        ("duplicate", "already asked"),
        ("reverse_duplicate", "has already asked you"),
        ("manager_mode", "program manager suggests"),
    ],
)
def test_requests_that_cannot_work_are_refused_with_the_reason(
    personas, pia, cole, choosing, setup, message
):
    recipient = cole
    if setup == "self":
        recipient = pia
    elif setup == "boss":
        recipient = enroll(choosing, personas.ceo)
    elif setup == "not_enrolled":
        from peercoach.testing.factories import EnrollmentFactory, ProgramFactory

        recipient = EnrollmentFactory(program=ProgramFactory(organization=personas.acme))
    elif setup == "paused":
        recipient = enroll(
            choosing, status=EnrollmentStatus.PAUSED, paused_until=timezone.localdate()
        )
    elif setup == "duplicate":
        request_send(requester=pia, recipient=cole)
    elif setup == "reverse_duplicate":
        request_send(requester=cole, recipient=pia)
    elif setup == "manager_mode":
        choosing.matching_mode = MatchingMode.MANAGER
        choosing.save()
        pia.refresh_from_db()
    with pytest.raises(PairingError, match=message):
        request_send(requester=pia, recipient=recipient)


def test_open_requests_are_limited(personas, pia, choosing):
    for _ in range(3):
        request_send(requester=pia, recipient=enroll(choosing))
    with pytest.raises(PairingError, match="3 requests waiting"):
        request_send(requester=pia, recipient=enroll(choosing))


def test_once_paired_the_persons_other_requests_close(personas, pia, cole, choosing):
    other = enroll(choosing)
    sent_elsewhere = request_send(requester=pia, recipient=other)
    received_from_third = request_send(requester=enroll(choosing), recipient=pia)
    request_accept(request=request_send(requester=cole, recipient=pia), by=personas.pia_person)
    assert reload(sent_elsewhere).status == RequestStatus.WITHDRAWN
    assert reload(received_from_third).status == RequestStatus.EXPIRED
    # And nobody can ask someone who already has a peer.
    with pytest.raises(PairingError, match="already has a peer"):
        request_send(requester=other, recipient=pia)


def test_an_invitation_lapses_when_a_request_pairs_the_person(personas, pia, cole, choosing):
    invitation = invited_pair(
        choosing, personas.pia_person, PersonFactory(organization=personas.acme)
    )
    request_accept(request=request_send(requester=cole, recipient=pia), by=personas.pia_person)
    invitation.refresh_from_db()
    assert invitation.status == S.EXPIRED


def test_the_candidate_list_leaves_out_oneself_the_reporting_line_and_the_paired(
    personas, pia, cole, choosing
):
    enroll(choosing, personas.ceo)
    free = enroll(choosing)
    paired_a, paired_b = enroll(choosing), enroll(choosing)
    request_accept(request=request_send(requester=paired_a, recipient=paired_b), by=paired_b.person)
    assert {e.pk for e in request_candidates(enrollment=pia)} == {cole.pk, free.pk}
