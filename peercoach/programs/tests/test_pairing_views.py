from __future__ import annotations

import pytest
from django.urls import reverse

from peercoach.programs.models import MatchingMode
from peercoach.programs.pairing_models import Pairing, PairingRequest, RequestStatus
from peercoach.programs.pairing_models import PairingStatus as S
from peercoach.programs.pairing_services import pairing_accept
from peercoach.programs.request_services import request_send
from peercoach.programs.tests.conftest import enroll, invited_pair, membership_of
from peercoach.testing.factories import MembershipFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"programs:{name}", args=args)


def reload(pairing: Pairing) -> Pairing:
    return Pairing.objects.in_organization(pairing.organization_id).get(pk=pairing.pk)


def another_participant(personas):
    person = PersonFactory(organization=personas.acme, full_name="Olga Other")
    user = UserFactory(email="olga@acme.test")
    MembershipFactory(organization=personas.acme, user=user, person=person)
    return user


def test_a_waiting_match_shows_on_my_programs_page_with_yes_and_no(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    page = personas.client_for(personas.pia).get(url("list")).content.decode()
    assert "My peers" in page
    assert "Cole League" in page
    assert url("pairing_accept", pairing.pk) in page
    assert url("pairing_decline", pairing.pk) in page


def test_saying_yes_on_the_page_then_the_other_yes_makes_it_active(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    client = personas.client_for(personas.pia)
    response = client.post(url("pairing_accept", pairing.pk), follow=True)
    assert "Thank you for saying yes" in response.content.decode()
    assert "You said yes" in response.content.decode()
    pairing_accept(pairing=pairing, by=personas.colleague)
    page = client.get(url("pairing", pairing.pk)).content.decode()
    assert "What's next" in page
    assert "stays in our sessions" in page  # the ground rules
    assert url("pairing_leave", pairing.pk) in page


def test_leaving_asks_for_no_reason(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    for person in (personas.pia_person, personas.colleague):
        pairing_accept(pairing=pairing, by=person)
    client = personas.client_for(personas.pia)
    response = client.post(url("pairing_leave", pairing.pk), follow=True)
    assert "No reason needed" in response.content.decode()
    assert reload(pairing).status == S.ENDED


def test_pause_and_resume_from_the_page(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    for person in (personas.pia_person, personas.colleague):
        pairing_accept(pairing=pairing, by=person)
    client = personas.client_for(personas.pia)
    client.post(url("pairing_pause", pairing.pk))
    assert reload(pairing).status == S.PAUSED
    client.post(url("pairing_resume", pairing.pk))
    assert reload(pairing).status == S.ACTIVE


def test_a_refused_change_is_explained_not_an_error_page(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    response = personas.client_for(personas.pia).post(url("pairing_leave", pairing.pk), follow=True)
    assert response.status_code == 200
    assert "still waiting for everyone" in response.content.decode()


def test_people_outside_the_pairing_get_404_whoever_they_are(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    outsider = personas.client_for(another_participant(personas))
    assert outsider.get(url("pairing", pairing.pk)).status_code == 404
    assert outsider.post(url("pairing_decline", pairing.pk)).status_code == 404
    assert reload(pairing).status == S.INVITED
    assert personas.client_for(personas.otto).get(url("pairing", pairing.pk)).status_code == 404
    for manager in (personas.pam, personas.ada, personas.sid):
        assert personas.client_for(manager).get(url("pairing", pairing.pk)).status_code == 403


def test_a_proposal_not_yet_sent_out_is_invisible_to_its_members(personas, program):
    from peercoach.programs.pairing_services import pairing_propose

    pairing = pairing_propose(
        program=program,
        enrollments=[enroll(program, personas.pia_person), enroll(program, personas.colleague)],
        invite=False,
    )
    client = personas.client_for(personas.pia)
    assert client.get(url("pairing", pairing.pk)).status_code == 404
    assert "Cole League" not in client.get(url("list")).content.decode()


def test_managers_see_pairings_only_as_counts(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    page = personas.client_for(personas.pam).get(url("manage", program.pk)).content.decode()
    assert "<strong>1</strong> waiting for answers" in page
    assert url("pairing", pairing.pk) not in page  # who is with whom stays with them


# ---------------------------------------------------------------------------------------------
# Requests


@pytest.fixture
def choosing(program):
    program.matching_mode = MatchingMode.PARTICIPANTS_CHOOSE
    program.save()
    return program


def test_a_participant_asks_a_colleague_from_the_requests_page(personas, choosing):
    enroll(choosing, personas.pia_person)
    cole = enroll(choosing, personas.colleague)
    enroll(choosing, personas.ceo)  # pia's manager: not offered
    client = personas.client_for(personas.pia)
    page = client.get(url("requests", choosing.pk), {"q": "c"}).content.decode()
    assert f'value="{cole.pk}"' in page
    assert "Carla Chief" not in page
    response = client.post(
        url("requests", choosing.pk), {"recipient": cole.pk, "message": "Shall we?"}, follow=True
    )
    assert "Request sent to Cole League" in response.content.decode()
    assert PairingRequest.objects.in_organization(personas.acme).get().message == "Shall we?"


def test_sending_without_choosing_someone_says_what_is_missing(personas, choosing):
    enroll(choosing, personas.pia_person)
    response = personas.client_for(personas.pia).post(url("requests", choosing.pk), {})
    assert response.status_code == 400
    assert "Choose the colleague" in response.content.decode()


def test_someone_outside_the_program_is_told_to_join_first(personas, choosing):
    response = personas.client_for(personas.pia).get(url("requests", choosing.pk))
    assert "Join the program first" in response.content.decode()


def test_the_recipient_accepts_on_the_requests_page(personas, choosing):
    pia = enroll(choosing, personas.pia_person)
    request = request_send(requester=enroll(choosing, personas.colleague), recipient=pia)
    client = personas.client_for(personas.pia)
    page = client.get(url("requests", choosing.pk)).content.decode()
    assert "Cole League" in page
    assert url("request_accept", request.pk) in page
    client.post(url("request_accept", request.pk))
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED


def test_a_request_is_404_to_everyone_but_its_two_people(personas, choosing):
    pia = enroll(choosing, personas.pia_person)
    request = request_send(requester=enroll(choosing, personas.colleague), recipient=pia)
    outsider = personas.client_for(another_participant(personas))
    assert outsider.post(url("request_decline", request.pk)).status_code == 404
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_the_program_page_links_to_choosing_a_peer_when_participants_choose(personas, choosing):
    enroll(choosing, personas.pia_person)
    page = personas.client_for(personas.pia).get(url("detail", choosing.pk)).content.decode()
    assert url("requests", choosing.pk) in page
    assert membership_of(personas.pia).person == personas.pia_person
