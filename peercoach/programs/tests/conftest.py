from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from peercoach.organizations.models import Membership
from peercoach.programs.models import Program
from peercoach.programs.services import EnrollmentProfile
from peercoach.testing.factories import ProgramFactory


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
