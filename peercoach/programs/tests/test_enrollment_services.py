from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peercoach.people.models import CoachingProfile, Person
from peercoach.programs import enrollment_states
from peercoach.programs.models import Enrollment, EnrollmentSource, Nomination
from peercoach.programs.models import EnrollmentStatus as S
from peercoach.programs.services import (
    EnrollmentError,
    enrollment_join,
    enrollment_leave,
    enrollment_nominate,
    enrollment_pause,
    enrollment_resume,
    enrollments_assign,
    enrollments_resume_due,
    nomination_accept,
    nomination_decline,
)
from peercoach.programs.tests.conftest import a_profile, days_from_today
from peercoach.testing.factories import EnrollmentFactory, PersonFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def join(program, person, **changes) -> Enrollment:
    agreed = changes.pop("agreed_to_ground_rules", True)
    return enrollment_join(
        program=program, person=person, profile=a_profile(**changes), agreed_to_ground_rules=agreed
    )


def nominate(program, nominee, nominated_by, reason="You listen so well.") -> Nomination:
    return enrollment_nominate(
        program=program, nominee=nominee, nominated_by=nominated_by, reason=reason
    )


# Open enrollment ----------------------------------------------------------------------------


def test_a_participant_joins_an_open_program_and_their_agreement_is_recorded(personas, program):
    before = timezone.now()
    enrollment = join(program, personas.pia_person)
    assert (enrollment.status, enrollment.source) == (S.ACTIVE, EnrollmentSource.OPEN)
    assert enrollment.agreed_to_ground_rules_at is not None
    assert enrollment.agreed_to_ground_rules_at >= before
    assert enrollment.goals == ["saying no kindly"]
    assert enrollment.languages == ["English", "German"]
    assert enrollment.organization == personas.acme


def test_joining_saves_the_answers_back_to_the_coaching_profile(personas, program):
    join(program, personas.pia_person, goals=["pacing myself"], working_hours_start=7)
    profile = CoachingProfile.objects.get(person=personas.pia_person)
    assert profile.wants == ["pacing myself"]
    assert profile.offers == ["running workshops"]
    assert (profile.working_hours_start, profile.working_hours_end) == (7, 16)


def test_joining_without_agreeing_to_the_ground_rules_is_refused_and_saves_nothing(
    personas, program
):
    with pytest.raises(EnrollmentError, match="ground rules") as refused:
        join(program, personas.pia_person, agreed_to_ground_rules=False)
    assert refused.value.field == "agreed_to_ground_rules"
    assert not Enrollment.objects.in_organization(personas.acme).exists()
    assert not CoachingProfile.objects.filter(person=personas.pia_person).exists()


def test_joining_twice_is_refused_kindly(personas, program):
    join(program, personas.pia_person)
    with pytest.raises(EnrollmentError, match="already taking part"):
        join(program, personas.pia_person)


def test_a_full_program_refuses_more_people(personas, program):
    program.capacity = 1
    program.save()
    join(program, personas.colleague)
    with pytest.raises(EnrollmentError, match="full"):
        join(program, personas.pia_person)


def test_people_who_left_free_their_place(personas, program):
    program.capacity = 1
    program.save()
    enrollment_leave(enrollment=join(program, personas.colleague))
    assert join(program, personas.pia_person).status == S.ACTIVE


@pytest.mark.parametrize("status", ["draft", "running", "finished"])
def test_only_an_open_program_takes_new_people(personas, status):
    program = ProgramFactory(organization=personas.acme, status=status)
    with pytest.raises(EnrollmentError, match="isn't open"):
        join(program, personas.pia_person)


def test_a_program_without_open_enrollment_refuses_people_joining_on_their_own(personas):
    program = ProgramFactory(organization=personas.acme, allows_open_enrollment=False)
    with pytest.raises(EnrollmentError, match="nominate you"):
        join(program, personas.pia_person)


def test_someone_from_another_organization_cant_join(personas, program):
    with pytest.raises(EnrollmentError, match="directory"):
        join(program, personas.globex_person)


def test_someone_who_left_the_organization_cant_join(personas, program):
    leaver = PersonFactory(organization=personas.acme, is_active=False)
    with pytest.raises(EnrollmentError, match="directory"):
        join(program, leaver)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"goals": []}, "goals"),
        ({"goals": ["x" * 201]}, "goals"),
        ({"offers": [f"topic {n}" for n in range(11)]}, "offers"),
        ({"working_hours_start": 17, "working_hours_end": 9}, "working_hours_end"),
        ({"working_hours_end": 25}, "working_hours_end"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ],
)
def test_a_profile_matching_couldnt_use_is_refused_naming_the_field(
    personas, program, changes, field
):
    with pytest.raises(EnrollmentError) as refused:
        join(program, personas.pia_person, **changes)
    assert refused.value.field == field


