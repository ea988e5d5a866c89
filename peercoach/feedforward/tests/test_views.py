from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from peercoach.feedforward.models import FeedForwardInvitation, FeedForwardSuggestion
from peercoach.feedforward.services import (
    COLLEAGUE_NOT_FOUND,
    feedforward_answer,
    feedforward_round_start,
)
from peercoach.feedforward.tests.conftest import colleague, user_of


@pytest.fixture
def ann(personas):
    return colleague(personas.acme, "Ann Able", manager=personas.ceo)


@pytest.fixture
def ben(personas):
    return colleague(personas.acme, "Ben Bright", manager=personas.ceo)


@pytest.fixture
def round(personas, ann, ben):
    return feedforward_round_start(
        person=personas.pia_person, topic="Shorter updates", chosen=[ann, ben]
    )


def invitation_of(round, person) -> FeedForwardInvitation:
    return round.invitations.get(invitee=person)


def test_starting_a_round_with_nothing_named_keeps_the_form_and_explains(personas) -> None:
    client = personas.client_for(personas.pia)
    response = client.post(reverse("feedforward:start"), {"topic": "  ", "random_count": "0"})
    assert response.status_code == 400
    assert "This field is required" in response.text or "Name the one thing" in response.text


def test_too_few_to_draw_keeps_what_was_typed(personas) -> None:
    client = personas.client_for(personas.pia)
    response = client.post(
        reverse("feedforward:start"), {"topic": "Saying no kindly", "random_count": "5"}
    )
    assert response.status_code == 400
    assert "We can only draw 0 more colleagues at random" in response.text
    assert 'value="Saying no kindly"' in response.text


