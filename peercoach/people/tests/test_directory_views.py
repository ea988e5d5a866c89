from __future__ import annotations

from django.urls import reverse

from peercoach.testing.factories import PersonFactory


def test_directory_lists_active_colleagues_of_my_organization_only(personas):
    response = personas.client_for(personas.pia).get(reverse("people:directory"))
    assert response.status_code == 200
    names = {person.full_name for person in response.context["page"]}
    assert {"Carla Chief", "Pia Participant", "Cole League"} <= names
    assert "Gloria Globex" not in names


def test_directory_search_finds_by_name_and_department(personas):
    PersonFactory(organization=personas.acme, full_name="Dora Designer", department="Design")
    client = personas.client_for(personas.pia)
    by_name = client.get(reverse("people:directory"), {"q": "dora"})
    assert [p.full_name for p in by_name.context["page"]] == ["Dora Designer"]
    by_department = client.get(reverse("people:directory"), {"department": "Design"})
    assert [p.full_name for p in by_department.context["page"]] == ["Dora Designer"]


def test_htmx_search_returns_only_the_results_fragment(personas):
    response = personas.client_for(personas.pia).get(
        reverse("people:directory"), {"q": "cole"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert 'id="results"' in body
    assert "<html" not in body
    assert "Cole League" in body


def test_leavers_are_hidden_unless_a_people_admin_asks(personas):
    PersonFactory(organization=personas.acme, full_name="Lea Leaver", is_active=False)
    url = reverse("people:directory")
    participant_view = personas.client_for(personas.pia).get(url, {"inactive": "1"})
    assert "Lea Leaver" not in participant_view.content.decode()
    manager_view = personas.client_for(personas.pam).get(url, {"inactive": "1"})
    assert "Lea Leaver" in manager_view.content.decode()


def test_person_page_shows_reporting_line(personas):
    response = personas.client_for(personas.pia).get(
        reverse("people:person", args=[personas.pia_person.pk])
    )
    assert response.status_code == 200
    assert list(response.context["managers"]) == [personas.ceo]


def test_a_person_of_another_organization_answers_404(personas):
    response = personas.client_for(personas.pia).get(
        reverse("people:person", args=[personas.globex_person.pk])
    )
    assert response.status_code == 404


def test_pages_carry_a_nonce_based_content_security_policy(personas):
    response = personas.client_for(personas.pia).get(reverse("people:directory"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    body = response.content.decode()
    assert "<script" in body  # htmx is loaded...
    for tag in body.split("<script")[1:]:
        assert "nonce=" in tag.split(">")[0] or "src=" in tag.split(">")[0]
