"""Someone the HR import marks as having left leaves their programs in the same import."""

from __future__ import annotations

import pytest

from peercoach.people.hr_import import services as hr_services
from peercoach.people.models import Person
from peercoach.people.tests.hr_import_files import PEOPLE, csv_bytes
from peercoach.programs.models import Enrollment, EnrollmentStatus, MatchingMode
from peercoach.programs.pairing_models import (
    InboxKind,
    InboxMessage,
    Pairing,
    PairingRequest,
    PairingStatus,
    RequestStatus,
)
from peercoach.programs.pairing_services import pairing_accept, pairing_propose
from peercoach.programs.request_services import request_send
from peercoach.programs.tests.conftest import enroll
from peercoach.testing.factories import OrganizationFactory, ProgramFactory

CARLA, VIC, DEV, ANN = PEOPLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    organization = OrganizationFactory(name="Acme", slug="acme")
    hr_services.people_import_apply(organization=organization, data=csv_bytes(), filename="hr.csv")
    return organization


def person(org, employee_id: str) -> Person:
    return Person.objects.in_organization(org).get(employee_id=employee_id)


def status_of(instance: Pairing | PairingRequest | Enrollment) -> str:
    instance.refresh_from_db()
    return instance.status


def messages_to(someone: Person) -> list[InboxMessage]:
    return list(
        InboxMessage.objects.in_organization(someone.organization_id)
        .filter(recipient=someone)
        .order_by("created_at", "pk")
    )


@pytest.fixture
def world(org):
    """Ann is paired with Dev, invited with Vic, and has a request from Vic in another program."""
    ann, vic, dev = person(org, "E4"), person(org, "E2"), person(org, "E3")
    matched = ProgramFactory(organization=org)
    chosen = ProgramFactory(organization=org, matching_mode=MatchingMode.PARTICIPANTS_CHOOSE)
    ann_here = enroll(matched, ann)
    dev_here = enroll(matched, dev)
    vic_here = enroll(matched, vic)
    active = pairing_propose(program=matched, enrollments=[ann_here, dev_here])
    pairing_accept(pairing=active, by=ann)
    pairing_accept(pairing=active, by=dev)
    invited = pairing_propose(program=matched, enrollments=[ann_here, vic_here])
    ann_there = enroll(chosen, ann)
    vic_there = enroll(chosen, vic)
    request = request_send(requester=vic_there, recipient=ann_there)
    return {
        "active": active,
        "invited": invited,
        "request": request,
        "enrollments": [ann_here, ann_there],
        "ann": ann,
        "dev": dev,
        "vic": vic,
    }


def import_without_ann(org):
    return hr_services.people_import_apply(
        organization=org, data=csv_bytes([CARLA, VIC, DEV]), filename="hr.csv"
    )


def test_a_leaver_leaves_their_pairings_at_once(org, world):
    import_without_ann(org)
    assert status_of(world["active"]) == PairingStatus.ENDED
    assert status_of(world["invited"]) == PairingStatus.EXPIRED
    assert status_of(world["request"]) == RequestStatus.EXPIRED
    assert [status_of(e) for e in world["enrollments"]] == [EnrollmentStatus.LEFT] * 2


def test_the_others_are_offered_a_new_match_and_told_nothing_about_why(org, world):
    dev, vic = world["dev"], world["vic"]
    already = {m.pk for m in messages_to(dev) + messages_to(vic)}
    import_without_ann(org)
    dev_heard = [m for m in messages_to(dev) if m.pk not in already]
    vic_heard = [m for m in messages_to(vic) if m.pk not in already]
    assert [m.kind for m in dev_heard] == [InboxKind.PAIRING_ENDED]
    assert "new match" in dev_heard[0].body
    assert sorted(m.kind for m in vic_heard) == sorted(
        [InboxKind.DID_NOT_GO_AHEAD, InboxKind.REQUEST_NOT_TAKEN_UP]
    )
    for message in dev_heard + vic_heard:
        text = f"{message.subject} {message.body}".lower()
        for giveaway in ("ann", "left the organization", "left the company", "directory"):
            assert giveaway not in text


def test_the_leaver_is_sent_nothing(org, world):
    before = len(messages_to(world["ann"]))
    import_without_ann(org)
    assert len(messages_to(world["ann"])) == before


def test_an_import_that_fails_afterwards_leaves_every_pairing_as_it_was(org, world, monkeypatch):
    real = hr_services.enrollments_end_for_leavers

    def end_then_fail(**kwargs):
        real(**kwargs)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(hr_services, "enrollments_end_for_leavers", end_then_fail)
    with pytest.raises(RuntimeError):
        import_without_ann(org)
    assert status_of(world["active"]) == PairingStatus.ACTIVE
    assert status_of(world["request"]) == RequestStatus.PENDING
    assert [status_of(e) for e in world["enrollments"]] == [EnrollmentStatus.ACTIVE] * 2


def test_people_who_stay_keep_their_pairings(org, world):
    hr_services.people_import_apply(organization=org, data=csv_bytes(), filename="hr.csv")
    assert status_of(world["active"]) == PairingStatus.ACTIVE
    assert status_of(world["request"]) == RequestStatus.PENDING
