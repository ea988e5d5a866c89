"""Nobody learns who declined: not by email, inbox, page or API.

A triad, so that "the other one said no" can't be worked out by elimination: Pia says yes, Theo
says no, and Cole hasn't answered. What Pia and Cole get afterwards must carry no trace of Theo's
answer, and must read exactly as if the match had simply expired.
"""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.urls import reverse

from peercoach.programs.pairing_models import InboxMessage
from peercoach.programs.pairing_services import pairing_accept, pairing_decline, pairing_propose
from peercoach.programs.sweep import pairings_sweep
from peercoach.programs.tests.conftest import enroll
from peercoach.testing.factories import MembershipFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

DECLINER = "Theo Turndown"


@pytest.fixture
def triad(personas, program):
    theo = PersonFactory(organization=personas.acme, full_name=DECLINER, email="theo@acme.test")
    cole_user = UserFactory(email="cole@acme.test")
    MembershipFactory(organization=personas.acme, user=cole_user, person=personas.colleague)
    pairing = pairing_propose(
        program=program,
        enrollments=[enroll(program, p) for p in (personas.pia_person, personas.colleague, theo)],
    )
    return pairing, theo, cole_user


def everything_seen_by(personas, user, person, pairing) -> str:
    client = personas.client_for(user)
    seen = [
        client.get(reverse("programs:list")).content.decode(),
        client.get(reverse("programs:pairing", args=[pairing.pk])).content.decode(),
        client.get(reverse("inbox:list")).content.decode(),
        json.dumps(client.get("/api/v1/me/pairings").json()),
        json.dumps(client.get(f"/api/v1/pairings/{pairing.pk}").json()),
        json.dumps(client.get("/api/v1/me/inbox").json()),
    ]
    seen += [f"{m.subject}\n{m.body}" for m in mail.outbox if person.email in m.to]
    return "\n".join(seen)


def test_the_others_see_no_trace_of_who_declined(
    personas, program, triad, django_capture_on_commit_callbacks
):
    pairing, theo, cole_user = triad
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        pairing_accept(pairing=pairing, by=personas.pia_person)
        pairing_decline(pairing=pairing, by=theo)
    for user, person in ((personas.pia, personas.pia_person), (cole_user, personas.colleague)):
        messages_after = InboxMessage.objects.in_organization(personas.acme).filter(
            recipient=person, kind="did_not_go_ahead"
        )
        assert messages_after.count() == 1
        news = messages_after.get()
        assert DECLINER not in news.subject + news.body
        emails = [m for m in mail.outbox if person.email in m.to]
        assert len(emails) == 1
        assert DECLINER not in f"{emails[0].subject}\n{emails[0].body}"
        seen = everything_seen_by(personas, user, person, pairing)
        assert "didn't go ahead" in seen.lower() or "didn&#x27;t go ahead" in seen.lower()
        assert "declined" not in seen.lower()
        assert "said no" not in seen.lower()
        for line in seen.splitlines():
            if "declin" in line.lower() or "said no" in line.lower():
                assert DECLINER not in line


def test_a_decline_and_an_expiry_look_the_same_to_the_others(personas, program):
    pia = enroll(program, personas.pia_person)
    declined = pairing_propose(program=program, enrollments=[pia, enroll(program)])
    decliner = declined.members.exclude(person=personas.pia_person).get().person
    pairing_decline(pairing=declined, by=decliner)
    lapsing = pairing_propose(program=program, enrollments=[pia, enroll(program)])
    lapsing.refresh_from_db()
    assert lapsing.expires_at is not None
    pairings_sweep(now=lapsing.expires_at)
    client = personas.client_for(personas.pia)
    answers = {pk: client.get(f"/api/v1/pairings/{pk}").json() for pk in (declined.pk, lapsing.pk)}
    assert answers[declined.pk]["status"] == answers[lapsing.pk]["status"] == "did_not_go_ahead"
    assert answers[declined.pk]["status_label"] == answers[lapsing.pk]["status_label"]
    news = InboxMessage.objects.in_organization(personas.acme).filter(
        recipient=personas.pia_person, kind="did_not_go_ahead"
    )
    assert len({(m.subject, m.body) for m in news}) == 1
    pages = [
        client.get(reverse("programs:pairing", args=[pk])).content.decode()
        for pk in (declined.pk, lapsing.pk)
    ]
    for page in pages:
        assert "This match didn't go ahead. That happens" in page
        assert "You said no" not in page


def test_the_decliner_sees_their_own_answer(personas, program):
    pairing = pairing_propose(
        program=program,
        enrollments=[enroll(program, personas.pia_person), enroll(program)],
    )
    pairing_decline(pairing=pairing, by=personas.pia_person)
    body = personas.client_for(personas.pia).get(f"/api/v1/pairings/{pairing.pk}").json()
    assert body["status"] == "declined"
    assert body["my_response"] == "declined"


def test_no_answer_of_another_member_is_ever_exposed(personas, program, triad):
    pairing, theo, _ = triad
    pairing_accept(pairing=pairing, by=theo)
    body = personas.client_for(personas.pia).get(f"/api/v1/pairings/{pairing.pk}").json()
    assert body["my_response"] == "pending"
    assert "accepted" not in json.dumps(body)
