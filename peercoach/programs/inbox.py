"""The in-app inbox: every message a person gets is kept here and also emailed in the background.

Services call `inbox_message_send` inside their transaction; the email is queued only once the
transaction commits, so a rolled-back change never sends mail about something that didn't happen.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from peercoach.people.models import Person
from peercoach.programs.pairing_models import InboxKind, InboxMessage


def inbox_message_send(
    *,
    recipient: Person,
    kind: InboxKind,
    subject: str,
    body: str,
    link: str = "",
    now: datetime | None = None,
) -> InboxMessage:
    message = InboxMessage.objects.create(
        organization_id=recipient.organization_id,
        recipient=recipient,
        kind=kind,
        subject=subject,
        body=body,
        link=link,
        created_at=now or timezone.now(),
    )
    if recipient.email:
        # Imported here: the tasks module imports the services that import this one.
        from peercoach.programs.tasks import inbox_message_email

        message_id = message.pk
        transaction.on_commit(lambda: inbox_message_email.enqueue(message_id))
    return message


def inbox_messages(*, person: Person) -> QuerySet[InboxMessage]:
    """The person's messages, newest first."""
    return InboxMessage.objects.in_organization(person.organization_id).filter(recipient=person)


def inbox_unread_count(*, organization_id: int, person_id: int) -> int:
    """Takes ids, so that the header's badge costs one query and no lookups."""
    return (
        InboxMessage.objects.in_organization(organization_id)
        .filter(recipient_id=person_id, read_at__isnull=True)
        .count()
    )


def inbox_message_get(*, person: Person, message_id: int) -> InboxMessage | None:
    return inbox_messages(person=person).filter(pk=message_id).first()


def inbox_message_mark_read(*, message: InboxMessage, now: datetime | None = None) -> InboxMessage:
    if message.read_at is None:
        message.read_at = now or timezone.now()
        message.save(update_fields=["read_at"])
    return message


def inbox_mark_all_read(*, person: Person, now: datetime | None = None) -> int:
    return (
        inbox_messages(person=person)
        .filter(read_at__isnull=True)
        .update(read_at=now or timezone.now())
    )
