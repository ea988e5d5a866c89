"""Asking for help and offering advice, through the services and the permission gate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from peercoach.feedback import permissions, selectors, services
from peercoach.feedback.models import OfferStatus
from peercoach.feedback.permissions import FeedbackRefused
from peercoach.programs.pairing_models import InboxMessage
from peercoach.programs.sweep import pairings_sweep
from peercoach.testing.coaching import active_pairing
from peercoach.testing.factories import EnrollmentFactory, PersonFactory, ProgramFactory


def answerable(person) -> list[int]:
    return [r.pk for r in selectors.help_requests_i_can_answer(person=person)]


def test_a_request_to_chosen_peers_reaches_them_and_nobody_else(personas, rosa) -> None:
    request = services.help_request_post(
        requester=personas.pia_person, topic="Estimating", audience="peers", peers=[rosa]
    )
    assert answerable(rosa) == [request.pk]
    assert answerable(personas.colleague) == []
    assert answerable(personas.pia_person) == []
    assert not permissions.may_read_help_request(person=personas.colleague, request=request)


def test_a_request_with_no_peers_chosen_is_refused(personas) -> None:
    with pytest.raises(FeedbackRefused, match="choose at least one colleague"):
        services.help_request_post(
            requester=personas.pia_person, topic="Estimating", audience="peers"
        )


def test_a_request_to_the_pairing_reaches_its_members(personas, rosa) -> None:
    program = ProgramFactory(organization=personas.acme)
    pairing = active_pairing(program, [personas.pia_person, rosa])
    request = services.help_request_post(
        requester=personas.pia_person, topic="Listening", audience="pairing", pairing=pairing
    )
    assert answerable(rosa) == [request.pk]


def test_someone_elses_pairing_cannot_be_asked(personas, rosa) -> None:
    program = ProgramFactory(organization=personas.acme)
    pairing = active_pairing(program, [personas.colleague, rosa])
    with pytest.raises(FeedbackRefused, match="one of your current pairings"):
        services.help_request_post(
            requester=personas.pia_person, topic="Listening", audience="pairing", pairing=pairing
        )


def test_a_request_to_a_program_skips_the_requesters_reporting_line(personas, rosa) -> None:
    program = ProgramFactory(organization=personas.acme)
    report = PersonFactory(organization=personas.acme, manager=personas.pia_person)
    for person in (personas.pia_person, rosa, personas.ceo, report):
        EnrollmentFactory(program=program, person=person)
    outsider = PersonFactory(organization=personas.acme, manager=personas.ceo)
    request = services.help_request_post(
        requester=personas.pia_person, topic="Budgets", audience="program", program=program
    )
    assert answerable(rosa) == [request.pk]
    assert answerable(personas.ceo) == []  # pia's manager's manager
    assert answerable(report) == []  # reports to pia
    assert answerable(outsider) == []  # not in the program


def test_a_program_the_requester_is_not_in_is_refused(personas) -> None:
    program = ProgramFactory(organization=personas.acme)
    with pytest.raises(FeedbackRefused, match="program you're taking part in"):
        services.help_request_post(
            requester=personas.pia_person, topic="Budgets", audience="program", program=program
        )


def test_answers_are_marked_used_and_thanked_by_the_requester_only(personas, rosa) -> None:
    request = services.help_request_post(
        requester=personas.pia_person, topic="Estimating", audience="peers", peers=[rosa]
    )
    reply = services.help_reply_post(request=request, author=rosa, text="Split the work.")
    with pytest.raises(FeedbackRefused, match="Only the person who asked"):
        services.help_reply_mark_used(reply=reply, by=rosa)
    services.help_reply_mark_used(reply=reply, by=personas.pia_person)
    services.help_reply_thank(reply=reply, by=personas.pia_person)
    reply.refresh_from_db()
    assert reply.used_at is not None
    assert reply.thanked_at is not None
    with pytest.raises(FeedbackRefused, match="already said thank you"):
        services.help_reply_thank(reply=reply, by=personas.pia_person)


def test_nobody_answers_their_own_request_a_closed_one_or_one_not_shared(personas, rosa) -> None:
    request = services.help_request_post(
        requester=personas.pia_person, topic="Estimating", audience="peers", peers=[rosa]
    )
    with pytest.raises(FeedbackRefused, match="your own request"):
        services.help_reply_post(request=request, author=personas.pia_person, text="Me")
    with pytest.raises(FeedbackRefused, match="wasn't shared with you"):
        services.help_reply_post(request=request, author=personas.colleague, text="Me")
    services.help_request_close(request=request, by=personas.pia_person)
    with pytest.raises(FeedbackRefused, match="closed"):
        services.help_reply_post(request=request, author=rosa, text="Late")
    assert answerable(rosa) == []


def test_someone_answering_sees_only_their_own_answer(personas, rosa) -> None:
    request = services.help_request_post(
        requester=personas.pia_person,
        topic="Estimating",
        audience="peers",
        peers=[rosa, personas.colleague],
    )
    services.help_reply_post(request=request, author=rosa, text="Rosa's idea")
    services.help_reply_post(request=request, author=personas.colleague, text="Cole's idea")
    seen_by_rosa = selectors.help_replies_visible(person=rosa, request=request)
    assert [r.text for r in seen_by_rosa] == ["Rosa's idea"]
    seen_by_pia = selectors.help_replies_visible(person=personas.pia_person, request=request)
    assert len(seen_by_pia) == 2


def test_advice_stays_hidden_until_accepted(personas, rosa) -> None:
    offer = services.advice_offer_send(
        offerer=rosa, recipient=personas.pia_person, topic="Slides", advice="Fewer words."
    )
    assert not permissions.may_see_advice(person=personas.pia_person, offer=offer)
    services.advice_offer_answer(offer=offer, by=personas.pia_person, accept=True)
    assert permissions.may_see_advice(person=personas.pia_person, offer=offer)
    assert not permissions.may_see_advice(person=personas.colleague, offer=offer)


def test_a_decline_is_silent_and_reads_like_an_offer_left_to_run_out(
    personas, rosa, django_capture_on_commit_callbacks
) -> None:
    now = timezone.now()
    declined = services.advice_offer_send(
        offerer=rosa, recipient=personas.pia_person, topic="Slides", advice="Fewer words.", now=now
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.advice_offer_answer(offer=declined, by=personas.pia_person, accept=False)
    assert mail.outbox == []
    assert not InboxMessage.objects.in_organization(personas.acme).filter(recipient=rosa).exists()
    unanswered = services.advice_offer_send(
        offerer=rosa, recipient=personas.colleague, topic="Slides", advice="Fewer words.", now=now
    )
    later = now + timedelta(days=services.ADVICE_OFFER_DAYS)
    assert declined.status_for_offerer(later) == unanswered.status_for_offerer(later)
    assert declined.status_for_offerer(now) == "not_taken_up"
    assert not permissions.may_see_advice(person=personas.pia_person, offer=declined)


def test_an_expired_offer_cannot_be_accepted(personas, rosa) -> None:
    now = timezone.now()
    offer = services.advice_offer_send(
        offerer=rosa, recipient=personas.pia_person, topic="Slides", advice="x", now=now
    )
    with pytest.raises(FeedbackRefused, match="already been answered or has run out"):
        services.advice_offer_answer(
            offer=offer,
            by=personas.pia_person,
            accept=True,
            now=now + timedelta(days=services.ADVICE_OFFER_DAYS, seconds=1),
        )
    assert services.advice_offers_expire(now=now + timedelta(days=30)) == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED


def test_advice_is_never_offered_up_or_down_the_reporting_line(personas) -> None:
    with pytest.raises(FeedbackRefused, match="is in your reporting line"):
        services.advice_offer_send(
            offerer=personas.ceo, recipient=personas.pia_person, topic="Slides", advice="x"
        )


def test_one_waiting_offer_per_colleague(personas, rosa) -> None:
    services.advice_offer_send(offerer=rosa, recipient=personas.pia_person, topic="A", advice="x")
    with pytest.raises(FeedbackRefused, match="waiting for Pia Participant already"):
        services.advice_offer_send(
            offerer=rosa, recipient=personas.pia_person, topic="B", advice="y"
        )


def test_only_the_recipient_answers_an_offer(personas, rosa) -> None:
    offer = services.advice_offer_send(
        offerer=rosa, recipient=personas.pia_person, topic="A", advice="x"
    )
    with pytest.raises(FeedbackRefused, match="Only the person it was offered to"):
        services.advice_offer_answer(offer=offer, by=rosa, accept=True)


def test_the_hourly_sweep_lets_unanswered_offers_lapse(personas, rosa) -> None:
    now = timezone.now()
    offer = services.advice_offer_send(
        offerer=rosa, recipient=personas.pia_person, topic="Slides", advice="x", now=now
    )
    assert pairings_sweep(now=now).advice_offers_expired == 0
    later = now + timedelta(days=services.ADVICE_OFFER_DAYS, seconds=1)
    assert pairings_sweep(now=later).advice_offers_expired == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    assert pairings_sweep(now=later).advice_offers_expired == 0
