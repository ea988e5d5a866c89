from __future__ import annotations

from peercoach.testing.factories import PersonFactory


def test_me_tells_organization_and_roles(personas):
    response = personas.client_for(personas.pam).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "email": "pam@acme.test",
        "organization": "Acme",
        "roles": ["program_manager"],
        "person": None,
    }


def test_people_search_is_paginated_and_scoped(personas):
    response = personas.client_for(personas.pia).get("/api/v1/people", {"q": "", "limit": 2})
    body = response.json()
    assert body["count"] == 3
    assert len(body["items"]) == 2
    assert all(item["email"].endswith("@example.com") for item in body["items"])


def test_people_under_lists_every_depth(personas):
    deep = PersonFactory(
        organization=personas.acme, full_name="Deep Report", manager=personas.pia_person
    )
    response = personas.client_for(personas.pia).get(f"/api/v1/people/{personas.ceo.pk}/under")
    names = {item["full_name"] for item in response.json()["items"]}
    assert names == {"Pia Participant", "Cole League", deep.full_name}


def test_another_organizations_person_is_indistinguishable_from_a_missing_one(personas):
    client = personas.client_for(personas.pia)
    foreign = client.get(f"/api/v1/people/{personas.globex_person.pk}")
    missing = client.get("/api/v1/people/999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_openapi_schema_describes_the_operations(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/people/{person_id}/under" in schema["paths"]
