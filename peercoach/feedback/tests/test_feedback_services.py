"""Grants, feedback and thanks through the services and the permission gate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from peercoach.feedback import permissions, selectors, services
from peercoach.feedback.models import Feedback
from peercoach.feedback.permissions import NO_SUCH_COLLEAGUE, FeedbackRefused
from peercoach.programs.pairing_models import InboxMessage


def test_feedback_without_an_invitation_is_refused_with_a_clear_message(personas) -> None:
    with pytest.raises(FeedbackRefused, match="hasn't invited feedback from you"):
        services.feedback_send(
            author=personas.colleague, recipient=personas.pia_person, text="Hello"
        )
    assert not Feedback.objects.in_organization(personas.acme).exists()


def test_an_invited_colleague_sends_feedback_that_only_the_two_of_them_read(personas) -> None:
    services.feedback_grant_give(grantor=personas.pia_person, grantee=personas.colleague)
    feedback = services.feedback_send(
        author=personas.colleague, recipient=personas.pia_person, text="Clear slides."
    )
    assert selectors.feedback_for_reader(person=personas.pia_person, feedback_id=feedback.pk)
    assert selectors.feedback_for_reader(person=personas.colleague, feedback_id=feedback.pk)
    assert not permissions.may_read_feedback(person=personas.ceo, feedback=feedback)


def test_the_grant_works_one_way_only(personas) -> None:
    services.feedback_grant_give(grantor=personas.pia_person, grantee=personas.colleague)
    with pytest.raises(FeedbackRefused):
        services.feedback_send(
            author=personas.pia_person, recipient=personas.colleague, text="Back at you"
        )


def test_a_revoked_grant_refuses_the_very_next_send(personas) -> None:
    grant = services.feedback_grant_give(grantor=personas.pia_person, grantee=personas.colleague)
    services.feedback_send(author=personas.colleague, recipient=personas.pia_person, text="One")
    services.feedback_grant_revoke(grant=grant, by=personas.pia_person)
    with pytest.raises(FeedbackRefused, match="hasn't invited feedback"):
        services.feedback_send(author=personas.colleague, recipient=personas.pia_person, text="Two")


def test_only_the_grantor_can_revoke(personas) -> None:
    grant = services.feedback_grant_give(grantor=personas.pia_person, grantee=personas.colleague)
    with pytest.raises(FeedbackRefused, match="Only the person who gave"):
        services.feedback_grant_revoke(grant=grant, by=personas.colleague)


def test_a_grant_limited_to_topics_accepts_only_those_topics(personas) -> None:
    services.feedback_grant_give(
        grantor=personas.pia_person, grantee=personas.colleague, topics=["Presenting ", "Meetings"]
    )
    with pytest.raises(FeedbackRefused, match="welcomes feedback on Presenting, Meetings"):
        services.feedback_send(
            author=personas.colleague, recipient=personas.pia_person, text="x", topic="Email"
        )
    with pytest.raises(FeedbackRefused, match="Please pick one of those topics"):
        services.feedback_send(author=personas.colleague, recipient=personas.pia_person, text="x")
    services.feedback_send(
        author=personas.colleague, recipient=personas.pia_person, text="x", topic="presenting"
    )


def test_a_grant_counts_only_inside_its_period(personas) -> None:
    now = timezone.now()
    services.feedback_grant_give(
        grantor=personas.pia_person,
        grantee=personas.colleague,
        valid_from=now + timedelta(days=1),
        valid_until=now + timedelta(days=3),
        now=now,
    )
    send = lambda at: services.feedback_send(  # noqa: E731
        author=personas.colleague, recipient=personas.pia_person, text="x", now=at
    )
    with pytest.raises(FeedbackRefused):
        send(now)
    send(now + timedelta(days=2))
    with pytest.raises(FeedbackRefused):
        send(now + timedelta(days=3))


def test_a_period_that_ends_before_it_starts_is_refused(personas) -> None:
    now = timezone.now()
    with pytest.raises(FeedbackRefused, match="end after it starts"):
        services.feedback_grant_give(
            grantor=personas.pia_person,
            grantee=personas.colleague,
            valid_from=now + timedelta(days=3),
            valid_until=now + timedelta(days=1),
        )


def test_granting_again_replaces_the_standing_grant(personas) -> None:
    first = services.feedback_grant_give(grantor=personas.pia_person, grantee=personas.colleague)
    second = services.feedback_grant_give(
        grantor=personas.pia_person, grantee=personas.colleague, topics=["Writing"]
    )
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert list(selectors.grants_given(person=personas.pia_person)) == [second]


def test_a_colleague_in_another_organization_reads_exactly_like_one_who_does_not_exist(
    personas,
) -> None:
    answers = []
    for person_id in (personas.globex_person.pk, 10**9):
        with pytest.raises(FeedbackRefused) as refusal:
            permissions.colleague_get(me=personas.pia_person, person_id=person_id)
        answers.append((refusal.value.message, refusal.value.field))
    assert answers[0] == answers[1] == (NO_SUCH_COLLEAGUE, "recipient")


def test_feedback_across_organizations_is_refused_even_with_a_forged_grant(personas) -> None:
    with pytest.raises(FeedbackRefused, match=NO_SUCH_COLLEAGUE):
        services.feedback_send(
            author=personas.globex_person, recipient=personas.pia_person, text="Hi"
        )


def test_the_recipient_may_thank_once_and_the_author_hears_without_the_text(
    personas, django_capture_on_commit_callbacks
) -> None:
    services.feedback_grant_give(grantor=personas.pia_person, grantee=personas.colleague)
    feedback = services.feedback_send(
        author=personas.colleague, recipient=personas.pia_person, text="Secret words"
    )
    with pytest.raises(FeedbackRefused, match="Only the person who received it"):
        services.feedback_thank(feedback=feedback, by=personas.colleague)
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_thank(feedback=feedback, by=personas.pia_person)
    with pytest.raises(FeedbackRefused, match="already said thank you"):
        services.feedback_thank(feedback=feedback, by=personas.pia_person)
    thanks = InboxMessage.objects.in_organization(personas.acme).filter(
        recipient=personas.colleague, kind="feedback_thanked"
    )
    assert thanks.count() == 1
    assert all("Secret words" not in message.body for message in mail.outbox)


def test_notifications_link_to_the_feedback_but_never_carry_it(
    personas, django_capture_on_commit_callbacks
) -> None:
    services.feedback_grant_give(grantor=personas.pia_person, grantee=personas.colleague)
    with django_capture_on_commit_callbacks(execute=True):
        feedback = services.feedback_send(
            author=personas.colleague,
            recipient=personas.pia_person,
            text="The private words",
            topic="Demo",
        )
    email = next(m for m in mail.outbox if personas.pia_person.email in m.to)
    assert f"/feedback/{feedback.pk}/" in email.body
    assert "The private words" not in f"{email.subject} {email.body}"


def test_empty_and_overlong_feedback_is_refused_and_nothing_is_stored(personas) -> None:
    services.feedback_grant_give(grantor=personas.pia_person, grantee=personas.colleague)
    for text, message in (("   ", "write something"), ("x" * 4001, "under 4000 characters")):
        with pytest.raises(FeedbackRefused, match=message):
            services.feedback_send(
                author=personas.colleague, recipient=personas.pia_person, text=text
            )
    assert not Feedback.objects.in_organization(personas.acme).exists()


def test_someone_in_your_reporting_line_may_be_invited_since_it_is_your_choice(personas) -> None:
    services.feedback_grant_give(grantor=personas.pia_person, grantee=personas.ceo)
    services.feedback_send(author=personas.ceo, recipient=personas.pia_person, text="Well done")
