"""What each person contributes to a month of insights, built from real coaching data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peercoach.insights import metrics as keys
from peercoach.insights.contract import Contribution, DashboardFilters, Family
from peercoach.insights.facts import monthly_contributions, months_with_activity
from peercoach.insights.refresh import insights_refresh
from peercoach.insights.selectors import dashboard_for
from peercoach.meetings.models import CoachingSession, SessionStatus
from peercoach.meetings.services import attendance_record
from peercoach.organizations.models import Organization
from peercoach.people.models import Person
from peercoach.plans.models import Action, ActionStatus
from peercoach.plans.services import ActionDraft, action_plan_create
from peercoach.programs.models import Enrollment, Program
from peercoach.programs.pairing_models import Pairing, PairingSource
from peercoach.programs.pairing_services import (
    pairing_accept,
    pairing_decline,
    pairing_leave,
    pairing_propose,
)
from peercoach.runner import scripts
from peercoach.runner.models import SessionRun
from peercoach.surveys.models import ProgramFeedback
from peercoach.testing.coaching import confirmed_session
from peercoach.testing.factories import (
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)
# The figures are read in April, once March is over.
APRIL_15 = datetime(2026, 4, 15, 12, tzinfo=UTC)


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


JANUARY_5 = at(1, 5)


@pytest.fixture
def organization() -> Organization:
    return OrganizationFactory()


@pytest.fixture
def program(organization: Organization) -> Program:
    return ProgramFactory(
        organization=organization,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        cadence_interval=2,
        cadence_unit="weeks",
    )


def person(organization: Organization, department: str = "Operations") -> Person:
    return PersonFactory(organization=organization, department=department)


def enroll(program: Program, who: Person, joined: datetime = JANUARY_5) -> Enrollment:
    existing = Enrollment.objects.in_organization(program.organization_id).filter(
        program=program, person=who
    )
    return existing.first() or EnrollmentFactory(
        program=program, person=who, agreed_to_ground_rules_at=joined
    )


def paired(program: Program, people: Sequence[Person], activated: datetime) -> Pairing:
    """An active pairing of `people`, everyone having said yes at `activated`."""
    pairing = pairing_propose(
        program=program, enrollments=[enroll(program, p) for p in people], now=activated
    )
    for member in people:
        pairing = pairing_accept(pairing=pairing, by=member, now=activated)
    pairing.refresh_from_db()
    return pairing


def held(
    pairing: Pairing, starts_at: datetime, ratings: Sequence[int | None] = ()
) -> CoachingSession:
    """A session of `pairing` that its members marked as held, with their ratings if given."""
    session = confirmed_session(pairing, starts_at=starts_at)
    members = list(pairing.members.order_by("pk"))
    for index, member in enumerate(members):
        rating = ratings[index] if index < len(ratings) else None
        attendance_record(
            session=session, by=member.person, outcome="held", rating=rating, now=APRIL_15
        )
    return session


def contributions(program: Program, month: date = MARCH) -> list[Contribution]:
    return monthly_contributions(
        organization=program.organization, program=program, month=month, now=APRIL_15
    )


def values(program: Program, family: Family, who: Person, month: date = MARCH) -> dict[str, float]:
    found = [
        c for c in contributions(program, month) if c.family == family and c.person_id == who.pk
    ]
    assert len(found) <= 1, "one contribution per person and family"
    return found[0].values if found else {}


def family_people(program: Program, family: Family, month: date = MARCH) -> set[int]:
    return {c.person_id for c in contributions(program, month) if c.family == family}


# ---------------------------------------------------------------------------------------------
# Months


def test_months_run_from_the_program_start_through_the_last_month_closed_a_week_ago() -> None:
    program = ProgramFactory.build(starts_on=date(2026, 1, 15), ends_on=date(2026, 6, 10))
    # April 7: March ended a week ago; April is under way and never built before it closes.
    assert months_with_activity(program=program, today=date(2026, 4, 7)) == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]


def test_a_month_waits_a_full_week_after_it_ends() -> None:
    program = ProgramFactory.build(starts_on=date(2026, 1, 15), ends_on=date(2026, 6, 10))
    # April 6: March ended six days ago, so late ratings may still arrive.
    assert months_with_activity(program=program, today=date(2026, 4, 6)) == [
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_the_month_under_way_is_never_built() -> None:
    program = ProgramFactory.build(starts_on=date(2026, 4, 1), ends_on=date(2026, 6, 10))
    assert months_with_activity(program=program, today=date(2026, 4, 30)) == []


def test_months_stop_at_the_program_end() -> None:
    program = ProgramFactory.build(starts_on=date(2025, 11, 20), ends_on=date(2026, 2, 10))
    assert months_with_activity(program=program, today=date(2026, 9, 1)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_a_program_that_has_not_started_has_no_months() -> None:
    program = ProgramFactory.build(starts_on=date(2026, 5, 1), ends_on=date(2026, 8, 1))
    assert months_with_activity(program=program, today=date(2026, 4, 30)) == []


# ---------------------------------------------------------------------------------------------
# Enrolled, joined, paired, met


def test_everyone_taking_part_during_the_month_counts_as_enrolled(
    organization: Organization, program: Program
) -> None:
    early, newcomer, left_in_march, left_before = (person(organization) for _ in range(4))
    enroll(program, early, joined=at(1, 5))
    enroll(program, newcomer, joined=at(3, 20))
    EnrollmentFactory(
        program=program,
        person=left_in_march,
        status="left",
        agreed_to_ground_rules_at=at(1, 5),
        left_at=at(3, 2),
    )
    EnrollmentFactory(
        program=program,
        person=left_before,
        status="left",
        agreed_to_ground_rules_at=at(1, 5),
        left_at=at(2, 27),
    )
    EnrollmentFactory(program=program, status="invited", agreed_to_ground_rules_at=None)
    EnrollmentFactory(program=program, agreed_to_ground_rules_at=at(4, 2))  # joined later

    assert family_people(program, Family.PARTICIPANTS) == {early.pk, newcomer.pk, left_in_march.pk}
    assert values(program, Family.PARTICIPANTS, early)[keys.JOINED] == 0
    assert values(program, Family.PARTICIPANTS, newcomer) == {
        keys.ENROLLED: 1,
        keys.JOINED: 1,
        keys.IN_PAIRING: 0,
        keys.MET: 0,
    }


def test_a_pair_that_met_twice_in_the_month(organization: Organization, program: Program) -> None:
    ana, ben = person(organization), person(organization)
    pairing = paired(program, [ana, ben], activated=at(2, 10))
    held(pairing, at(3, 3))
    held(pairing, at(3, 17))

    assert values(program, Family.PARTICIPANTS, ana)[keys.IN_PAIRING] == 1
    assert values(program, Family.PARTICIPANTS, ana)[keys.MET] == 1
    facts = values(program, Family.PAIRED, ben)
    assert facts[keys.HELD_SESSIONS] == 2
    # Paired all 31 days of March, meeting every two weeks.
    assert facts[keys.EXPECTED_SESSIONS] == pytest.approx(31 / 14)
    assert facts[keys.STALLED] == 0
    assert facts[keys.RECIPROCAL] == 1


def test_a_session_only_scheduled_or_marked_missed_is_not_held(
    organization: Organization, program: Program
) -> None:
    ana, ben = person(organization), person(organization)
    pairing = paired(program, [ana, ben], activated=at(2, 10))
    confirmed_session(pairing, starts_at=at(3, 3))
    missed = confirmed_session(pairing, starts_at=at(3, 10))
    attendance_record(session=missed, by=ana, outcome="missed", now=APRIL_15)

    assert values(program, Family.PAIRED, ana)[keys.HELD_SESSIONS] == 0
    assert values(program, Family.PARTICIPANTS, ana)[keys.MET] == 0


def test_a_finished_guided_session_counts_as_held_without_marks(
    organization: Organization, program: Program
) -> None:
    ana, ben = person(organization), person(organization)
    pairing = paired(program, [ana, ben], activated=at(2, 10))
    session = confirmed_session(pairing, starts_at=at(3, 3))
    CoachingSession.all_organizations.filter(pk=session.pk).update(status=SessionStatus.FINISHED)

    assert values(program, Family.PAIRED, ana)[keys.HELD_SESSIONS] == 1


def test_expected_sessions_follow_the_days_paired(
    organization: Organization, program: Program
) -> None:
    ana, ben = person(organization), person(organization)
    pairing = paired(program, [ana, ben], activated=at(3, 18, hour=0))
    pairing_leave(pairing=pairing, by=ana, now=at(3, 25, hour=0))

    # Seven days paired at one session every fourteen days.
    assert values(program, Family.PAIRED, ben)[keys.EXPECTED_SESSIONS] == pytest.approx(0.5)


def test_meeting_more_often_than_the_rhythm_counts_as_on_rhythm_not_more(
    organization: Organization, program: Program
) -> None:
    ana, ben = person(organization), person(organization)
    pairing = paired(program, [ana, ben], activated=at(3, 25, hour=0))
    held(pairing, at(3, 26))
    held(pairing, at(3, 28))

    facts = values(program, Family.PAIRED, ana)
    assert facts[keys.HELD_SESSIONS] == 2
    # Seven days paired asks for half a session; both meetings count as that half.
    assert facts[keys.EXPECTED_SESSIONS] == pytest.approx(0.5)
    assert facts[keys.HELD_ON_RHYTHM] == pytest.approx(0.5)


def test_a_pair_behind_the_rhythm_counts_what_it_held(
    organization: Organization, program: Program
) -> None:
    ana, ben = person(organization), person(organization)
    pairing = paired(program, [ana, ben], activated=at(2, 10))
    held(pairing, at(3, 3))

    assert values(program, Family.PAIRED, ana)[keys.HELD_ON_RHYTHM] == 1


def test_a_pairing_that_ended_before_the_month_is_not_counted(
    organization: Organization, program: Program
) -> None:
    ana, ben = person(organization), person(organization)
    pairing = paired(program, [ana, ben], activated=at(1, 10))
    pairing_leave(pairing=pairing, by=ana, now=at(2, 20))

    assert family_people(program, Family.PAIRED) == set()
    assert values(program, Family.PARTICIPANTS, ana)[keys.IN_PAIRING] == 0


# ---------------------------------------------------------------------------------------------
# Stalled


def test_a_pairing_quiet_for_six_weeks_at_month_end_has_stalled(
    organization: Organization, program: Program
) -> None:
    quiet = paired(program, [person(organization), person(organization)], activated=at(1, 10))
    held(quiet, at(1, 20))
    lively = paired(program, [person(organization), person(organization)], activated=at(1, 10))
    held(lively, at(1, 20))
    held(lively, at(3, 25))
    new = paired(program, [person(organization), person(organization)], activated=at(3, 1))

    stalled = {
        c.person_id
        for c in contributions(program)
        if c.family == Family.PAIRED and c.values[keys.STALLED] == 1
    }
    assert stalled == set(quiet.members.values_list("person_id", flat=True))
    assert not stalled & set(new.members.values_list("person_id", flat=True))


def test_a_pairing_that_ended_in_the_month_has_not_stalled(
    organization: Organization, program: Program
) -> None:
    ana, ben = person(organization), person(organization)
    pairing = paired(program, [ana, ben], activated=at(1, 10))
    pairing_leave(pairing=pairing, by=ana, now=at(3, 10))

    assert values(program, Family.PAIRED, ben)[keys.STALLED] == 0


def test_the_month_under_way_is_judged_as_of_now(
    organization: Organization, program: Program
) -> None:
    ana, ben = person(organization), person(organization)
    pairing = paired(program, [ana, ben], activated=at(3, 1))
    held(pairing, at(3, 5))

    # On April 10 the pair last met five weeks ago: not stalled yet.
    facts = monthly_contributions(
        organization=organization, program=program, month=date(2026, 4, 1), now=at(4, 10, hour=0)
    )
    paired_facts = {c.person_id: c.values for c in facts if c.family == Family.PAIRED}
    assert paired_facts[ana.pk][keys.STALLED] == 0
    # Nine days paired so far this month, so the rhythm asks for nine fourteenths of a session.
    assert paired_facts[ana.pk][keys.EXPECTED_SESSIONS] == pytest.approx(9 / 14)


# ---------------------------------------------------------------------------------------------
# First meetings


def test_time_to_first_meeting_counts_from_the_pairing_start(
    organization: Organization, program: Program
) -> None:
    ana, ben = person(organization), person(organization)
    pairing = paired(program, [ana, ben], activated=at(3, 2))
    held(pairing, at(3, 9))
    held(pairing, at(3, 23))

    assert values(program, Family.FIRST_MEETINGS, ana) == {
        keys.FIRST_MEETINGS: 1,
        keys.DAYS_TO_FIRST_MEETING: pytest.approx(7),
    }


def test_a_first_meeting_in_an_earlier_month_is_not_counted_again(
    organization: Organization, program: Program
) -> None:
    pairing = paired(program, [person(organization), person(organization)], activated=at(1, 5))
    held(pairing, at(2, 2))
    held(pairing, at(3, 2))

    assert family_people(program, Family.FIRST_MEETINGS) == set()
    assert family_people(program, Family.FIRST_MEETINGS, month=date(2026, 2, 1)) == set(
        pairing.members.values_list("person_id", flat=True)
    )


def test_a_first_meeting_long_after_the_start_is_still_the_first(
    organization: Organization, program: Program
) -> None:
    """A pairing that took months to meet still has its first meeting counted, once."""
    ana, ben = person(organization), person(organization)
    pairing = paired(program, [ana, ben], activated=at(1, 2, hour=10))
    held(pairing, at(3, 30, hour=10))

    assert values(program, Family.FIRST_MEETINGS, ana)[keys.DAYS_TO_FIRST_MEETING] == 87


# ---------------------------------------------------------------------------------------------
# Answers to matches


def test_acceptance_counts_each_answer_given_in_the_month(
    organization: Organization, program: Program
) -> None:
    ana, ben, cy, dee = (person(organization) for _ in range(4))
    accepted = pairing_propose(
        program=program, enrollments=[enroll(program, ana), enroll(program, ben)], now=at(3, 1)
    )
    pairing_accept(pairing=accepted, by=ana, now=at(3, 2))
    pairing_accept(pairing=accepted, by=ben, now=at(3, 3))
    declined = pairing_propose(
        program=program, enrollments=[enroll(program, cy), enroll(program, dee)], now=at(3, 1)
    )
    pairing_accept(pairing=declined, by=cy, now=at(3, 2))
    pairing_decline(pairing=declined, by=dee, now=at(3, 4))

    assert values(program, Family.RESPONDERS, cy) == {keys.ANSWERS: 1, keys.ACCEPTED: 1}
    assert values(program, Family.RESPONDERS, dee) == {keys.ANSWERS: 1, keys.ACCEPTED: 0}
    assert family_people(program, Family.RESPONDERS) == {ana.pk, ben.pk, cy.pk, dee.pk}
    assert family_people(program, Family.RESPONDERS, month=date(2026, 2, 1)) == set()


def test_a_colleague_s_request_is_not_an_answer_to_a_match(
    organization: Organization, program: Program
) -> None:
    pairing = paired(program, [person(organization), person(organization)], activated=at(3, 2))
    Pairing.all_organizations.filter(pk=pairing.pk).update(source=PairingSource.REQUEST)

    assert family_people(program, Family.RESPONDERS) == set()


# ---------------------------------------------------------------------------------------------
# Ratings and the survey


def test_raters_contribute_every_rating_they_gave(
    organization: Organization, program: Program
) -> None:
    ana, ben = person(organization), person(organization)
    pairing = paired(program, [ana, ben], activated=at(2, 10))
    held(pairing, at(3, 3), ratings=[4, None])
    held(pairing, at(3, 17), ratings=[2, None])
    held(pairing, at(4, 1), ratings=[5, None])

    assert values(program, Family.RATERS, ana) == {keys.RATINGS: 2, keys.RATING_TOTAL: 6}
    assert family_people(program, Family.RATERS) == {ana.pk}


def test_survey_answers_count_in_the_month_they_were_given(
    organization: Organization, program: Program
) -> None:
    ana = person(organization)
    enroll(program, ana)
    answer = ProgramFeedback.objects.in_organization(organization).create(
        organization=organization, program=program, person=ana, rating=4, keep="the rhythm"
    )
    ProgramFeedback.all_organizations.filter(pk=answer.pk).update(created_at=at(3, 12))

    assert values(program, Family.SURVEY_RESPONDENTS, ana) == {
        keys.SURVEY_ANSWERS: 1,
        keys.SURVEY_RATING_TOTAL: 4,
    }
    assert family_people(program, Family.SURVEY_RESPONDENTS, month=date(2026, 2, 1)) == set()


# ---------------------------------------------------------------------------------------------
# Reciprocity and new connections


def _run(session: CoachingSession, member_ids: list[int], **fields: Any) -> SessionRun:
    steps = [step.as_data() for step in scripts.template_steps("triads")]
    return SessionRun.objects.in_organization(session.organization_id).create(
        organization_id=session.organization_id,
        session=session,
        steps=steps,
        member_ids=member_ids,
        with_observer=len(member_ids) == 3,
        started_by_id=member_ids[0],
        started_at=session.starts_at,
        step_started_at=session.starts_at,
        turn_started_at=session.starts_at,
        **fields,
    )


def test_in_a_triad_the_guided_run_says_who_coached_and_who_was_coached(
    organization: Organization, program: Program
) -> None:
    ana, ben, cy = (person(organization) for _ in range(3))
    pairing = paired(program, [ana, ben, cy], activated=at(2, 10))
    first = held(pairing, at(3, 3))
    # The run stopped during the first turn: ana was coached by ben while cy observed.
    _run(first, [ana.pk, ben.pk, cy.pk], position=1)

    reciprocal = {
        c.person_id
        for c in contributions(program)
        if c.family == Family.PAIRED and c.values[keys.RECIPROCAL] == 1
    }
    assert reciprocal == set()

    # A second session runs every turn: everyone has now coached and been coached.
    second = held(pairing, at(3, 17))
    steps = scripts.template_steps("triads")
    last = len(scripts.timeline(steps, turns=3)) - 1
    _run(second, [ana.pk, ben.pk, cy.pk], position=last, finished_at=at(3, 17, hour=11))
    reciprocal = {
        c.person_id
        for c in contributions(program)
        if c.family == Family.PAIRED and c.values[keys.RECIPROCAL] == 1
    }
    assert reciprocal == {ana.pk, ben.pk, cy.pk}


def test_a_triad_session_without_a_run_counts_both_ways(
    organization: Organization, program: Program
) -> None:
    ana, ben, cy = (person(organization) for _ in range(3))
    pairing = paired(program, [ana, ben, cy], activated=at(2, 10))
    held(pairing, at(3, 3))

    assert values(program, Family.PAIRED, cy)[keys.RECIPROCAL] == 1


def test_a_pair_that_has_not_met_is_not_reciprocal(
    organization: Organization, program: Program
) -> None:
    ana, ben = person(organization), person(organization)
    paired(program, [ana, ben], activated=at(3, 2))

    assert values(program, Family.PAIRED, ana)[keys.RECIPROCAL] == 0


def test_new_partners_from_another_department_are_counted_once(
    organization: Organization, program: Program
) -> None:
    sales, ops, ops_too = person(organization, "Sales"), person(organization), person(organization)
    paired(program, [sales, ops], activated=at(3, 2))
    paired(program, [ops_too, person(organization)], activated=at(3, 2))

    assert values(program, Family.PAIRED, sales)[keys.NEW_CROSS_DEPARTMENT_PARTNERS] == 1
    assert values(program, Family.PAIRED, ops)[keys.NEW_CROSS_DEPARTMENT_PARTNERS] == 1
    assert values(program, Family.PAIRED, ops_too)[keys.NEW_CROSS_DEPARTMENT_PARTNERS] == 0
    # Once made, the connection isn't new in the following month.
    assert (
        values(program, Family.PAIRED, sales, month=date(2026, 4, 1))[
            keys.NEW_CROSS_DEPARTMENT_PARTNERS
        ]
        == 0
    )


def test_people_paired_before_in_another_program_are_not_a_new_connection(
    organization: Organization, program: Program
) -> None:
    sales, ops = person(organization, "Sales"), person(organization)
    earlier_program = ProgramFactory(
        organization=organization, starts_on=date(2025, 6, 1), ends_on=date(2025, 12, 31)
    )
    earlier = paired(earlier_program, [sales, ops], activated=at(1, 1) - timedelta(days=120))
    pairing_leave(pairing=earlier, by=sales, now=at(1, 1) - timedelta(days=20))
    paired(program, [sales, ops], activated=at(3, 2))

    assert values(program, Family.PAIRED, sales)[keys.NEW_CROSS_DEPARTMENT_PARTNERS] == 0


# ---------------------------------------------------------------------------------------------
# Actions reviewed at the next session


def test_open_actions_are_due_at_the_next_session_and_reviewed_when_marked(
    organization: Organization, program: Program
) -> None:
    ana, ben = person(organization), person(organization)
    pairing = paired(program, [ana, ben], activated=at(2, 10))
    first = held(pairing, at(3, 2))
    plan = action_plan_create(
        owner=ana,
        session=first,
        goal="Speak up earlier in planning",
        actions=[ActionDraft("Ask one question"), ActionDraft("Share a draft"), ActionDraft("X")],
        now=at(3, 2, hour=11),
    )
    ask, share, closed = plan.actions.order_by("position")
    Action.all_organizations.filter(pk=closed.pk).update(
        status=ActionStatus.DONE, closed_at=at(3, 5)
    )
    second = held(pairing, at(3, 16))
    _run(second, [ana.pk, ben.pk], reviewed={str(ask.pk): "done"})
    held(pairing, at(3, 30))  # a later session: the actions were due at the one before

    assert values(program, Family.ACTION_OWNERS, ana) == {
        keys.ACTIONS_DUE: 2,
        keys.ACTIONS_REVIEWED: 1,
    }
    assert family_people(program, Family.ACTION_OWNERS) == {ana.pk}


def test_actions_whose_next_session_falls_in_the_next_month_count_then(
    organization: Organization, program: Program
) -> None:
    ana, ben = person(organization), person(organization)
    pairing = paired(program, [ana, ben], activated=at(2, 10))
    first = held(pairing, at(3, 30))
    action_plan_create(
        owner=ana, session=first, goal="Delegate", actions=[ActionDraft("Hand over the report")]
    )
    Action.all_organizations.update(created_at=at(3, 30, hour=11))
    held(pairing, at(4, 6))

    assert family_people(program, Family.ACTION_OWNERS) == set()
    assert values(program, Family.ACTION_OWNERS, ana, month=date(2026, 4, 1)) == {
        keys.ACTIONS_DUE: 1,
        keys.ACTIONS_REVIEWED: 0,
    }


# ---------------------------------------------------------------------------------------------
# Boundaries, privacy of words, and cost


def test_other_programs_and_organizations_do_not_leak_in(
    organization: Organization, program: Program
) -> None:
    other_program = ProgramFactory(
        organization=organization, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    held(paired(other_program, [person(organization), person(organization)], at(2, 1)), at(3, 3))
    elsewhere = OrganizationFactory()
    foreign = ProgramFactory(
        organization=elsewhere, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    held(paired(foreign, [person(elsewhere), person(elsewhere)], at(2, 1)), at(3, 3))

    assert contributions(program) == []


def test_every_contribution_carries_every_key_of_its_family(
    organization: Organization, program: Program
) -> None:
    _busy_month(organization, program, pairs=2)

    found = contributions(program)
    assert {c.family for c in found} == set(Family)
    for contribution in found:
        assert set(contribution.values) == set(keys.FAMILY_VALUE_KEYS[contribution.family])


def test_no_sealed_text_or_survey_words_are_read(
    organization: Organization, program: Program
) -> None:
    _busy_month(organization, program, pairs=2)

    with CaptureQueriesContext(connection) as captured:
        contributions(program)
    selected = " ".join(query["sql"].split(" FROM ")[0] for query in captured.captured_queries)
    for column in ('"goal"', '"text"', '"keep"', '"change"', '"body"', '"goals"'):
        assert column not in selected


@pytest.mark.parametrize("pairs", [1, 6])
def test_the_number_of_queries_does_not_grow_with_the_data(
    organization: Organization,
    program: Program,
    pairs: int,
    django_assert_num_queries: Any,
) -> None:
    _busy_month(organization, program, pairs=pairs)

    with django_assert_num_queries(10):
        found = contributions(program)
    assert len({c.person_id for c in found}) == pairs * 2 + 1


def _busy_month(organization: Organization, program: Program, *, pairs: int) -> None:
    """`pairs` pairs that answered, met, rated, planned and reviewed in March; one survey."""
    for index in range(pairs):
        ana, ben = person(organization, "Sales"), person(organization)
        pairing = paired(program, [ana, ben], activated=at(3, 1 + index))
        first = held(pairing, at(3, 10, hour=index), ratings=[4, 5])
        plan = action_plan_create(
            owner=ana, session=first, goal="Grow", actions=[ActionDraft("Try")], now=at(3, 11)
        )
        second = held(pairing, at(3, 24, hour=index), ratings=[3, None])
        _run(second, [ana.pk, ben.pk], reviewed={str(plan.actions.get().pk): "going"})
    surveyed = person(organization)
    enroll(program, surveyed)
    answer = ProgramFeedback.objects.in_organization(organization).create(
        organization=organization, program=program, person=surveyed, rating=5
    )
    ProgramFeedback.all_organizations.filter(pk=answer.pk).update(created_at=at(3, 12))


# ---------------------------------------------------------------------------------------------
# Through the build to a dashboard


def test_a_month_of_real_coaching_reaches_the_dashboard(
    organization: Organization, program: Program
) -> None:
    # Five pairs, enough for k = 5 in every family they are in: each met twice and rated.
    for index in range(5):
        pairing = paired(program, [person(organization), person(organization)], at(2, 1 + index))
        held(pairing, at(3, 3, hour=index), ratings=[4, 5])
        held(pairing, at(3, 17, hour=index), ratings=[3, 4])

    insights_refresh(organization=organization, now=APRIL_15)
    dashboard = dashboard_for(
        organization=organization,
        filters=DashboardFilters(program_id=program.pk, first_month=MARCH, last_month=MARCH),
    )

    (march,) = dashboard.months
    shown = {key: figure.value for key, figure in march.figures.items()}
    assert shown["enrolled"] == 10
    assert shown["met"] == pytest.approx(1.0)
    assert shown["meetings_against_cadence"] == pytest.approx(2 / (31 / 14))
    assert shown["session_rating"] == pytest.approx(4.0)
    assert shown["stalled"] == 0
    # Nobody answered a match or the survey in March: those figures have nobody to describe.
    assert march.figures["survey_rating"].withheld
