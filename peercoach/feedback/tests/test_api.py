"""The JSON API: the same gate as the pages, the same answers, from the caller's point of view."""

from __future__ import annotations

import pytest

from peercoach.feedback import services
from peercoach.feedback.models import Feedback
from peercoach.feedback.permissions import NO_SUCH_COLLEAGUE
from peercoach.feedback.tests.conftest import login_of


@pytest.fixture
def pia(personas):
    return personas.client_for(personas.pia)


def post(client, url: str, data: dict) -> object:
    return client.post(url, data=data, content_type="application/json")


def test_a_colleague_elsewhere_answers_exactly_like_a_colleague_nowhere(personas, pia) -> None:
    for url, field in (
        ("/api/v1/me/feedback-permissions", "grantee_person_id"),
        ("/api/v1/feedback", "recipient_person_id"),
        ("/api/v1/advice-offers", "recipient_person_id"),
    ):
        answers = []
        for person_id in (personas.globex_person.pk, 10**9):
            response = post(pia, url, {field: person_id, "topic": "x", "text": "x", "advice": "x"})
            answers.append((response.status_code, response.json()))
        assert answers[0] == answers[1] == (400, {"detail": NO_SUCH_COLLEAGUE}), url


def test_feedback_through_the_api_needs_a_current_grant(personas, pia, rosa) -> None:
    rosa_client = personas.client_for(login_of(rosa))
    payload = {"recipient_person_id": personas.pia_person.pk, "text": "Nice demo"}
    refused = post(rosa_client, "/api/v1/feedback", payload)
    assert refused.status_code == 400
    assert "hasn't invited feedback from you" in refused.json()["detail"]
    granted = post(pia, "/api/v1/me/feedback-permissions", {"grantee_person_id": rosa.pk})
    assert granted.status_code == 201
    sent = post(rosa_client, "/api/v1/feedback", payload)
    assert sent.status_code == 201
    received = pia.get("/api/v1/me/feedback").json()["received"]
    assert [item["text"] for item in received] == ["Nice demo"]
    post(pia, f"/api/v1/feedback-permissions/{granted.json()['id']}/revoke", {})
    assert post(rosa_client, "/api/v1/feedback", payload).status_code == 400
    assert Feedback.objects.in_organization(personas.acme).count() == 1


def test_feedback_is_404_to_everyone_but_its_two_people(personas, rosa) -> None:
    services.feedback_grant_give(grantor=personas.pia_person, grantee=personas.colleague)
    feedback = services.feedback_send(
        author=personas.colleague, recipient=personas.pia_person, text="Private"
    )
    url = f"/api/v1/feedback/{feedback.pk}"
    assert personas.client_for(personas.pia).get(url).json()["text"] == "Private"
    assert personas.client_for(login_of(rosa)).get(url).status_code == 404
    assert personas.client_for(personas.otto).get(url).status_code == 404
    assert personas.client_for(personas.ada).get(url).status_code == 403


def test_advice_reads_null_until_accepted_and_a_decline_reads_not_taken_up(
    personas, pia, rosa
) -> None:
    rosa_client = personas.client_for(login_of(rosa))
    first = post(
        rosa_client,
        "/api/v1/advice-offers",
        {"recipient_person_id": personas.pia_person.pk, "topic": "Slides", "advice": "Fewer"},
    ).json()
    assert pia.get("/api/v1/me/advice-offers").json()["received"][0]["advice"] is None
    declined = post(pia, f"/api/v1/advice-offers/{first['id']}/decline", {}).json()
    assert declined["advice"] is None
    assert rosa_client.get("/api/v1/me/advice-offers").json()["sent"][0]["status"] == (
        "not_taken_up"
    )
    second = post(
        rosa_client,
        "/api/v1/advice-offers",
        {"recipient_person_id": personas.pia_person.pk, "topic": "Demos", "advice": "Rehearse"},
    ).json()
    accepted = post(pia, f"/api/v1/advice-offers/{second['id']}/accept", {}).json()
    assert accepted["advice"] == "Rehearse"


def test_help_through_the_api_shows_an_answerer_only_their_own_answer(personas, pia, rosa) -> None:
    cole = personas.client_for(_colleague_login(personas))
    created = post(
        pia,
        "/api/v1/help-requests",
        {
            "topic": "Estimating",
            "audience": "peers",
            "peer_person_ids": [rosa.pk, personas.colleague.pk],
        },
    )
    assert created.status_code == 201
    request_id = created.json()["id"]
    rosa_client = personas.client_for(login_of(rosa))
    assert [r["id"] for r in rosa_client.get("/api/v1/help-requests").json()["i_can_answer"]] == [
        request_id
    ]
    post(rosa_client, f"/api/v1/help-requests/{request_id}/replies", {"text": "Rosa's"})
    post(cole, f"/api/v1/help-requests/{request_id}/replies", {"text": "Cole's"})
    seen = rosa_client.get(f"/api/v1/help-requests/{request_id}").json()["replies"]
    assert [r["text"] for r in seen] == ["Rosa's"]
    everything = pia.get(f"/api/v1/help-requests/{request_id}").json()["replies"]
    assert sorted(r["text"] for r in everything) == ["Cole's", "Rosa's"]
    reply_id = everything[0]["id"]
    assert post(pia, f"/api/v1/help-replies/{reply_id}/used", {"used": True}).status_code == 200
    assert post(pia, f"/api/v1/help-replies/{reply_id}/thank", {}).status_code == 200
    assert post(rosa_client, f"/api/v1/help-replies/{reply_id}/thank", {}).status_code == 404


def test_asking_a_peer_in_another_organization_is_refused_like_a_missing_one(personas, pia) -> None:
    answers = [
        post(
            pia,
            "/api/v1/help-requests",
            {"topic": "x", "audience": "peers", "peer_person_ids": [person_id]},
        )
        for person_id in (personas.globex_person.pk, 10**9)
    ]
    assert [(a.status_code, a.json()) for a in answers] == [
        (400, {"detail": NO_SUCH_COLLEAGUE})
    ] * 2


def _colleague_login(personas):
    from peercoach.testing.factories import MembershipFactory, UserFactory

    user = UserFactory(email="cole@acme.test")
    MembershipFactory(organization=personas.acme, user=user, person=personas.colleague)
    return user
