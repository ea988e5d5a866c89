from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from peercoach.core.demo import DEMO_PASSWORD, demo_organization_create
from peercoach.organizations.models import Membership, Organization, Role
from peercoach.people.models import Person


@pytest.fixture
def demo(db):
    return demo_organization_create(size=60, seed=3)


def test_demo_has_one_login_per_role_each_able_to_sign_in(demo, client):
    roles = set()
    for login in demo:
        assert client.login(email=login.email, password=DEMO_PASSWORD)
        membership = Membership.all_organizations.get(user__email=login.email)
        roles |= membership.roles
        client.logout()
    assert roles == set(Role)


def test_demo_people_form_one_consistent_hierarchy(demo):
    organization = Organization.objects.get(slug="northwind")
    people = list(Person.objects.in_organization(organization))
    assert len(people) == 60
    tops = [person for person in people if person.manager_id is None]
    assert len(tops) == 1
    by_id = {person.pk: person for person in people}
    for person in people:
        if person.manager_id is not None:
            assert person.management_path.startswith(by_id[person.manager_id].management_path)


def test_seeding_twice_changes_nothing(demo):
    again = demo_organization_create(size=60, seed=3)
    assert again == demo
    assert Person.all_organizations.count() == 60


def test_command_prints_every_login_and_the_password(db):
    out = StringIO()
    call_command("seed_demo", "--size", "40", stdout=out)
    text = out.getvalue()
    assert "admin@northwind.example" in text
    assert "participant@northwind.example" in text
    assert DEMO_PASSWORD in text


def test_command_refuses_a_tiny_organization(db):
    with pytest.raises(CommandError, match="at least 20 people"):
        call_command("seed_demo", "--size", "5")


def test_the_program_managers_login_belongs_to_someone_in_people(db):
    demo_organization_create()  # the default demo, as `demo` seeds it
    manager = Membership.all_organizations.get(
        is_program_manager=True, user__email__startswith="programs@"
    )
    assert manager.person is not None
    assert manager.person.department == "People"
