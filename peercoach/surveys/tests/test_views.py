from __future__ import annotations

import pytest
from django.urls import reverse

from peercoach.surveys.services import program_feedback_save
from peercoach.surveys.tests.conftest import participants
from peercoach.testing.factories import MembershipFactory, UserFactory


def test_a_participant_answers_and_comes_back_to_change_it(program, personas) -> None:
    client = personas.client_for(personas.pia)
    url = reverse("surveys:answer", args=[program.pk])
    response = client.post(url, {"rating": "4", "keep": "The pairs", "change": ""}, follow=True)
    assert "You can change your answer until the program ends" in response.text
    page = client.get(url)
    assert "Save changes" in page.text
    assert "The pairs" in page.text


def test_a_missing_rating_keeps_the_text_and_says_what_to_fix(program, personas) -> None:
    client = personas.client_for(personas.pia)
    url = reverse("surveys:answer", args=[program.pk])
    response = client.post(url, {"keep": "The pairs", "change": "Longer sessions"})
    assert response.status_code == 400
    assert "This field is required" in response.text
    assert "Longer sessions" in response.text


@pytest.mark.parametrize("who", ["pam", "ada", "sid"])
def test_managers_admins_and_the_sponsor_see_group_figures_only(program, personas, who) -> None:
    people = participants(program, 10)
    for index, person in enumerate(people):
        program_feedback_save(program=program, person=person, rating=3, keep=f"keep {index}")
    page = personas.client_for(getattr(personas, who)).get(
        reverse("surveys:results", args=[program.pk])
    )
    assert page.status_code == 200
    assert "3.0" in page.text
    assert "keep 7" in page.text
    for person in people:
        assert person.full_name not in page.text


def test_below_the_minimum_the_page_says_so(program, personas) -> None:
    program_feedback_save(program=program, person=personas.pia_person, rating=5, keep="x")
    page = personas.client_for(personas.pam).get(reverse("surveys:results", args=[program.pk]))
    assert "Not enough answers yet to show without identifying anyone" in page.text
    assert "5.0" not in page.text


def test_another_programs_sponsor_and_participants_may_not_see_results(program, personas) -> None:
    other_sponsor = UserFactory(email="sam@acme.test")
    MembershipFactory(organization=personas.acme, user=other_sponsor, is_sponsor=True)
    url = reverse("surveys:results", args=[program.pk])
    assert personas.client_for(other_sponsor).get(url).status_code == 403
    assert personas.client_for(personas.pia).get(url).status_code == 403
    assert personas.client_for(personas.otto).get(url).status_code == 404


def test_the_api_summary_keeps_the_same_thresholds(program, personas) -> None:
    program_feedback_save(program=program, person=personas.pia_person, rating=5)
    client = personas.client_for(personas.sid)
    summary = client.get(f"/api/v1/programs/{program.pk}/feedback/summary").json()
    assert summary["shows_figures"] is False
    assert summary["answered"] is None


def test_the_api_takes_and_returns_only_my_own_answer(program, personas) -> None:
    client = personas.client_for(personas.pia)
    url = f"/api/v1/programs/{program.pk}/feedback/mine"
    saved = client.put(url, {"rating": 2, "change": "Shorter"}, content_type="application/json")
    assert saved.status_code == 200
    mine = client.get(url).json()
    assert mine["answer"]["rating"] == 2
    assert mine["may_answer"] is True
    refused = client.put(url, {"rating": 9}, content_type="application/json")
    assert refused.status_code == 409
    assert refused.json() == {"detail": "Choose a rating from 1 to 5."}


def test_the_program_page_links_participants_and_the_sponsor_to_feedback(program, personas) -> None:
    url = reverse("programs:detail", args=[program.pk])
    answer_link = reverse("surveys:answer", args=[program.pk])
    results_link = reverse("surveys:results", args=[program.pk])
    as_pia = personas.client_for(personas.pia).get(url).text
    as_sid = personas.client_for(personas.sid).get(url).text
    assert answer_link in as_pia
    assert results_link not in as_pia
    assert results_link in as_sid
