from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from peercoach.meetings.models import CoachingSession
from peercoach.people.models import Person
from peercoach.programs.models import Program
from peercoach.programs.pairing_models import Pairing
from peercoach.testing.coaching import active_pairing, confirmed_session
from peercoach.testing.factories import ProgramFactory


@dataclass
class Coaching:
    """pia and her colleague Cole in an active pair, with one session booked."""

    program: Program
    pairing: Pairing
    session: CoachingSession
    pia: Person
    cole: Person


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings: Any) -> None:
    # Emails go out through tasks; running them at once lets the tests read every email sent.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def coaching(personas: Any) -> Coaching:
    program = ProgramFactory(organization=personas.acme)
    pairing = active_pairing(program, [personas.pia_person, personas.colleague])
    session = confirmed_session(pairing)
    return Coaching(
        program=program,
        pairing=pairing,
        session=session,
        pia=personas.pia_person,
        cole=personas.colleague,
    )