def test_someone_who_left_may_rejoin_while_the_program_is_open(personas, program):
    enrollment_leave(enrollment=join(program, personas.pia_person))
    enrollment = join(program, personas.pia_person, goals=["delegating"])
    assert enrollment.status == S.ACTIVE
    assert enrollment.left_at is None
    assert enrollment.goals == ["delegating"]
    assert Enrollment.objects.in_organization(personas.acme).count() == 1


def test_nobody_rejoins_once_the_program_runs(personas, program):
    enrollment_leave(enrollment=join(program, personas.pia_person))
    program.status = "running"
    program.save()
    with pytest.raises(EnrollmentError, match="isn't open"):
        join(program, personas.pia_person)


# Nominations --------------------------------------------------------------------------------


def test_a_colleague_nominates_someone_who_is_emailed_who_and_why(personas, program):
    nomination = nominate(
        program, personas.colleague, personas.pia_person, "You explain things well."
    )
    enrollment = nomination.enrollment
    assert (enrollment.status, enrollment.source) == (S.NOMINATED, EnrollmentSource.NOMINATION)
    assert enrollment.agreed_to_ground_rules_at is None
    [email] = mail.outbox
    assert email.to == [personas.colleague.email]
    assert "Pia Participant" in email.subject
    assert "You explain things well." in email.body
    assert f"/programs/{program.pk}/" in email.body


def test_nobody_can_nominate_themselves(personas, program):
    with pytest.raises(EnrollmentError, match="can't nominate yourself"):
        nominate(program, personas.pia_person, personas.pia_person)


def test_nominating_the_same_colleague_twice_is_refused_kindly(personas, program):
    nominate(program, personas.colleague, personas.pia_person)
    with pytest.raises(EnrollmentError, match=r"already nominated Cole League.*Thank you"):
        nominate(program, personas.colleague, personas.pia_person)


def test_a_second_colleague_may_nominate_the_same_person(personas, program):
    nominate(program, personas.colleague, personas.pia_person, "First reason.")
    nominate(program, personas.colleague, personas.ceo, "Second reason.")
    enrollment = Enrollment.objects.in_organization(personas.acme).get()
    assert sorted(enrollment.nominations.values_list("reason", flat=True)) == [
        "First reason.",
        "Second reason.",
    ]


def test_a_nomination_needs_a_reason(personas, program):
    with pytest.raises(EnrollmentError, match="why you thought of them"):
        nominate(program, personas.colleague, personas.pia_person, reason="   ")


def test_a_program_without_nominations_refuses_them(personas):
    program = ProgramFactory(organization=personas.acme, allows_nomination=False)
    with pytest.raises(EnrollmentError, match="doesn't take nominations"):
        nominate(program, personas.colleague, personas.pia_person)


def test_nominations_need_an_open_program(personas):
    program = ProgramFactory(organization=personas.acme, status="running")
    with pytest.raises(EnrollmentError, match="isn't open"):
        nominate(program, personas.colleague, personas.pia_person)


def test_nobody_from_another_organization_can_be_nominated(personas, program):
    with pytest.raises(EnrollmentError, match="directory"):
        nominate(program, personas.globex_person, personas.pia_person)


def test_the_nominee_accepts_with_the_join_profile(personas, program):
    enrollment = nominate(program, personas.colleague, personas.pia_person).enrollment
    enrollment = nomination_accept(
        enrollment=enrollment, profile=a_profile(), agreed_to_ground_rules=True
    )
    assert (enrollment.status, enrollment.source) == (S.ACTIVE, EnrollmentSource.NOMINATION)
    assert enrollment.agreed_to_ground_rules_at is not None


def test_accepting_needs_a_nomination_waiting(personas, program):
    enrollment = join(program, personas.pia_person)
    with pytest.raises(EnrollmentError, match="no nomination waiting"):
        nomination_accept(enrollment=enrollment, profile=a_profile(), agreed_to_ground_rules=True)


def test_a_declined_nomination_tells_nobody(personas, program):
    enrollment = nominate(program, personas.colleague, personas.pia_person).enrollment
    mail.outbox.clear()
    enrollment = nomination_decline(enrollment=enrollment)
    assert enrollment.status == S.DECLINED
    assert mail.outbox == []


