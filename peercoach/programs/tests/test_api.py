from __future__ import annotations

import pytest

from peercoach.programs.models import Enrollment
from peercoach.programs.models import EnrollmentStatus as S
from peercoach.testing.factories import EnrollmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db

SECRET_GOAL = "speaking up in big meetings"


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def test_participants_list_programs_past_their_draft(personas, program):
    ProgramFactory(organization=personas.acme, name="Draft", status="draft")
    ProgramFactory(organization=personas.globex, name="Globex program")
    names = [p["name"] for p in personas.client_for(personas.pia).get("/api/v1/programs").json()]
    assert names == ["Peer coaching pilot"]


def test_managers_list_drafts_too(personas, program):
    ProgramFactory(organization=personas.acme, name="Draft", status="draft")
    names = {p["name"] for p in personas.client_for(personas.pam).get("/api/v1/programs").json()}
    assert names == {"Peer coaching pilot", "Draft"}


def test_a_program_is_described_with_its_calendar_rule(personas, program):
    body = personas.client_for(personas.pia).get(f"/api/v1/programs/{program.pk}").json()
    assert body["cadence_rule"] == "FREQ=WEEKLY;INTERVAL=2"
    assert body["enrollment_modes"] == ["open", "nomination", "assigned"]
    assert "stays in our sessions" in body["ground_rules"]


def test_another_organizations_program_is_indistinguishable_from_a_missing_one(personas, program):
    client = personas.client_for(personas.otto)
    foreign = client.get(f"/api/v1/programs/{program.pk}")
    missing = client.get("/api/v1/programs/999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert post(client, f"/api/v1/programs/{program.pk}/join", {}).status_code == 404


def test_a_participant_joins_with_their_profile_and_sees_their_enrollment(personas, program):
    client = personas.client_for(personas.pia)
    response = post(
        client,
        f"/api/v1/programs/{program.pk}/join",
        {"goals": [SECRET_GOAL], "agree_to_ground_rules": True},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "active"
    assert response.json()["timezone"] == "Europe/Berlin"  # from the directory
    mine = client.get("/api/v1/me/enrollments").json()
    assert [(e["program_name"], e["goals"]) for e in mine] == [
        ("Peer coaching pilot", [SECRET_GOAL])
    ]


def test_joining_without_agreeing_is_refused_with_the_reason(personas, program):
    response = post(
        personas.client_for(personas.pia), f"/api/v1/programs/{program.pk}/join", {"goals": ["x"]}
    )
    assert response.status_code == 400
    assert "ground rules" in response.json()["detail"]
    assert not Enrollment.objects.in_organization(personas.acme).exists()


def test_joining_a_full_program_is_a_conflict(personas, program):
    program.capacity = 1
    program.save()
    EnrollmentFactory(program=program)
    response = post(
        personas.client_for(personas.pia),
        f"/api/v1/programs/{program.pk}/join",
        {"goals": ["x"], "agree_to_ground_rules": True},
    )
    assert response.status_code == 409
    assert "full" in response.json()["detail"]


def test_a_participant_leaves(personas, program):
    EnrollmentFactory(program=program, person=personas.pia_person)
    response = post(personas.client_for(personas.pia), f"/api/v1/programs/{program.pk}/leave", {})
    assert response.status_code == 200
    assert response.json()["status"] == S.LEFT


def test_leaving_a_program_you_are_not_in_is_a_conflict(personas, program):
    response = post(personas.client_for(personas.pia), f"/api/v1/programs/{program.pk}/leave", {})
    assert response.status_code == 409


def test_members_without_a_directory_link_cannot_join(personas, program):
    response = post(personas.client_for(personas.sid), f"/api/v1/programs/{program.pk}/join", {})
    assert response.status_code == 403
    assert personas.client_for(personas.sid).get("/api/v1/me/enrollments").json() == []


def test_nobody_reads_anyone_elses_goals_through_the_api(personas, program):
    EnrollmentFactory(program=program, person=personas.pia_person, goals=[SECRET_GOAL])
    for user in (personas.pam, personas.ada, personas.sid):
        client = personas.client_for(user)
        for path in (
            "/api/v1/programs",
            f"/api/v1/programs/{program.pk}",
            "/api/v1/me/enrollments",
        ):
            assert SECRET_GOAL not in client.get(path).content.decode()
