from __future__ import annotations

import pytest

from peercoach.programs.inbox import inbox_message_send
from peercoach.programs.models import MatchingMode
from peercoach.programs.pairing_models import InboxKind, RequestStatus
from peercoach.programs.pairing_models import PairingStatus as S
from peercoach.programs.request_services import request_send
from peercoach.programs.tests.conftest import enroll, invited_pair
from peercoach.testing.factories import MembershipFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def test_my_pairings_lists_the_waiting_match_with_the_peers_names(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    mine = personas.client_for(personas.pia).get("/api/v1/me/pairings").json()
    assert [(p["id"], p["peers"], p["status"], p["my_response"]) for p in mine] == [
        (pairing.pk, ["Cole League"], "invited", "pending")
    ]


def test_accept_then_leave_through_the_api(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    pia = personas.client_for(personas.pia)
    assert post(pia, f"/api/v1/pairings/{pairing.pk}/accept").json()["my_response"] == "accepted"
    cole_user = UserFactory(email="cole@acme.test")
    MembershipFactory(organization=personas.acme, user=cole_user, person=personas.colleague)
    cole = personas.client_for(cole_user)
    assert post(cole, f"/api/v1/pairings/{pairing.pk}/accept").json()["status"] == S.ACTIVE
    assert post(pia, f"/api/v1/pairings/{pairing.pk}/pause").json()["status"] == S.PAUSED
    assert post(pia, f"/api/v1/pairings/{pairing.pk}/resume").json()["status"] == S.ACTIVE
    assert post(cole, f"/api/v1/pairings/{pairing.pk}/leave").json()["status"] == S.ENDED


def test_a_refused_change_answers_409_with_the_reason(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    response = post(personas.client_for(personas.pia), f"/api/v1/pairings/{pairing.pk}/leave")
    assert response.status_code == 409
    assert response.json() == {"detail": "This match is still waiting for everyone's answer."}


def test_someone_elses_pairing_is_indistinguishable_from_a_missing_one(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    person = PersonFactory(organization=personas.acme)
    user = UserFactory(email="olga@acme.test")
    MembershipFactory(organization=personas.acme, user=user, person=person)
    client = personas.client_for(user)
    foreign = client.get(f"/api/v1/pairings/{pairing.pk}")
    missing = client.get("/api/v1/pairings/999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert post(client, f"/api/v1/pairings/{pairing.pk}/decline").status_code == 404


def test_requests_through_the_api(personas, program):
    program.matching_mode = MatchingMode.PARTICIPANTS_CHOOSE
    program.save()
    enroll(program, personas.pia_person)
    enroll(program, personas.colleague)
    pia = personas.client_for(personas.pia)
    missing = post(pia, f"/api/v1/programs/{program.pk}/requests")
    assert missing.status_code == 400
    sent = post(
        pia,
        f"/api/v1/programs/{program.pk}/requests",
        {"recipient_person_id": personas.colleague.pk, "message": "Hi!"},
    )
    assert sent.status_code == 201, sent.json()
    assert sent.json()["recipient"] == "Cole League"
    listed = pia.get(f"/api/v1/programs/{program.pk}/requests").json()
    assert [r["status"] for r in listed["sent"]] == ["pending"]
    again = post(
        pia,
        f"/api/v1/programs/{program.pk}/requests",
        {"recipient_person_id": personas.colleague.pk},
    )
    assert again.status_code == 409
    assert "already asked" in again.json()["detail"]


def test_a_declined_request_reads_not_taken_up_to_the_requester(personas, program):
    program.matching_mode = MatchingMode.PARTICIPANTS_CHOOSE
    program.save()
    pia = enroll(program, personas.pia_person)
    request = request_send(requester=enroll(program, personas.colleague), recipient=pia)
    client = personas.client_for(personas.pia)
    answered = post(client, f"/api/v1/requests/{request.pk}/decline").json()
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED
    assert answered["status"] == "not_taken_up"
    assert answered["status_label"] == "Not taken up"


def test_the_inbox_lists_newest_first_and_marks_read(personas, program):
    invited_pair(program, personas.pia_person, personas.colleague)
    client = personas.client_for(personas.pia)
    messages = client.get("/api/v1/me/inbox").json()
    assert [m["kind"] for m in messages] == ["invitation"]
    assert messages[0]["read_at"] is None
    read = post(client, f"/api/v1/me/inbox/{messages[0]['id']}/read").json()
    assert read["read_at"] is not None
    other = inbox_message_send(
        recipient=personas.colleague, kind=InboxKind.NUDGE, subject="x", body="x"
    )
    assert post(client, f"/api/v1/me/inbox/{other.pk}/read").status_code == 404


def test_people_without_a_directory_link_have_an_empty_inbox_and_no_pairings(personas):
    client = personas.client_for(personas.pam)
    assert client.get("/api/v1/me/inbox").json() == []
    assert client.get("/api/v1/me/pairings").json() == []
