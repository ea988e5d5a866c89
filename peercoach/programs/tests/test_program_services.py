from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from peercoach.programs.models import DEFAULT_GROUND_RULES, Program, ProgramStatus
from peercoach.programs.services import (
    ProgramDetails,
    ProgramError,
    program_create,
    program_update,
)
from peercoach.programs.tests.conftest import days_from_today, membership_of
from peercoach.testing.factories import EnrollmentFactory, MembershipFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def details_for(personas, **changes) -> ProgramDetails:
    fields = {
        "name": "Onboarding buddies",
        "purpose": "onboarding",
        "format": "reciprocal_pairs",
        "starts_on": days_from_today(7),
        "ends_on": days_from_today(97),
        "sponsor": membership_of(personas.sid),
        "ground_rules": DEFAULT_GROUND_RULES,
    }
    return ProgramDetails(**{**fields, **changes})


def create(personas, **changes) -> Program:
    return program_create(
        organization=personas.acme,
        created_by=membership_of(personas.pam),
        details=details_for(personas, **changes),
    )


def test_a_manager_creates_a_draft_program_with_sensible_defaults(personas):
    program = create(personas)
    assert program.status == ProgramStatus.DRAFT
    assert program.created_by == membership_of(personas.pam)
    assert program.repeat_window_days == 180
    assert program.minimum_shared_hours == 2
    assert program.cadence_rule == "FREQ=WEEKLY;INTERVAL=2"
    assert program.cadence_text == "Every 2 weeks"
    assert program.group_size_range == (2, 2)


def test_the_default_ground_rules_cover_confidentiality_trust_collaboration_and_generosity():
    text = DEFAULT_GROUND_RULES.lower()
    for idea in ("stays in our sessions", "peers", "work together", "generous"):
        assert idea in text


def test_groups_use_their_configured_size_and_triads_are_three(personas):
    assert create(
        personas, format="groups", group_size_min=4, group_size_max=6
    ).group_size_range == (4, 6)
    assert create(personas, format="triads").group_size_range == (3, 3)


def test_a_cadence_in_days_is_a_daily_rule(personas):
    program = create(personas, cadence_interval=10, cadence_unit="days")
    assert program.cadence_rule == "FREQ=DAILY;INTERVAL=10"


@pytest.mark.parametrize("ends_in_days", [7, 0])
def test_a_program_must_end_after_it_starts(personas, ends_in_days):
    with pytest.raises(ProgramError, match="end after it starts") as refused:
        create(personas, ends_on=days_from_today(ends_in_days))
    assert refused.value.field == "ends_on"


def test_the_database_refuses_a_program_that_ends_before_it_starts(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramFactory(organization=personas.acme, ends_on=days_from_today(-1))


def test_the_sponsor_must_hold_the_sponsor_role(personas):
    with pytest.raises(ProgramError, match="executive sponsor role") as refused:
        create(personas, sponsor=membership_of(personas.pam))
    assert refused.value.field == "sponsor"


def test_the_sponsor_must_belong_to_the_same_organization(personas):
    foreign_sponsor = MembershipFactory(organization=personas.globex, is_sponsor=True)
    with pytest.raises(ProgramError, match="executive sponsor role"):
        create(personas, sponsor=foreign_sponsor)


def test_a_program_needs_a_sponsor(personas):
    with pytest.raises(ProgramError, match="sponsor"):
        create(personas, sponsor=None)


def test_facilitators_must_belong_to_the_same_organization(personas):
    with pytest.raises(ProgramError, match="Facilitators"):
        create(personas, facilitators=[membership_of(personas.otto)])


def test_facilitators_are_saved(personas):
    program = create(personas, facilitators=[membership_of(personas.pia)])
    assert list(program.facilitators.all()) == [membership_of(personas.pia)]


def test_group_sizes_must_be_in_order(personas):
    with pytest.raises(ProgramError, match="smallest first"):
        create(personas, format="groups", group_size_min=7, group_size_max=5)


def test_a_program_needs_a_way_in(personas):
    with pytest.raises(ProgramError, match="at least one way"):
        create(
            personas,
            allows_open_enrollment=False,
            allows_nomination=False,
            allows_assignment=False,
        )


@pytest.mark.parametrize("status", ["running", "finished"])
def test_a_new_program_starts_as_a_draft_or_open(personas, status):
    with pytest.raises(ProgramError, match="draft or open"):
        create(personas, status=status)


def test_a_program_moves_forward_through_its_statuses(personas):
    program = create(personas)
    for status in ("open", "running", "finished"):
        program = program_update(program=program, details=details_for(personas, status=status))
        assert program.status == status


def test_a_finished_program_cant_reopen(personas):
    program = ProgramFactory(organization=personas.acme, status="finished")
    with pytest.raises(ProgramError, match=r"can't be set to"):
        program_update(program=program, details=details_for(personas, status="open"))


def test_an_open_program_with_people_in_it_cant_become_a_draft_again(personas, program):
    EnrollmentFactory(program=program)
    with pytest.raises(ProgramError, match="already enrolled"):
        program_update(program=program, details=details_for(personas, status="draft"))


def test_an_open_program_nobody_joined_can_go_back_to_draft(personas):
    program = create(personas, status="open")
    program = program_update(program=program, details=details_for(personas, status="draft"))
    assert program.status == "draft"


def test_capacity_cant_drop_below_the_places_taken(personas, program):
    EnrollmentFactory.create_batch(3, program=program)
    with pytest.raises(ProgramError, match="3 people already hold a place"):
        program_update(program=program, details=details_for(personas, status="open", capacity=2))
    program_update(program=program, details=details_for(personas, status="open", capacity=3))


def test_an_update_changes_every_detail(personas, program):
    details = replace(
        details_for(personas, status="open"),
        name="Leadership circles",
        format="feedforward_circles",
        ends_on=program.starts_on + timedelta(days=30),
        ground_rules="Be kind.",
        minimum_shared_hours=3,
        matching_mode="hybrid",
    )
    program = program_update(program=program, details=details)
    program.refresh_from_db()
    assert (program.name, program.format, program.ground_rules) == (
        "Leadership circles",
        "feedforward_circles",
        "Be kind.",
    )
    assert (program.minimum_shared_hours, program.matching_mode) == (3, "hybrid")


def test_adding_new_staff_automatically_needs_the_assigned_way_in(personas):
    with pytest.raises(ProgramError, match="Assigned"):
        create(personas, auto_enroll_new_staff=True, allows_assignment=False)


def test_new_staff_are_added_to_programs_that_ask_for_it(personas, program):
    from peercoach.people.models import Person
    from peercoach.programs.services import programs_auto_enroll_new_staff

    Person.all_organizations.filter(pk__in=[personas.ceo.pk, personas.colleague.pk]).update(
        created_at=timezone.now() - timedelta(days=365)
    )
    program.auto_enroll_new_staff = True
    program.auto_enroll_joined_within_days = 30
    program.save()
    ProgramFactory(organization=personas.acme, allows_assignment=True)  # didn't ask for it
    assert programs_auto_enroll_new_staff(organization=personas.acme) == {program: 1}
    assert program.enrollments.get().person == personas.pia_person
