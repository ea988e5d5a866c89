from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from peercoach.organizations.models import Membership
from peercoach.programs.models import Enrollment, Pairing, Program
from peercoach.programs.pairing_services import pairing_propose
from peercoach.programs.services import EnrollmentProfile
from peercoach.testing.coaching import enrollment_for
from peercoach.testing.factories import EnrollmentFactory, ProgramFactory


def membership_of(user) -> Membership:
    return Membership.all_organizations.get(user=user)


@pytest.fixture
def program(personas) -> Program:
    """Acme's open pilot, sponsored by sid, taking people in all three ways."""
    return ProgramFactory(
        organization=personas.acme,
        name="Peer coaching pilot",
        sponsor=membership_of(personas.sid),
        created_by=membership_of(personas.pam),
        is_pilot=True,
        allows_assignment=True,
    )


def a_profile(**changes) -> EnrollmentProfile:
    fields = {
        "goals": ["saying no kindly"],
        "offers": ["running workshops"],
        "working_hours_start": 8,
        "working_hours_end": 16,
        "timezone": "Europe/Berlin",
        "languages": ["English", "German"],
    }
    return EnrollmentProfile(**{**fields, **changes})


def days_from_today(days: int):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture(autouse=True)
def immediate_tasks(settings) -> None:
    # Background tasks run at once in tests, so that emails land in the outbox on commit.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def enroll(program: Program, person=None, **fields) -> Enrollment:
    """An active enrollment; a new person unless one is given."""
    if person is not None:
        fields["person"] = person
    return EnrollmentFactory(program=program, **fields)


def invited_pair(program: Program, first, second) -> Pairing:
    """A pairing of two people (enrolled here if needed), sent out for their answers."""
    return pairing_propose(
        program=program,
        enrollments=[enrollment_for(program, first), enrollment_for(program, second)],
    )
