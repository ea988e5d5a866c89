from __future__ import annotations

import pytest

from peercoach.testing.factories import MembershipFactory, PersonFactory, UserFactory


@pytest.fixture(autouse=True)
def immediate_tasks(settings) -> None:
    # Background tasks run at once in tests, so that emails land in the outbox on commit.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def colleague(organization, full_name: str, manager=None, *, account: bool = True):
    """A person in the directory; with an account (a membership) unless told otherwise."""
    person = PersonFactory(organization=organization, full_name=full_name, manager=manager)
    if account:
        user = UserFactory(email=f"{full_name.split()[0].lower()}-{person.pk}@example.com")
        MembershipFactory(organization=organization, user=user, person=person)
    return person


def user_of(person):
    return person.membership.user
