"""A program's follow-up settings: days to answer, requests at once, reminders, new matches."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peercoach.programs.models import Program
from peercoach.programs.services import ProgramError, program_create
from peercoach.programs.tests.conftest import days_from_today, membership_of
from peercoach.programs.tests.test_program_services import details_for

pytestmark = pytest.mark.django_db


def program_form(personas, **changes) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Onboarding buddies",
        "purpose": "onboarding",
        "format": "reciprocal_pairs",
        "group_size_min": "5",
        "group_size_max": "7",
        "starts_on": days_from_today(3).isoformat(),
        "ends_on": days_from_today(60).isoformat(),
        "cadence_interval": "1",
        "cadence_unit": "weeks",
        "meeting_minutes": "45",
        "sponsor": membership_of(personas.sid).pk,
        "ground_rules": "Be kind.",
        "status": "open",
        "enrollment_modes": ["open"],
        "auto_enroll_joined_within_days": "90",
        "repeat_window_days": "180",
        "minimum_shared_hours": "2",
        "matching_mode": "participants_choose",
    }
    data.update(changes)
    return data


def test_a_manager_sets_when_people_hear_from_us(personas):
    client = personas.client_for(personas.pam)
    assert (
        "<legend>Answers and follow-up</legend>"
        in client.get(reverse("programs:create")).content.decode()
    )
    response = client.post(
        reverse("programs:create"),
        program_form(
            personas, nudge_after_days="14", rematch_after_days="28", open_requests_limit="2"
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    program = Program.objects.in_organization(personas.acme).get()
    assert (program.nudge_after_days, program.rematch_after_days) == (14, 28)
    assert (program.open_requests_limit, program.proposal_expiry_days) == (2, 7)


def test_left_empty_the_settings_keep_their_defaults(personas):
    personas.client_for(personas.pam).post(reverse("programs:create"), program_form(personas))
    program = Program.objects.in_organization(personas.acme).get()
    assert (program.nudge_after_days, program.rematch_after_days) == (21, 42)


def test_a_new_match_offered_before_the_reminder_is_refused_with_the_reason(personas):
    with pytest.raises(ProgramError, match="later than the reminder") as refused:
        program_create(
            organization=personas.acme,
            created_by=membership_of(personas.pam),
            details=details_for(personas, nudge_after_days=30, rematch_after_days=20),
        )
    assert refused.value.field == "rematch_after_days"
    response = personas.client_for(personas.pam).post(
        reverse("programs:create"),
        program_form(personas, nudge_after_days="30", rematch_after_days="20"),
    )
    assert response.status_code == 400
    assert "later than the reminder" in response.context["form"].errors["rematch_after_days"][0]
