from __future__ import annotations

from typing import Any

import pytest

from peercoach.people.models import Person
from peercoach.testing.factories import MembershipFactory, PersonFactory, UserFactory


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    # Background tasks run at once in tests, so that emails land in the outbox on commit.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def rosa(personas: Any) -> Person:
    """Another Acme participant, outside pia's reporting line (both report to the chief)."""
    person: Person = PersonFactory(
        organization=personas.acme, full_name="Rosa Reviewer", manager=personas.ceo
    )
    MembershipFactory(
        organization=personas.acme, user=UserFactory(email="rosa@acme.test"), person=person
    )
    return person


def login_of(person: Person) -> Any:
    return person.membership.user
