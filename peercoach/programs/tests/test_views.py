from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from peercoach.programs.models import Enrollment, Program
from peercoach.programs.models import EnrollmentStatus as S
from peercoach.programs.services import enrollment_nominate
from peercoach.programs.tests.conftest import days_from_today, membership_of
from peercoach.testing.factories import EnrollmentFactory, PersonFactory, ProgramFactory

pytestmark = pytest.mark.django_db

LIST = reverse("programs:list")
SECRET_GOAL = "not panicking in steering meetings"


def url(name: str, program: Program) -> str:
    return reverse(f"programs:{name}", args=[program.pk])


def join_form(**changes) -> dict[str, object]:
    data = {
        "goals": f"{SECRET_GOAL}\nasking for help",
        "offers": "budgeting",
        "working_hours_start": "8",
        "working_hours_end": "16",
        "timezone": "Europe/Berlin",
        "languages": "English, German",
        "agreed_to_ground_rules": "on",
    }
    data.update(changes)
    return data


def enrollment_of(personas, program) -> Enrollment:
    return Enrollment.objects.in_organization(personas.acme).get(
        program=program, person=personas.pia_person
    )


def test_everyone_sees_programs_in_the_navigation(personas):
    for user in (personas.pia, personas.sid):
        page = personas.client_for(user).get(reverse("core:home")).content.decode()
        assert f'href="{LIST}"' in page


def test_participants_see_open_programs_but_not_drafts(personas, program):
    draft = ProgramFactory(organization=personas.acme, name="Secret draft", status="draft")
    client = personas.client_for(personas.pia)
    page = client.get(LIST).content.decode()
    assert "Peer coaching pilot" in page
    assert "Secret draft" not in page
    assert client.get(url("detail", draft)).status_code == 404


def test_managers_see_drafts_with_enrollment_counts(personas, program):
    ProgramFactory(organization=personas.acme, name="Secret draft", status="draft")
    EnrollmentFactory.create_batch(2, program=program)
    page = personas.client_for(personas.pam).get(LIST).content.decode()
    assert "Secret draft" in page
    assert "<td>2</td>" in page
    assert "Create a program" in page


def test_the_program_page_explains_format_schedule_rules_and_sponsor(personas, program):
    page = personas.client_for(personas.pia).get(url("detail", program)).content.decode()
    assert program.format_explanation in page
    assert "Every 2 weeks, 60 minutes each" in page
    assert "stays in our sessions" in page
    assert personas.sid.get_full_name() in page
    assert "Join this program" in page


def test_the_join_form_is_prefilled_from_the_coaching_profile_and_directory(personas, program):
    from peercoach.people.models import CoachingProfile

    CoachingProfile.objects.create(
        person=personas.pia_person, wants=["storytelling"], offers=["SQL"], working_hours_start=7
    )
    form = personas.client_for(personas.pia).get(url("join", program)).context["form"]
    assert form.initial["goals"] == "storytelling"
    assert form.initial["offers"] == "SQL"
    assert form.initial["working_hours_start"] == 7
    assert form.initial["timezone"] == "Europe/Berlin"
    assert form.initial["languages"] == "en"


def test_a_participant_joins_and_sees_their_own_goals(personas, program):
    client = personas.client_for(personas.pia)
    response = client.post(url("join", program), join_form())
    assert response.status_code == 302
    assert enrollment_of(personas, program).status == S.ACTIVE
    page = client.get(url("detail", program)).content.decode()
    assert "You're taking part" in page
    assert SECRET_GOAL in page


