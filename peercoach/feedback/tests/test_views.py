"""The pages: what each person sees, what they may do, and what a stranger gets (404)."""

from __future__ import annotations

import pytest

from peercoach.feedback import selectors, services
from peercoach.feedback.models import Feedback, FeedbackGrant
from peercoach.feedback.permissions import NO_SUCH_COLLEAGUE
from peercoach.feedback.tests.conftest import login_of


@pytest.fixture
def pia(personas):
    return personas.client_for(personas.pia)


def test_inviting_a_colleague_found_by_name(personas, pia) -> None:
    page = pia.get("/feedback/permissions/", {"q": "cole"})
    assert b"Cole League" in page.content
    response = pia.post(
        "/feedback/permissions/", {"grantee": personas.colleague.pk, "topics": "Demos, Writing"}
    )
    assert response.status_code == 302
    grant = FeedbackGrant.objects.in_organization(personas.acme).get()
    assert (grant.grantee, grant.topics) == (personas.colleague, ["Demos", "Writing"])


def test_the_search_as_you_type_answers_with_just_the_results(personas, pia) -> None:
    response = pia.get(
        "/feedback/colleagues/", {"q": "Lea", "field": "grantee"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert b'id="colleague-results"' in response.content
    assert b"Cole League" in response.content
    assert b"<html" not in response.content


def test_the_search_never_finds_people_of_another_organization(personas, pia) -> None:
    response = pia.get("/feedback/colleagues/", {"q": "Gloria", "field": "recipient"})
    assert b"Gloria" not in response.content
    assert b"Nobody by that name" in response.content


def test_the_search_needs_two_letters_and_never_lists_everyone(personas, pia) -> None:
    response = pia.get("/feedback/colleagues/", {"q": "", "field": "recipient"})
    assert b"Cole League" not in response.content
    assert b"Search by name" in response.content


def test_inviting_someone_in_another_organization_reads_like_inviting_nobody(personas, pia) -> None:
    bodies = []
    for person_id in (personas.globex_person.pk, 987654321):
        response = pia.post("/feedback/permissions/", {"grantee": person_id})
        assert response.status_code == 200
        bodies.append(response.content.decode().count(NO_SUCH_COLLEAGUE.replace("'", "&#x27;")))
    assert bodies == [1, 1]
    assert not FeedbackGrant.all_organizations.exists()


def test_sending_without_an_invitation_shows_why_and_keeps_the_text(personas) -> None:
    cole = personas.client_for(login_of_colleague(personas))
    response = cole.post(
        "/feedback/send/", {"recipient": personas.pia_person.pk, "text": "My careful words"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "hasn&#x27;t invited feedback from you" in content
    assert "My careful words" in content
    assert not Feedback.objects.in_organization(personas.acme).exists()


def login_of_colleague(personas):
    from peercoach.testing.factories import MembershipFactory, UserFactory

    user = UserFactory(email="cole@acme.test")
    MembershipFactory(organization=personas.acme, user=user, person=personas.colleague)
    return user


def test_invited_feedback_arrives_and_the_recipient_says_thank_you(personas, pia) -> None:
    cole = personas.client_for(login_of_colleague(personas))
    services.feedback_grant_give(grantor=personas.pia_person, grantee=personas.colleague)
    response = cole.post(
        "/feedback/send/",
        {"recipient": personas.pia_person.pk, "topic": "", "text": "You listened well."},
    )
    assert response.status_code == 302
    feedback = Feedback.objects.in_organization(personas.acme).get()
    page = pia.get(f"/feedback/{feedback.pk}/")
    assert b"You listened well." in page.content
    assert pia.post(f"/feedback/{feedback.pk}/thank/").status_code == 302
    assert b"said thank you" in cole.get(f"/feedback/{feedback.pk}/").content


def test_nobody_else_reads_feedback_whatever_their_role(personas, rosa) -> None:
    services.feedback_grant_give(grantor=personas.pia_person, grantee=personas.colleague)
    feedback = services.feedback_send(
        author=personas.colleague, recipient=personas.pia_person, text="Private"
    )
    url = f"/feedback/{feedback.pk}/"
    assert personas.client_for(login_of(rosa)).get(url).status_code == 404
    assert personas.client_for(personas.otto).get(url).status_code == 404
    for user in (personas.ada, personas.pam, personas.sid):
        assert personas.client_for(user).get(url).status_code == 403


def test_revoking_from_the_page_stops_the_next_send(personas, pia) -> None:
    grant = services.feedback_grant_give(grantor=personas.pia_person, grantee=personas.colleague)
    assert pia.post(f"/feedback/permissions/{grant.pk}/revoke/").status_code == 302
    cole = personas.client_for(login_of_colleague(personas))
    response = cole.post("/feedback/send/", {"recipient": personas.pia_person.pk, "text": "Hi"})
    assert "hasn&#x27;t invited feedback" in response.content.decode()


def test_a_grant_of_someone_else_cannot_be_revoked(personas, rosa) -> None:
    grant = services.feedback_grant_give(grantor=rosa, grantee=personas.colleague)
    response = personas.client_for(personas.pia).post(f"/feedback/permissions/{grant.pk}/revoke/")
    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_asking_chosen_peers_for_help_and_thanking_the_answer(personas, pia, rosa) -> None:
    response = pia.post(
        "/feedback/help/", {"topic": "Estimating", "audience": "peers", "peers": [rosa.pk]}
    )
    assert response.status_code == 302
    rosa_client = personas.client_for(login_of(rosa))
    listing = rosa_client.get("/feedback/help/")
    assert b"Pia Participant: Estimating" in listing.content
    request = selectors.help_requests_mine(person=personas.pia_person).get()
    rosa_client.post(f"/feedback/help/{request.pk}/", {"text": "Use ranges, not points."})
    reply = request.replies.get()
    assert pia.post(f"/feedback/help/answers/{reply.pk}/used/").status_code == 302
    assert pia.post(f"/feedback/help/answers/{reply.pk}/thank/").status_code == 302
    reply.refresh_from_db()
    assert reply.used_at
    assert reply.thanked_at
    # Someone it wasn't shared with gets 404, like a request that doesn't exist.
    cole = personas.client_for(login_of_colleague(personas))
    assert cole.get(f"/feedback/help/{request.pk}/").status_code == 404


def test_an_advice_offer_shows_its_advice_only_after_a_yes(personas, pia, rosa) -> None:
    rosa_client = personas.client_for(login_of(rosa))
    response = rosa_client.post(
        "/feedback/advice/",
        {"recipient": personas.pia_person.pk, "topic": "Slides", "advice": "Fewer words."},
    )
    assert response.status_code == 302
    assert b"Fewer words." not in pia.get("/feedback/advice/").content
    offer = selectors.advice_offers_received(person=personas.pia_person).get()
    pia.post(f"/feedback/advice/{offer.pk}/accept/")
    assert b"Fewer words." in pia.get("/feedback/advice/").content
    assert b"Accepted" in rosa_client.get("/feedback/advice/").content


def test_the_offerer_sees_a_decline_only_as_not_taken_up(personas, pia, rosa) -> None:
    offer = services.advice_offer_send(
        offerer=rosa, recipient=personas.pia_person, topic="Slides", advice="x"
    )
    pia.post(f"/feedback/advice/{offer.pk}/decline/")
    page = personas.client_for(login_of(rosa)).get("/feedback/advice/").content.decode()
    assert "Not taken up" in page
    assert "declined" not in page.lower()


def test_the_nav_shows_feedback_to_participants_only(personas, pia) -> None:
    assert b'href="/feedback/"' in pia.get("/programs/").content
    assert b'href="/feedback/"' not in personas.client_for(personas.sid).get("/programs/").content


def test_asking_the_pairing_and_a_program_from_the_page(personas, pia, rosa) -> None:
    from peercoach.testing.coaching import active_pairing
    from peercoach.testing.factories import ProgramFactory

    program = ProgramFactory(organization=personas.acme, name="Spring circle")
    pairing = active_pairing(program, [personas.pia_person, rosa])
    page = pia.get("/feedback/help/").content.decode()
    assert "Pair in Spring circle" in page
    response = pia.post(
        "/feedback/help/", {"topic": "Feedback", "audience": "pairing", "pairing": pairing.pk}
    )
    assert response.status_code == 302
    response = pia.post(
        "/feedback/help/", {"topic": "Budgets", "audience": "program", "program": program.pk}
    )
    assert response.status_code == 302
    topics = {r.topic for r in selectors.help_requests_i_can_answer(person=rosa)}
    assert topics == {"Feedback", "Budgets"}


def test_a_program_audience_without_a_program_is_refused_with_a_reason(personas, pia) -> None:
    response = pia.post("/feedback/help/", {"topic": "Budgets", "audience": "program"})
    assert response.status_code == 200
    assert "program you&#x27;re taking part in" in response.content.decode()
