"""A revocation racing a send, from two threads with their own database connections.

The send locks the grant row when it passes the gate and holds it until it commits; the
revocation's update waits for that lock. So a send that passed the gate is stored before the
revocation lands, and every send after the revocation is refused: feedback never arrives under
a permission that was already taken back. (SQLite runs one write transaction at a time, which
gives the same order; PostgreSQL gets it from the row lock.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from peercoach.feedback import services
from peercoach.feedback.models import Feedback
from peercoach.feedback.permissions import FeedbackRefused, feedback_send_check


@pytest.mark.django_db(transaction=True)
def test_a_revocation_waits_for_a_send_in_flight_and_refuses_every_later_one(personas) -> None:
    pia, cole = personas.pia_person, personas.colleague
    grant = services.feedback_grant_give(grantor=pia, grantee=cole)
    gate_passed = threading.Event()
    seen_by_revocation: list[int] = []

    def send_slowly() -> None:
        try:
            with transaction.atomic():
                now = timezone.now()
                passed = feedback_send_check(author=cole, recipient=pia, topic="", at=now)
                gate_passed.set()
                # Give the revocation every chance to slip in between the check and the write.
                time.sleep(0.3)
                Feedback.objects.create(
                    organization_id=pia.organization_id,
                    author=cole,
                    recipient=pia,
                    grant=passed,
                    text="In flight",
                    sent_at=now,
                )
        finally:
            connection.close()

    def revoke() -> None:
        try:
            gate_passed.wait(timeout=10)
            _with_busy_wait(lambda: services.feedback_grant_revoke(grant=grant, by=pia))
            # Had the revocation not waited, it would land while the send sleeps, unseen.
            seen_by_revocation.append(Feedback.objects.in_organization(pia.organization_id).count())
        finally:
            connection.close()

    threads = [threading.Thread(target=send_slowly), threading.Thread(target=revoke)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert seen_by_revocation == [1]
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    with pytest.raises(FeedbackRefused):
        services.feedback_send(author=cole, recipient=pia, text="After")


def _with_busy_wait(work: Callable[[], object], attempts: int = 1000) -> None:
    # The test database is SQLite in shared memory, which answers "locked" at once instead of
    # waiting like a file database with a timeout (as in production): wait here instead.
    for _ in range(attempts):
        try:
            work()
            return
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.01)
    raise AssertionError("The database stayed locked.")
