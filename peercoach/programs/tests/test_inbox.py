from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from peercoach.programs.inbox import inbox_message_send
from peercoach.programs.pairing_models import InboxKind, InboxMessage
from peercoach.programs.tasks import inbox_message_email

pytestmark = pytest.mark.django_db

INBOX = reverse("inbox:list")


def message_for(person, subject="Time for a catch-up?", link=""):
    return inbox_message_send(
        recipient=person, kind=InboxKind.NUDGE, subject=subject, body="Hello there.", link=link
    )


def test_the_header_shows_how_many_messages_are_unread(personas):
    message_for(personas.pia_person)
    message_for(personas.pia_person)
    page = personas.client_for(personas.pia).get(reverse("core:home")).content.decode()
    assert '<span class="badge badge-ok">2<span class="visually-hidden"> unread</span>' in page


def test_the_inbox_lists_newest_first_and_marks_unread(personas):
    message_for(personas.pia_person, subject="Older")
    message_for(personas.pia_person, subject="Newer")
    page = personas.client_for(personas.pia).get(INBOX).content.decode()
    assert page.index("Newer") < page.index("Older")
    assert page.count(">New</span>") == 2


def test_opening_a_message_marks_it_read_and_follows_its_link(personas):
    message = message_for(personas.pia_person, link=reverse("programs:list"))
    response = personas.client_for(personas.pia).post(reverse("inbox:read", args=[message.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:list")
    message.refresh_from_db()
    assert message.read_at is not None


def test_mark_all_as_read(personas):
    message_for(personas.pia_person)
    message_for(personas.pia_person)
    personas.client_for(personas.pia).post(reverse("inbox:read_all"))
    unread = InboxMessage.objects.in_organization(personas.acme).filter(read_at__isnull=True)
    assert unread.count() == 0


def test_nobody_opens_someone_elses_message(personas):
    message = message_for(personas.colleague)
    response = personas.client_for(personas.pia).post(reverse("inbox:read", args=[message.pk]))
    assert response.status_code == 404
    assert (
        "Time for a catch-up" not in personas.client_for(personas.pia).get(INBOX).content.decode()
    )


def test_each_message_is_emailed_once_after_the_change_commits(
    personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = message_for(personas.pia_person, link="/programs/")
    assert mail.outbox == []  # nothing goes out before the transaction commits
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[personas.pia_person.email]]
    assert "http://" in mail.outbox[0].body
    assert "/programs/" in mail.outbox[0].body
    inbox_message_email.call(message.pk)  # a second delivery attempt sends nothing
    assert len(mail.outbox) == 1


def test_a_person_without_an_email_address_still_gets_the_inbox_message(personas):
    personas.colleague.email = ""
    personas.colleague.save()
    message_for(personas.colleague)
    assert (
        InboxMessage.objects.in_organization(personas.acme)
        .filter(recipient=personas.colleague)
        .exists()
    )
    assert mail.outbox == []
