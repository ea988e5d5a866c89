from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from peercoach.meetings.selectors import members_of, offered_slots
from peercoach.programs.models import Enrollment, Pairing, Program
from peercoach.testing.coaching import active_pairing
from peercoach.testing.factories import EnrollmentFactory, PersonFactory, ProgramFactory


@pytest.fixture(autouse=True)
def immediate_tasks(settings) -> None:
    # Background tasks run at once in tests, so that emails land in the outbox on commit.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def program(personas) -> Program:
    """Acme's program: pairs meeting every two weeks, for four months from today."""
    return ProgramFactory(organization=personas.acme, cadence_interval=2, cadence_unit="weeks")


@pytest.fixture
def pairing(personas, program) -> Pairing:
    """Pia and Cole, active, both working 9:00-17:00 Berlin time."""
    return active_pairing(program, [personas.pia_person, personas.colleague])


def enroll(program: Program, person, **fields) -> Enrollment:
    return EnrollmentFactory(program=program, person=person, **fields)


def a_stranger(personas):
    """Another Acme participant who isn't in the pairing."""
    return PersonFactory(
        organization=personas.acme, full_name="Stan Stranger", manager=personas.ceo
    )


def a_slot(pairing: Pairing, index: int = 0, now: datetime | None = None) -> datetime:
    """One of the times offered to the pairing's members."""
    slots = offered_slots(pairing=pairing, members=members_of(pairing), now=now)
    return slots[index].starts_at


def next_monday(hour_utc: int = 6) -> datetime:
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour_utc)


def on(day: date, hour: int, minute: int = 0, tz=UTC) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
