from __future__ import annotations

import pytest

from peercoach.organizations.models import Membership
from peercoach.testing.factories import EnrollmentFactory, ProgramFactory


@pytest.fixture(autouse=True)
def immediate_tasks(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def program(personas):
    """Acme's running program, sponsored by sid, with pia taking part."""
    program = ProgramFactory(
        organization=personas.acme,
        name="Peer coaching pilot",
        status="running",
        sponsor=Membership.all_organizations.get(user=personas.sid),
    )
    EnrollmentFactory(program=program, person=personas.pia_person)
    return program


def participants(program, count: int) -> list:
    return [EnrollmentFactory(program=program).person for _ in range(count)]
