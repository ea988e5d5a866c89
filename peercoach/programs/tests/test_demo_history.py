"""The demo's program with a past: enough months, meetings and ratings for the insights pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from peercoach.core.demo import demo_organization_create
from peercoach.meetings.models import CoachingSession, SessionAttendance
from peercoach.organizations.models import Organization
from peercoach.programs.demo_history import HISTORY_PROGRAM_NAME, demo_history_create
from peercoach.programs.models import Enrollment, Program
from peercoach.programs.pairing_models import Pairing, PairingMember
from peercoach.surveys.models import ProgramFeedback

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[3, 7], ids=["seed 3", "seed 7"])
def northwind(request: pytest.FixtureRequest) -> Organization:
    demo_organization_create(size=80, seed=request.param)
    return Organization.objects.get(slug="northwind")


@pytest.fixture
def buddies(northwind: Organization) -> Program:
    return Program.objects.in_organization(northwind).get(name=HISTORY_PROGRAM_NAME)


def test_the_program_has_run_for_months_with_people_joining_in_waves(northwind, buddies):
    assert buddies.status == "running"
    assert buddies.starts_on < timezone.localdate() - timedelta(days=120)
    enrollments = Enrollment.objects.in_organization(northwind).filter(program=buddies)
    months = {e.created_at.strftime("%Y-%m") for e in enrollments}
    assert enrollments.count() >= 40
    assert len(months) >= 3


def test_pairs_are_peers_and_most_of_them_met_with_ratings(northwind, buddies):
    pairings = Pairing.objects.in_organization(northwind).filter(program=buddies)
    assert pairings.count() >= 20
    for pairing in pairings.prefetch_related("members__person"):
        first, second = (m.person for m in pairing.members.all())
        assert not first.is_in_management_chain_of(second)
        assert not second.is_in_management_chain_of(first)
    attendances = SessionAttendance.objects.in_organization(northwind).filter(
        session__pairing__program=buddies
    )
    assert attendances.filter(outcome="held").count() > attendances.filter(outcome="missed").count()
    assert attendances.filter(rating__isnull=False).count() >= 50
    # Nothing is recorded for a session that has not happened yet.
    assert not attendances.filter(session__starts_at__gt=timezone.now()).exists()


def test_some_pairs_ended_or_went_quiet_so_the_health_page_has_something_to_say(northwind, buddies):
    pairings = Pairing.objects.in_organization(northwind).filter(program=buddies)
    six_weeks_ago = timezone.now() - timedelta(weeks=6)
    quiet = pairings.filter(status="active", last_met_at__lt=six_weeks_ago)
    assert pairings.filter(status="ended").exists() or quiet.exists()
    ended = pairings.filter(status="ended")
    assert (
        not PairingMember.objects.in_organization(northwind)
        .filter(pairing__in=ended, is_current=True)
        .exists()
    )


def test_the_participant_login_has_a_steady_pair_with_sessions_behind_it(northwind, buddies):
    member = PairingMember.objects.in_organization(northwind).get(
        program=buddies, person__membership__user__email="participant@northwind.example"
    )
    assert member.pairing.status == "active"
    held = CoachingSession.objects.in_organization(northwind).filter(
        pairing=member.pairing, attendances__person=member.person, attendances__outcome="held"
    )
    assert held.count() >= 3


def test_some_people_answered_the_survey(northwind, buddies):
    answers = ProgramFeedback.objects.in_organization(northwind).filter(program=buddies)
    assert answers.count() >= 10


def test_creating_the_history_again_changes_nothing(northwind, buddies):
    sessions = CoachingSession.objects.in_organization(northwind).count()
    assert demo_history_create(organization=northwind) is None
    assert CoachingSession.objects.in_organization(northwind).count() == sessions
