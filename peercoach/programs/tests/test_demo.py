from __future__ import annotations

import pytest

from peercoach.core.demo import demo_organization_create
from peercoach.organizations.models import Organization
from peercoach.programs.demo import demo_programs_create
from peercoach.programs.models import Enrollment, InboxMessage, Pairing, Program

pytestmark = pytest.mark.django_db


@pytest.fixture
def northwind() -> Organization:
    demo_organization_create(size=80, seed=3)
    return Organization.objects.get(slug="northwind")


def test_the_demo_has_an_open_pilot_with_forty_people_and_a_draft(northwind):
    demo_programs_create(organization=northwind)
    pilot = Program.objects.in_organization(northwind).get(name="Peer coaching pilot")
    draft = Program.objects.in_organization(northwind).get(name="Leadership circles")
    assert (pilot.status, pilot.format, pilot.is_pilot) == ("open", "reciprocal_pairs", True)
    assert draft.status == "draft"
    assert pilot.sponsor is not None
    assert pilot.sponsor.is_sponsor
    enrollments = Enrollment.objects.in_organization(northwind).filter(program=pilot)
    assert enrollments.count() == 41
    for enrollment in enrollments:
        assert enrollment.status == "active"
        assert enrollment.agreed_to_ground_rules_at is not None
    # Of the demo logins only the participant takes part, so that they meet the consent flow.
    logins = enrollments.filter(person__membership__isnull=False)
    assert [e.person.membership.user.email for e in logins] == ["participant@northwind.example"]


def test_the_pilot_has_active_pairs_and_a_match_waiting_for_the_participant(northwind):
    demo_programs_create(organization=northwind)
    pilot = Program.objects.in_organization(northwind).get(name="Peer coaching pilot")
    pairings = Pairing.objects.in_organization(northwind).filter(program=pilot)
    assert pairings.filter(status="active").count() == 5
    waiting = pairings.get(status="invited")
    participant = waiting.members.get(
        person__membership__user__email="participant@northwind.example"
    )
    assert participant.response == "pending"
    peer = waiting.members.exclude(pk=participant.pk).get()
    assert not peer.person.is_in_management_chain_of(participant.person)
    assert (
        InboxMessage.objects.in_organization(northwind)
        .filter(recipient=participant.person, kind="invitation")
        .exists()
    )


def test_creating_the_demo_programs_twice_changes_nothing(northwind):
    demo_programs_create(organization=northwind)
    demo_programs_create(organization=northwind)
    demo_organization_create(size=80, seed=3)
    programs = Program.objects.in_organization(northwind)
    assert programs.count() == 3
    pilot_and_draft = {"program__name__in": ["Peer coaching pilot", "Leadership circles"]}
    assert Enrollment.objects.in_organization(northwind).filter(**pilot_and_draft).count() == 41
    assert Pairing.objects.in_organization(northwind).filter(**pilot_and_draft).count() == 6
