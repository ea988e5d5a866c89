"""Two accepts at the same moment, from two threads with their own database connections.

On PostgreSQL both transactions pass the check in Python, and the partial unique index lets only
one of them commit; the other's IntegrityError becomes a kind message. SQLite runs one write
transaction at a time: the second waits, then finds the person paired. Either way exactly one
pairing starts and the other person reads a sentence, never an error page.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection

from peercoach.programs.models import Program
from peercoach.programs.pairing_models import Pairing, PairingMember, PairingStatus
from peercoach.programs.pairing_services import PairingError, pairing_accept
from peercoach.programs.tests.conftest import invited_pair
from peercoach.testing.factories import PersonFactory, ProgramFactory


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_accepts_leave_one_current_pairing_and_a_kind_message(personas):
    program: Program = ProgramFactory(organization=personas.acme)
    pia = personas.pia_person
    first = invited_pair(program, pia, personas.colleague)
    second = invited_pair(program, pia, PersonFactory(organization=personas.acme))
    # Everyone else said yes already, so Pia's yes is the last one missing in both.
    for pairing in (first, second):
        for member in pairing.members.exclude(person=pia):
            pairing_accept(pairing=pairing, by=member.person)

    start = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def accept(pairing: Pairing) -> None:
        try:
            start.wait()
            _with_busy_wait(lambda: pairing_accept(pairing=pairing, by=pia))
            outcomes[pairing.pk] = "active"
        except PairingError as error:
            outcomes[pairing.pk] = error.message
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(p,)) for p in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values(), key=lambda o: o != "active")[0] == "active"
    refusals = [o for o in outcomes.values() if o != "active"]
    assert len(refusals) == 1
    assert "pairing" in refusals[0] or "didn't go ahead" in refusals[0]
    statuses = sorted(
        Pairing.objects.in_organization(personas.acme)
        .filter(program=program)
        .values_list("status", flat=True)
    )
    assert statuses == sorted([PairingStatus.ACTIVE, PairingStatus.EXPIRED])
    current = PairingMember.objects.in_organization(personas.acme).filter(
        program=program, person=pia, is_current=True
    )
    assert current.count() == 1


def _with_busy_wait(work, attempts: int = 500) -> None:
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
    raise AssertionError("the database stayed locked")