def test_nominating_someone_who_declined_looks_the_same_to_the_nominator_and_asks_nobody(
    personas, program
):
    nomination_decline(enrollment=nominate(program, personas.colleague, personas.ceo).enrollment)
    mail.outbox.clear()
    nomination = nominate(program, personas.colleague, personas.pia_person)
    assert isinstance(nomination, Nomination)  # the same answer as any other nomination
    assert nomination.enrollment.status == S.DECLINED
    assert mail.outbox == []


def test_only_a_waiting_nomination_can_be_declined(personas, program):
    enrollment = join(program, personas.pia_person)
    with pytest.raises(EnrollmentError):
        nomination_decline(enrollment=enrollment)


def test_someone_who_declined_may_still_join_later(personas, program):
    nomination_decline(
        enrollment=nominate(program, personas.colleague, personas.pia_person).enrollment
    )
    assert join(program, personas.colleague).status == S.ACTIVE


# Assignment ---------------------------------------------------------------------------------


def joined_days_ago(person: Person, days: int) -> Person:
    Person.all_organizations.filter(pk=person.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )
    return person


def test_a_manager_assigns_everyone_who_joined_recently_and_they_are_emailed(personas, program):
    for person in (personas.ceo, personas.pia_person):
        joined_days_ago(person, 400)
    result = enrollments_assign(program=program, joined_within_days=90)
    assert [e.person for e in result.assigned] == [personas.colleague]
    enrollment = Enrollment.objects.in_organization(personas.acme).get()
    assert (enrollment.status, enrollment.source) == (S.INVITED, EnrollmentSource.ASSIGNED)
    assert [email.to for email in mail.outbox] == [[personas.colleague.email]]
    assert "opt out" in mail.outbox[0].body


def test_a_manager_assigns_a_department(personas, program):
    sales: Person = PersonFactory(organization=personas.acme, department="Sales")
    PersonFactory(organization=personas.acme, department="Sales", is_active=False)
    result = enrollments_assign(program=program, department="Sales")
    assert [e.person for e in result.assigned] == [sales]


def test_assignment_leaves_people_who_left_or_declined_alone(personas, program):
    enrollment_leave(enrollment=join(program, personas.pia_person))
    nomination_decline(
        enrollment=nominate(program, personas.colleague, personas.pia_person).enrollment
    )
    result = enrollments_assign(program=program, joined_within_days=30)
    assert [e.person for e in result.assigned] == [personas.ceo]
    assert result.already_enrolled == 2
    statuses = dict(
        Enrollment.objects.in_organization(personas.acme).values_list("person_id", "status")
    )
    assert statuses[personas.pia_person.pk] == S.LEFT
    assert statuses[personas.colleague.pk] == S.DECLINED


def test_assignment_stops_at_capacity_and_says_how_many_didnt_fit(personas, program):
    program.capacity = 2
    program.save()
    result = enrollments_assign(program=program, joined_within_days=30)
    assert (len(result.assigned), result.no_room) == (2, 1)


def test_assignment_needs_the_program_to_allow_it(personas):
    program = ProgramFactory(organization=personas.acme, allows_assignment=False)
    with pytest.raises(EnrollmentError, match="doesn't take assignments"):
        enrollments_assign(program=program, joined_within_days=30)


def test_assignment_needs_someone_to_assign(personas, program):
    with pytest.raises(EnrollmentError, match="Choose who"):
        enrollments_assign(program=program)


def test_assignment_waits_for_the_program_to_open(personas):
    program = ProgramFactory(organization=personas.acme, status="draft", allows_assignment=True)
    with pytest.raises(EnrollmentError, match="open"):
        enrollments_assign(program=program, joined_within_days=30)


def test_an_assigned_person_takes_part_once_they_agree(personas, program):
    enrollments_assign(program=program, department="Operations")
    enrollment = join(program, personas.pia_person)
    assert (enrollment.status, enrollment.source) == (S.ACTIVE, EnrollmentSource.ASSIGNED)


def test_an_assigned_person_may_still_say_yes_once_the_program_runs(personas, program):
    enrollments_assign(program=program, department="Operations")
    program.status = "running"
    program.save()
    assert join(program, personas.pia_person).status == S.ACTIVE


def test_an_assigned_person_may_opt_out(personas, program):
    enrollments_assign(program=program, department="Operations")
    enrollment = Enrollment.objects.in_organization(personas.acme).get(person=personas.pia_person)
    assert enrollment_leave(enrollment=enrollment).status == S.LEFT


# Pausing, resuming, leaving -----------------------------------------------------------------


