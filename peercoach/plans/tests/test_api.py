from __future__ import annotations

import json
from typing import Any

from peercoach.plans.models import ActionPlan, Note
from peercoach.plans.services import ActionDraft, action_plan_create, note_create


def _post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_a_participant_writes_and_reads_a_plan_through_the_api(
    personas: Any, coaching: Any
) -> None:
    client = personas.client_for(personas.pia)
    created = _post(
        client,
        "/api/v1/me/action-plans",
        {
            "pairing_id": coaching.pairing.pk,
            "goal": "Give clearer feedback",
            "actions": [{"text": "Use one example", "due_on": "2030-02-01"}],
        },
    )
    assert created.status_code == 201, created.content
    plan = created.json()
    action_id = plan["actions"][0]["id"]
    assert (
        _post(client, f"/api/v1/actions/{action_id}/status", {"status": "done"}).json()["status"]
        == "done"
    )
    assert (
        _post(client, f"/api/v1/actions/{action_id}/check-ins", {"text": "went well"}).status_code
        == 201
    )
    [listed] = client.get("/api/v1/me/action-plans").json()
    assert listed["goal"] == "Give clearer feedback"
    assert listed["actions"][0]["check_ins"][0]["text"] == "went well"


def test_an_empty_goal_is_a_400_with_the_reason(personas: Any, coaching: Any) -> None:
    client = personas.client_for(personas.pia)
    response = _post(client, "/api/v1/me/action-plans", {"pairing_id": coaching.pairing.pk})
    assert response.status_code == 400
    assert "goal" in response.json()["detail"]
    assert not ActionPlan.all_organizations.exists()


def test_managers_get_403_even_for_lists(personas: Any, coaching: Any) -> None:
    action_plan_create(owner=coaching.pia, session=coaching.session, goal="g", actions=[])
    for user in (personas.pam, personas.sid, personas.ada):
        assert personas.client_for(user).get("/api/v1/me/action-plans").status_code == 403
        assert personas.client_for(user).get("/api/v1/me/notes").status_code == 403


def test_notes_through_the_api(personas: Any, coaching: Any) -> None:
    client = personas.client_for(personas.pia)
    created = _post(client, "/api/v1/me/notes", {"pairing_id": coaching.pairing.pk, "body": "hm"})
    assert created.status_code == 201
    note_id = created.json()["id"]
    assert client.get(f"/api/v1/notes/{note_id}").json()["body"] == "hm"
    assert client.delete(f"/api/v1/notes/{note_id}").status_code == 204
    assert not Note.all_organizations.exists()


def test_a_private_note_is_404_to_the_partner(personas: Any, coaching: Any) -> None:
    from peercoach.testing.factories import MembershipFactory, UserFactory

    note = note_create(owner=coaching.pia, pairing=coaching.pairing, body="mine")
    plan = action_plan_create(
        owner=coaching.pia, session=coaching.session, goal="g", actions=[ActionDraft("a")]
    )
    cole = UserFactory(email="cole@acme.test")
    MembershipFactory(organization=personas.acme, user=cole, person=personas.colleague)
    client = personas.client_for(cole)
    assert client.get(f"/api/v1/notes/{note.pk}").status_code == 404
    assert client.get(f"/api/v1/action-plans/{plan.pk}").status_code == 404
    assert client.delete(f"/api/v1/notes/{note.pk}").status_code == 404
