"""Background work for pairings: emailing inbox messages, and the periodic sweep.

The sweep also runs as `manage.py pairings_sweep`, e.g. from cron every hour; it is idempotent,
so running it more often, or twice at once, sends nothing twice.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.utils import timezone

from peercoach.programs.pairing_models import InboxMessage

logger = logging.getLogger(__name__)


@task
def inbox_message_email(message_id: int) -> bool:
    """Email one inbox message to its recipient, once. Returns whether an email went out."""
    # Claimed with a conditional update, so two workers never send the same message twice.
    claimed = InboxMessage.all_organizations.filter(pk=message_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    message = InboxMessage.all_organizations.select_related("recipient").get(pk=message_id)
    if not message.recipient.email:
        return False
    body = message.body
    if message.link:
        body = f"{body}\n\n{settings.SITE_URL}{message.link}\n"
    try:
        send_mail(message.subject, body, None, [message.recipient.email])
    except Exception:
        # Unclaim, so that a retry sends it; the message is in the inbox either way.
        InboxMessage.all_organizations.filter(pk=message_id).update(emailed_at=None)
        raise
    return True


@task
def pairings_sweep_task() -> dict[str, int]:
    from peercoach.programs.sweep import pairings_sweep

    result = pairings_sweep()
    logger.info("Pairings sweep: %s", result)
    return result.as_dict()


@task
def matching_run_task(run_id: int) -> str:
    """Run one queued matching run; the run page shows its progress as it goes."""
    from peercoach.programs.matching_services import matching_run_execute

    run = matching_run_execute(run_id=run_id)
    return run.status if run is not None else "already claimed"


@task
def matching_publish_task(run_id: int) -> int:
    """Send out a published run's invitations, a batch at a time."""
    from peercoach.programs.matching_services import matching_run_publish

    return matching_run_publish(run_id=run_id)