def test_a_participant_pauses_until_a_date_and_resumes(personas, program):
    enrollment = enrollment_pause(
        enrollment=join(program, personas.pia_person), until=days_from_today(14)
    )
    assert (enrollment.status, enrollment.paused_until) == (S.PAUSED, days_from_today(14))
    enrollment = enrollment_resume(enrollment=enrollment)
    assert (enrollment.status, enrollment.paused_until) == (S.ACTIVE, None)


@pytest.mark.parametrize("days", [0, -3])
def test_a_pause_ends_in_the_future(personas, program, days):
    with pytest.raises(EnrollmentError, match="after today"):
        enrollment_pause(enrollment=join(program, personas.pia_person), until=days_from_today(days))


def test_a_pause_ends_before_the_program_does(personas, program):
    with pytest.raises(EnrollmentError, match="before the program ends"):
        enrollment_pause(enrollment=join(program, personas.pia_person), until=program.ends_on)


def test_only_someone_taking_part_can_pause(personas, program):
    enrollment = nominate(program, personas.pia_person, personas.colleague).enrollment
    with pytest.raises(EnrollmentError):
        enrollment_pause(enrollment=enrollment, until=days_from_today(5))


def test_only_a_paused_enrollment_resumes(personas, program):
    with pytest.raises(EnrollmentError, match="already taking part"):
        enrollment_resume(enrollment=join(program, personas.pia_person))


def test_pauses_that_ran_their_course_end_by_themselves(personas, program):
    paused = enrollment_pause(
        enrollment=join(program, personas.pia_person), until=days_from_today(3)
    )
    still = enrollment_pause(enrollment=join(program, personas.colleague), until=days_from_today(9))
    assert enrollments_resume_due(organization=personas.acme, today=days_from_today(3)) == 1
    paused.refresh_from_db()
    still.refresh_from_db()
    assert (paused.status, still.status) == (S.ACTIVE, S.PAUSED)


def test_leaving_needs_no_reason_and_works_while_paused(personas, program):
    enrollment = enrollment_pause(
        enrollment=join(program, personas.pia_person), until=days_from_today(5)
    )
    enrollment = enrollment_leave(enrollment=enrollment)
    assert enrollment.status == S.LEFT
    assert enrollment.left_at is not None
    assert enrollment.paused_until is None


def test_leaving_twice_is_refused(personas, program):
    enrollment = enrollment_leave(enrollment=join(program, personas.pia_person))
    with pytest.raises(EnrollmentError, match="left"):
        enrollment_leave(enrollment=enrollment)


# The database's own guarantees --------------------------------------------------------------


def test_the_database_allows_one_enrollment_per_person_and_program(personas, program):
    EnrollmentFactory(program=program, person=personas.pia_person)
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrollmentFactory(program=program, person=personas.pia_person)


def test_the_database_refuses_taking_part_without_agreeing(personas, program):
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrollmentFactory(program=program, agreed_to_ground_rules_at=None)


def test_the_database_refuses_a_pause_without_a_date(personas, program):
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrollmentFactory(program=program, status="paused", paused_until=None)


# Any sequence of actions keeps the table's promises ------------------------------------------

ACTIONS = ["join", "nominate", "decline", "pause", "resume", "leave"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=8))
def test_any_sequence_of_actions_only_makes_allowed_changes(personas, program, actions):
    person: Person = PersonFactory(organization=personas.acme)
    for action in actions:
        before = Enrollment.objects.in_organization(personas.acme).filter(person=person).first()
        before_status = before.status if before else None
        with contextlib.suppress(EnrollmentError):  # refused with a message: nothing changed
            _do(action, program, person, before, personas.pia_person)
        after = Enrollment.objects.in_organization(personas.acme).filter(person=person).first()
        after_status = after.status if after else None
        if after_status != before_status:
            actor = (
                enrollment_states.Actor.COLLEAGUE
                if action == "nominate"
                else enrollment_states.Actor.PERSON
            )
            assert enrollment_states.is_allowed(
                before_status and S(before_status), S(after_status), actor
            )
        if after is not None and after.status in (S.ACTIVE, S.PAUSED):
            assert after.agreed_to_ground_rules_at is not None


def _do(action, program, person, enrollment, colleague) -> None:
    if action == "join":
        join(program, person)
    elif action == "nominate":
        nominate(program, person, colleague)
    elif enrollment is None:
        raise EnrollmentError("nothing to change")
    elif action == "decline":
        nomination_decline(enrollment=enrollment)
    elif action == "pause":
        enrollment_pause(enrollment=enrollment, until=days_from_today(5))
    elif action == "resume":
        enrollment_resume(enrollment=enrollment)
    else:
        enrollment_leave(enrollment=enrollment)