def test_joining_without_ticking_the_ground_rules_shows_the_error_and_keeps_the_answers(
    personas, program
):
    response = personas.client_for(personas.pia).post(
        url("join", program), join_form(agreed_to_ground_rules="")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "tick the box to agree" in page
    assert SECRET_GOAL in page  # nothing typed is lost
    assert not Enrollment.objects.in_organization(personas.acme).exists()


def test_an_unknown_time_zone_is_refused_with_a_clear_message(personas, program):
    response = personas.client_for(personas.pia).post(
        url("join", program), join_form(timezone="Mars/Base")
    )
    assert response.status_code == 400
    assert "Choose a time zone from the list" in response.content.decode()


def test_a_full_program_says_so_on_the_join_form(personas, program):
    program.capacity = 1
    program.save()
    EnrollmentFactory(program=program)
    response = personas.client_for(personas.pia).post(url("join", program), join_form())
    assert response.status_code == 400
    assert "this program is full" in response.content.decode()


def test_managers_see_names_and_counts_but_never_goals(personas, program):
    personas.client_for(personas.pia).post(url("join", program), join_form())
    for user in (personas.pam, personas.ada):
        client = personas.client_for(user)
        for page_name in ("manage", "detail"):
            page = client.get(url(page_name, program)).content.decode()
            assert SECRET_GOAL not in page
        manage = client.get(url("manage", program)).content.decode()
        assert "Pia Participant" in manage
        assert "<strong>1</strong> taking part" in manage
        assert SECRET_GOAL not in client.get(LIST).content.decode()
    assert (
        SECRET_GOAL
        not in personas.client_for(personas.sid).get(url("detail", program)).content.decode()
    )


def test_participants_and_sponsors_cant_manage_programs(personas, program):
    for user in (personas.pia, personas.sid):
        client = personas.client_for(user)
        assert client.get(url("manage", program)).status_code == 403
        assert client.get(reverse("programs:create")).status_code == 403


def test_a_manager_creates_a_program_from_the_form(personas):
    client = personas.client_for(personas.pam)
    page = client.get(reverse("programs:create")).content.decode()
    assert "<legend>Ground rules</legend>" in page
    assert "stays in our sessions" in page  # the warm default, ready to edit
    response = client.post(
        reverse("programs:create"),
        {
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
            "enrollment_modes": ["open", "assigned"],
            "auto_enroll_joined_within_days": "90",
            "repeat_window_days": "180",
            "minimum_shared_hours": "2",
            "matching_mode": "manager",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    program = Program.objects.in_organization(personas.acme).get()
    assert (program.name, program.status, program.cadence_rule) == (
        "Onboarding buddies",
        "open",
        "FREQ=WEEKLY;INTERVAL=1",
    )
    assert (
        program.allows_open_enrollment,
        program.allows_nomination,
        program.allows_assignment,
    ) == (
        True,
        False,
        True,
    )
    assert program.created_by == membership_of(personas.pam)


def test_the_program_form_shows_each_mistake_next_to_its_field(personas):
    response = personas.client_for(personas.pam).post(
        reverse("programs:create"),
        {
            "name": "",
            "starts_on": days_from_today(10).isoformat(),
            "ends_on": days_from_today(5).isoformat(),
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "ends_on" in form.errors
    assert "must end after it starts" in form.errors["ends_on"][0]
    assert "sponsor" in form.errors
    assert "enrollment_modes" in form.errors


def test_a_manager_edits_a_program(personas, program):
    client = personas.client_for(personas.ada)
    form = client.get(url("edit", program)).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        name="Renamed pilot",
        sponsor=membership_of(personas.sid).pk,
        starts_on=program.starts_on.isoformat(),
        ends_on=program.ends_on.isoformat(),
        facilitators=[],
    )
    response = client.post(url("edit", program), data)
    assert response.status_code == 302, response.context["form"].errors
    program.refresh_from_db()
    assert program.name == "Renamed pilot"


def test_a_manager_assigns_a_department(personas, program):
    response = personas.client_for(personas.pam).post(
        url("assign", program), {"department": "Operations"}
    )
    assert response.status_code == 302
    assert Enrollment.objects.in_organization(personas.acme).filter(status=S.INVITED).count() == 3
    assert len(mail.outbox) == 3


def test_assigning_nobody_shows_a_clear_error(personas, program):
    response = personas.client_for(personas.pam).post(url("assign", program), {})
    assert response.status_code == 400
    assert "Choose who to add" in response.content.decode()


def test_an_assigned_participant_sees_their_place_and_can_opt_out(personas, program):
    personas.client_for(personas.pam).post(url("assign", program), {"department": "Operations"})
    client = personas.client_for(personas.pia)
    assert "A place is kept for you" in client.get(LIST).content.decode()
    assert "Complete my profile and join" in client.get(url("detail", program)).content.decode()
    client.post(url("leave", program))
    assert enrollment_of(personas, program).status == S.LEFT


def test_a_nominee_sees_who_nominated_them_and_why_and_declines_privately(personas, program):
    nominator = personas.client_for(personas.pia)
    colleague_user = _colleague_login(personas)
    response = nominator.post(
        url("nominate", program), {"nominee": personas.colleague.pk, "reason": "Great listener."}
    )
    assert response.status_code == 302
    nominee = personas.client_for(colleague_user)
    page = nominee.get(LIST).content.decode()
    assert "Pia Participant" in page
    assert "Great listener." in page
    nominee.post(url("nomination_decline", program))
    detail = nominator.get(url("detail", program)).content.decode()
    assert "Cole League: nomination sent" in detail
    assert "declined" not in detail.lower()
    assert (
        "Great listener."
        not in personas.client_for(personas.pam).get(url("manage", program)).content.decode()
    )


def test_a_nominee_accepts_through_the_join_form(personas, program):
    enrollment_nominate(
        program=program, nominee=personas.pia_person, nominated_by=personas.colleague, reason="Yes!"
    )
    client = personas.client_for(personas.pia)
    assert "Yes, I'd like to join" in client.get(url("detail", program)).content.decode()
    client.post(url("join", program), join_form())
    enrollment = enrollment_of(personas, program)
    assert (enrollment.status, enrollment.source) == (S.ACTIVE, "nomination")


def test_nobody_is_offered_themselves_to_nominate(personas, program):
    client = personas.client_for(personas.pia)
    page = client.get(url("nominate", program)).content.decode()
    assert f'<option value="{personas.pia_person.pk}"' not in page
    response = client.post(
        url("nominate", program), {"nominee": personas.pia_person.pk, "reason": "Me!"}
    )
    assert response.status_code == 400


def test_nobody_from_another_organization_appears_among_nominees(personas, program):
    page = personas.client_for(personas.pia).get(url("nominate", program)).content.decode()
    assert "Cole League" in page
    assert "Gloria Globex" not in page


def test_a_participant_pauses_resumes_and_leaves(personas, program):
    client = personas.client_for(personas.pia)
    client.post(url("join", program), join_form())
    client.post(url("pause", program), {"until": days_from_today(10).isoformat()})
    assert enrollment_of(personas, program).status == S.PAUSED
    assert "You've paused until" in client.get(url("detail", program)).content.decode()
    client.post(url("resume", program))
    assert enrollment_of(personas, program).status == S.ACTIVE
    client.post(url("leave", program))
    assert enrollment_of(personas, program).status == S.LEFT
    assert "Rejoin" in client.get(url("detail", program)).content.decode()


def test_a_pause_in_the_past_is_refused_on_the_page(personas, program):
    client = personas.client_for(personas.pia)
    client.post(url("join", program), join_form())
    response = client.post(url("pause", program), {"until": days_from_today(-1).isoformat()})
    assert response.status_code == 400
    assert "Choose a date after today" in response.content.decode()
    assert enrollment_of(personas, program).status == S.ACTIVE


def test_another_organizations_program_is_not_found(personas, program):
    client = personas.client_for(personas.otto)
    for name in ("detail", "manage", "join"):
        assert client.get(url(name, program)).status_code == 404


def _colleague_login(personas):
    from peercoach.testing.factories import MembershipFactory, UserFactory

    user = UserFactory(email="cole@acme.test")
    MembershipFactory(organization=personas.acme, user=user, person=personas.colleague)
    return user


def test_leaving_when_not_enrolled_says_so_kindly(personas, program):
    response = personas.client_for(personas.pia).post(url("leave", program), follow=True)
    assert "You aren&#x27;t taking part" in response.content.decode()


def test_a_manager_who_also_takes_part_sees_both_sections(personas):
    person = PersonFactory(organization=personas.acme)
    membership = membership_of(personas.pam)
    membership.person = person
    membership.save()
    page = personas.client_for(personas.pam).get(LIST).content.decode()
    assert "My programs" in page
    assert "All programs" in page


def test_the_people_holding_a_place_are_listed_a_page_at_a_time(personas, program):
    EnrollmentFactory.create_batch(101, program=program)
    client = personas.client_for(personas.pam)
    first = client.get(url("manage", program)).content.decode()
    assert "Page 1 of 2" in first
    assert "<strong>101</strong> taking part" in first
    assert client.get(url("manage", program), {"page": 2}).context["enrolled"].object_list
