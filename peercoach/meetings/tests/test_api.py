from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from peercoach.meetings.models import Meeting, MeetingStatus
from peercoach.meetings.tests.conftest import a_slot
from peercoach.testing.coaching import confirmed_session
from peercoach.testing.factories import MembershipFactory, UserFactory


def _post(client, url, payload=None):
    return client.post(url, data=json.dumps(payload or {}), content_type="application/json")


def test_propose_and_confirm_through_the_api(personas, pairing) -> None:
    pia = personas.client_for(personas.pia)
    listing = pia.get(f"/api/v1/pairings/{pairing.pk}/meetings").json()
    assert listing["meetings"] == []
    slot = listing["offered_slots"][0]
    assert {t["timezone"] for t in slot["local_times"]} == {"Europe/Berlin"}

    response = _post(
        pia, f"/api/v1/pairings/{pairing.pk}/meetings", {"starts_at": slot["starts_at"]}
    )
    assert response.status_code == 201, response.content
    proposed = response.json()
    assert proposed["status"] == "proposed"
    assert proposed["waiting_for"] == ["Cole League"]

    user = UserFactory(email="cole@acme.test")
    MembershipFactory(organization=personas.acme, user=user, person=personas.colleague)
    cole = personas.client_for(user)
    confirmed = _post(cole, f"/api/v1/meetings/{proposed['id']}/confirm").json()
    assert confirmed["status"] == "confirmed"
    assert confirmed["calendar_sequence"] == 0
    [session] = pia.get("/api/v1/me/sessions").json()
    assert session["meeting_id"] == proposed["id"]

    cancelled = _post(cole, f"/api/v1/meetings/{proposed['id']}/cancel").json()
    assert (cancelled["status"], cancelled["calendar_sequence"]) == ("cancelled", 1)
    assert pia.get("/api/v1/me/sessions").json() == []


def test_a_time_outside_working_hours_is_refused_with_the_reason(personas, pairing) -> None:
    saturday = timezone.localdate() + timedelta(days=(5 - timezone.localdate().weekday()) % 7 or 7)
    response = _post(
        personas.client_for(personas.pia),
        f"/api/v1/pairings/{pairing.pk}/meetings",
        {"starts_at": f"{saturday}T10:00:00Z"},
    )
    assert response.status_code == 409
    assert "outside the working hours" in response.json()["detail"]
    assert not Meeting.objects.in_organization(personas.acme).exists()


def test_a_proposal_needs_a_time_with_a_zone(personas, pairing) -> None:
    client = personas.client_for(personas.pia)
    url = f"/api/v1/pairings/{pairing.pk}/meetings"
    assert _post(client, url).json()["detail"].startswith("Say when")
    naive = a_slot(pairing).replace(tzinfo=None).isoformat()
    response = _post(client, url, {"starts_at": naive})
    assert response.status_code == 400
    assert "time zone" in response.json()["detail"]


def test_attendance_through_the_api(personas, pairing) -> None:
    session = confirmed_session(pairing, starts_at=timezone.now() - timedelta(hours=1))
    client = personas.client_for(personas.pia)
    url = f"/api/v1/sessions/{session.pk}/attendance"
    response = _post(client, url, {"outcome": "held", "rating": 3})
    assert response.status_code == 200
    assert (response.json()["outcome"], response.json()["rating"]) == ("held", 3)
    refused = _post(client, url, {"outcome": "held", "rating": 7})
    assert refused.status_code == 409
    assert refused.json()["detail"] == "A rating goes from 1 to 5."


def test_meetings_are_not_shown_to_the_program_manager(personas, pairing) -> None:
    meeting_id = Meeting.all_organizations.create(
        organization=personas.acme,
        pairing=pairing,
        proposed_by=personas.pia_person,
        starts_at=a_slot(pairing),
        status=MeetingStatus.CONFIRMED,
    ).pk
    pam = personas.client_for(personas.pam)
    assert pam.get(f"/api/v1/pairings/{pairing.pk}/meetings").status_code == 403
    assert _post(pam, f"/api/v1/meetings/{meeting_id}/cancel").status_code == 403
    assert pam.get("/api/v1/me/sessions").json() == []