def test_search_as_you_type_returns_a_few_names_as_a_partial(personas, round, ann) -> None:
    client = personas.client_for(personas.pia)
    url = reverse("feedforward:round", args=[round.pk])
    response = client.get(url, {"q": "an"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Ann Able" in response.text
    assert "<h1>" not in response.text  # only the results part
    # Globex's people never show up, even with a matching name.
    assert "Gloria" not in client.get(url, {"q": "Glor"}).text


def test_inviting_another_organizations_person_reads_like_an_unknown_one(personas, round) -> None:
    client = personas.client_for(personas.pia)
    url = reverse("feedforward:round_invite", args=[round.pk])
    answers = []
    for person_id in (personas.globex_person.pk, 987654321):
        response = client.post(url, {"person": person_id}, follow=True)
        answers.append((response.status_code, escape(COLLEAGUE_NOT_FOUND) in response.text))
    assert answers == [(200, True), (200, True)]


def test_the_api_refuses_another_organizations_person_like_an_unknown_one(personas, round) -> None:
    client = personas.client_for(personas.pia)
    url = f"/api/v1/feedforward/rounds/{round.pk}/invitations"
    answers = [
        client.post(url, {"person_ids": [person_id]}, content_type="application/json")
        for person_id in (personas.globex_person.pk, 987654321)
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json() == answers[1].json() == {"detail": COLLEAGUE_NOT_FOUND}


def test_a_looking_back_idea_is_flagged_then_sent_once_rephrased(personas, round, ann) -> None:
    client = personas.client_for(user_of(ann))
    url = reverse("feedforward:invitation", args=[invitation_of(round, ann).pk])
    flagged = client.post(url, {"suggestion_1": "Last time you went on too long."})
    assert flagged.status_code == 200
    assert "looks back rather than forward" in flagged.text
    assert "Send as it is" in flagged.text
    assert "Last time you went on too long." in flagged.text  # nothing typed is lost
    assert not FeedForwardSuggestion.objects.in_organization(personas.acme).exists()
    sent = client.post(url, {"suggestion_1": "Next time, try three bullet points."}, follow=True)
    assert "Sent. Thank you" in sent.text
    assert invitation_of(round, ann).status == "answered"


def test_send_as_it_is_keeps_the_wording(personas, round, ann) -> None:
    client = personas.client_for(user_of(ann))
    url = reverse("feedforward:invitation", args=[invitation_of(round, ann).pk])
    client.post(url, {"suggestion_1": "You always overrun.", "send_anyway": "1"})
    assert [s.text for s in invitation_of(round, ann).suggestions.all()] == ["You always overrun."]


def test_invitees_see_only_their_own_ideas(personas, round, ann, ben) -> None:
    feedforward_answer(invitation=invitation_of(round, ann), by=ann, suggestions=["Ann's idea"])
    feedforward_answer(invitation=invitation_of(round, ben), by=ben, suggestions=["Ben's idea"])
    client = personas.client_for(user_of(ann))
    page = client.get(reverse("feedforward:invitation", args=[invitation_of(round, ann).pk]))
    assert "Ann&#x27;s idea" in page.text
    assert "Ben&#x27;s idea" not in page.text
    # Ben's invitation, and Pia's round, are not Ann's to open.
    assert (
        client.get(
            reverse("feedforward:invitation", args=[invitation_of(round, ben).pk])
        ).status_code
        == 404
    )
    assert client.get(reverse("feedforward:round", args=[round.pk])).status_code == 404
    listing = client.get("/api/v1/feedforward/invitations").json()
    assert [item["my_suggestions"] for item in listing] == [["Ann's idea"]]


def test_the_receiver_reads_ideas_with_their_authors(personas, round, ann) -> None:
    feedforward_answer(invitation=invitation_of(round, ann), by=ann, suggestions=["Try bullets."])
    page = personas.client_for(personas.pia).get(reverse("feedforward:round", args=[round.pk]))
    assert "From Ann Able" in page.text
    assert "Try bullets." in page.text


@pytest.mark.parametrize("who", ["pam", "sid", "ada", "otto"])
def test_no_manager_sponsor_admin_or_outsider_opens_a_round(personas, round, who) -> None:
    client = personas.client_for(getattr(personas, who))
    status = client.get(reverse("feedforward:round", args=[round.pk])).status_code
    assert status in (403, 404)


def test_marking_and_thanking_work_without_javascript(personas, round, ann) -> None:
    invitation = invitation_of(round, ann)
    feedforward_answer(invitation=invitation, by=ann, suggestions=["Try bullets."])
    [suggestion] = invitation.suggestions.all()
    client = personas.client_for(personas.pia)
    client.post(
        reverse("feedforward:round_will_try", args=[round.pk]),
        {"suggestion": suggestion.pk, "will_try": "1"},
    )
    suggestion.refresh_from_db()
    assert suggestion.will_try
    response = client.post(
        reverse("feedforward:round_thank", args=[round.pk]),
        {"invitation": invitation.pk, "message": "ignored: there is no reply by design"},
        follow=True,
    )
    assert "We&#x27;ve told Ann Able you said thank you." in response.text
    invitation.refresh_from_db()
    assert invitation.thanked_at is not None


def test_marking_with_htmx_swaps_only_that_idea(personas, round, ann) -> None:
    invitation = invitation_of(round, ann)
    feedforward_answer(invitation=invitation, by=ann, suggestions=["Try bullets."])
    [suggestion] = invitation.suggestions.all()
    response = personas.client_for(personas.pia).post(
        reverse("feedforward:round_will_try", args=[round.pk]),
        {"suggestion": suggestion.pk, "will_try": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.text.strip().startswith(f'<li id="suggestion-{suggestion.pk}"')
    assert "I'll try this" in response.text


def test_the_receiver_has_no_way_to_write_back() -> None:
    """By design: after a round starts, nothing the receiver sends carries text."""
    from peercoach.core.api import api

    schema = api.get_openapi_schema()
    receiver_writes = [
        ("/api/v1/feedforward/rounds/{feedforward_round_id}/thanks", "post"),
        ("/api/v1/feedforward/rounds/{feedforward_round_id}/invitations", "post"),
        ("/api/v1/feedforward/suggestions/{feedforward_suggestion_id}/will-try", "post"),
    ]
    components = schema["components"]["schemas"]
    for path, method in receiver_writes:
        body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]
        name = body["schema"]["$ref"].rsplit("/", 1)[-1]
        for field_name, field in components[name]["properties"].items():
            kinds = {option.get("type") for option in field.get("anyOf", [field])}
            assert "string" not in kinds, f"{name}.{field_name} would accept text"


def test_the_api_holds_a_looking_back_idea_once_then_sends_it_as_asked(
    personas, round, ann
) -> None:
    client = personas.client_for(user_of(ann))
    url = f"/api/v1/feedforward/invitations/{invitation_of(round, ann).pk}/answer"
    idea = {"suggestions": ["You never pause."]}
    held = client.post(url, idea, content_type="application/json")
    assert held.status_code == 422
    assert "“You never”" in held.json()["detail"]
    sent = client.post(url, {**idea, "send_anyway": True}, content_type="application/json")
    assert sent.status_code == 200
    assert sent.json()["my_suggestions"] == ["You never pause."]


def test_the_api_round_shows_ideas_by_author_and_marks_them(personas, round, ann) -> None:
    feedforward_answer(invitation=invitation_of(round, ann), by=ann, suggestions=["Try bullets."])
    client = personas.client_for(personas.pia)
    detail = client.get(f"/api/v1/feedforward/rounds/{round.pk}").json()
    [from_ann] = detail["answered"]
    assert from_ann["author"] == "Ann Able"
    assert detail["waiting_count"] == 1
    suggestion_id = from_ann["suggestions"][0]["id"]
    marked = client.post(
        f"/api/v1/feedforward/suggestions/{suggestion_id}/will-try",
        {"will_try": True},
        content_type="application/json",
    )
    assert marked.json()["will_try"] is True
    thanked = client.post(
        f"/api/v1/feedforward/rounds/{round.pk}/thanks",
        {"invitation_id": from_ann["invitation_id"]},
        content_type="application/json",
    )
    assert thanked.json()["answered"][0]["thanked"] is True


def test_the_api_starts_a_round_with_chosen_colleagues(personas, ann) -> None:
    client = personas.client_for(personas.pia)
    response = client.post(
        "/api/v1/feedforward/rounds",
        {"topic": "Running calmer meetings", "person_ids": [ann.pk]},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["invited"] == ["Ann Able"]


def test_open_invitations_wait_on_the_feedforward_page(personas, round, ann) -> None:
    page = personas.client_for(user_of(ann)).get(reverse("feedforward:home"))
    assert "Colleagues asking for your ideas" in page.text
    assert reverse("feedforward:invitation", args=[invitation_of(round, ann).pk]) in page.text


def test_the_nudge_shows_as_you_type_in_the_field_being_typed_in(personas) -> None:
    client = personas.client_for(personas.pia)
    typed = {"suggestion_1": "Next time, try a pause.", "suggestion_2": "You always rush."}
    for field, looks_back in (("suggestion_2", True), ("suggestion_1", False)):
        response = client.post(
            reverse("feedforward:check"),
            typed,
            headers={"HX-Request": "true", "HX-Trigger-Name": field},
        )
        assert response.status_code == 200
        assert ("looks back at what already happened (“You always”)" in response.text) is looks_back
        assert "<h1>" not in response.text
