"""Random sequences of grant, revoke, send and read, across two organizations.

A model of who invited whom runs beside the real thing. After every step: no feedback was ever
accepted without a current grant covering it at that moment, nothing invited was refused, and
nobody but its recipient and its author could read any of it, through the services, the pages
or the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.http import Http404
from django.test import Client
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from peercoach.feedback import permissions, selectors, services
from peercoach.feedback.models import Feedback, FeedbackGrant, normalized_topic
from peercoach.feedback.permissions import FeedbackRefused
from peercoach.people.models import Person
from peercoach.testing.factories import (
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
)

ACME_PEOPLE = 4
GLOBEX_PEOPLE = 2
PEOPLE = st.integers(min_value=0, max_value=ACME_PEOPLE + GLOBEX_PEOPLE - 1)
TOPICS = st.sampled_from(["", "Demos", "writing"])
TOPIC_LISTS = st.sampled_from([(), ("demos",), ("Demos", "Writing")])
PERIODS = st.sampled_from(["always", "from_tomorrow", "until_next_week"])
WAYS = st.sampled_from(["service", "page", "api"])


@dataclass
class ModelGrant:
    topics: tuple[str, ...]
    period: str

    def covers(self, topic: str) -> bool:
        if self.period == "from_tomorrow":
            return False
        if not self.topics:
            return True
        return normalized_topic(topic) in {normalized_topic(t) for t in self.topics}


@dataclass
class Sent:
    pk: int
    author: int
    recipient: int


@dataclass
class World:
    people: list[Person]
    clients: list[Client]
    grants: dict[tuple[int, int], ModelGrant] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)


def build_world() -> World:
    acme, globex = OrganizationFactory(), OrganizationFactory()
    people, clients = [], []
    for index in range(ACME_PEOPLE + GLOBEX_PEOPLE):
        organization = acme if index < ACME_PEOPLE else globex
        person = PersonFactory(organization=organization, full_name=f"Person {index}")
        user = UserFactory()
        MembershipFactory(organization=organization, user=user, person=person)
        client = Client()
        client.force_login(user)
        people.append(person)
        clients.append(client)
    return World(people=people, clients=clients)


def period_bounds(period: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    today = timezone.localdate(now)
    if period == "from_tomorrow":
        return _midnight(today + timedelta(days=1)), None
    if period == "until_next_week":
        return None, _midnight(today + timedelta(days=8))
    return None, None


def _midnight(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


class FeedbackPermissionMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Each run starts from an empty world and leaves nothing behind.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.world = build_world()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def same_organization(self, a: int, b: int) -> bool:
        return (a < ACME_PEOPLE) == (b < ACME_PEOPLE)

    @rule(grantor=PEOPLE, grantee=PEOPLE, topics=TOPIC_LISTS, period=PERIODS, way=WAYS)
    def grant(
        self, grantor: int, grantee: int, topics: tuple[str, ...], period: str, way: str
    ) -> None:
        valid = grantor != grantee and self.same_organization(grantor, grantee)
        valid_from, valid_until = period_bounds(period, timezone.now())
        me, them = self.world.people[grantor], self.world.people[grantee]
        if way == "page":
            response = self.world.clients[grantor].post(
                "/feedback/permissions/",
                {
                    "grantee": them.pk,
                    "topics": ", ".join(topics),
                    "valid_from": valid_from.date().isoformat() if valid_from else "",
                    "valid_until": (valid_until - timedelta(days=1)).date().isoformat()
                    if valid_until
                    else "",
                },
            )
            accepted = response.status_code == 302
        elif way == "api":
            response = self.world.clients[grantor].post(
                "/api/v1/me/feedback-permissions",
                {
                    "grantee_person_id": them.pk,
                    "topics": list(topics),
                    "valid_from": valid_from.isoformat() if valid_from else None,
                    "valid_until": valid_until.isoformat() if valid_until else None,
                },
                content_type="application/json",
            )
            accepted = response.status_code == 201
        else:
            try:
                permissions.colleague_get(me=me, person_id=them.pk)
                services.feedback_grant_give(
                    grantor=me,
                    grantee=them,
                    topics=topics,
                    valid_from=valid_from,
                    valid_until=valid_until,
                )
                accepted = True
            except FeedbackRefused:
                accepted = False
        assert accepted == valid
        if valid:
            self.world.grants[(grantor, grantee)] = ModelGrant(topics=topics, period=period)

    @rule(grantor=PEOPLE, grantee=PEOPLE, way=WAYS)
    def revoke(self, grantor: int, grantee: int, way: str) -> None:
        standing = FeedbackGrant.all_organizations.filter(
            grantor=self.world.people[grantor],
            grantee=self.world.people[grantee],
            revoked_at__isnull=True,
        ).first()
        assert (standing is not None) == ((grantor, grantee) in self.world.grants)
        if standing is None:
            return
        if way == "page":
            url = f"/feedback/permissions/{standing.pk}/revoke/"
            assert self.world.clients[grantor].post(url).status_code == 302
        elif way == "api":
            url = f"/api/v1/feedback-permissions/{standing.pk}/revoke"
            assert self.world.clients[grantor].post(url).status_code == 200
        else:
            services.feedback_grant_revoke(grant=standing, by=self.world.people[grantor])
        del self.world.grants[(grantor, grantee)]

    @rule(author=PEOPLE, recipient=PEOPLE, topic=TOPICS, way=WAYS)
    def send(self, author: int, recipient: int, topic: str, way: str) -> None:
        grant = self.world.grants.get((recipient, author))
        invited = grant is not None and grant.covers(topic)
        before = Feedback.all_organizations.count()
        accepted = self._send(author, recipient, topic, way)
        assert accepted == invited, (author, recipient, topic, grant)
        assert Feedback.all_organizations.count() == before + (1 if accepted else 0)
        if accepted:
            newest = Feedback.all_organizations.latest("pk")
            self.world.sent.append(Sent(newest.pk, author, recipient))

    def _send(self, author: int, recipient: int, topic: str, way: str) -> bool:
        me, them = self.world.people[author], self.world.people[recipient]
        text = f"Feedback from {author} to {recipient}"
        if way == "page":
            response = self.world.clients[author].post(
                "/feedback/send/", {"recipient": them.pk, "topic": topic, "text": text}
            )
            assert response.status_code in (200, 302)
            return response.status_code == 302
        if way == "api":
            response = self.world.clients[author].post(
                "/api/v1/feedback",
                {"recipient_person_id": them.pk, "topic": topic, "text": text},
                content_type="application/json",
            )
            assert response.status_code in (201, 400)
            return response.status_code == 201
        try:
            recipient_person = permissions.colleague_get(me=me, person_id=them.pk)
            services.feedback_send(author=me, recipient=recipient_person, topic=topic, text=text)
        except FeedbackRefused:
            return False
        return True

    @rule(reader=PEOPLE, which=st.integers(min_value=0), way=WAYS)
    def read(self, reader: int, which: int, way: str) -> None:
        if not self.world.sent:
            return
        sent = self.world.sent[which % len(self.world.sent)]
        may_read = reader in (sent.author, sent.recipient)
        client = self.world.clients[reader]
        if way == "page":
            response = client.get(f"/feedback/{sent.pk}/")
            assert response.status_code == (200 if may_read else 404)
        elif way == "api":
            response = client.get(f"/api/v1/feedback/{sent.pk}")
            assert response.status_code == (200 if may_read else 404)
        else:
            try:
                selectors.feedback_for_reader(person=self.world.people[reader], feedback_id=sent.pk)
                read = True
            except Http404:
                read = False
            assert read == may_read

    @invariant()
    def every_stored_feedback_had_a_current_covering_grant_when_sent(self) -> None:
        for feedback in Feedback.all_organizations.filter(
            pk__in=[s.pk for s in self.world.sent]
        ).select_related("grant"):
            grant = feedback.grant
            assert (grant.grantor_id, grant.grantee_id) == (
                feedback.recipient_id,
                feedback.author_id,
            )
            assert grant.created_at <= feedback.sent_at
            assert grant.revoked_at is None or grant.revoked_at > feedback.sent_at
            assert grant.is_current(at=feedback.sent_at) or grant.revoked_at is not None
            assert grant.covers(feedback.topic)

    @invariant()
    def each_person_lists_only_their_own_feedback(self) -> None:
        for index, person in enumerate(self.world.people):
            received = {f.pk for f in selectors.feedback_received(person=person)}
            sent = {f.pk for f in selectors.feedback_sent(person=person)}
            assert received == {s.pk for s in self.world.sent if s.recipient == index}
            assert sent == {s.pk for s in self.world.sent if s.author == index}


@pytest.mark.django_db
def test_feedback_only_ever_flows_along_current_grants_and_only_its_two_people_read_it(
    settings_fixture: None,
) -> None:
    run_state_machine_as_test(
        FeedbackPermissionMachine,
        settings=settings(max_examples=15, stateful_step_count=25),
    )


@pytest.fixture
def settings_fixture(settings: Any) -> None:
    # Emails are queued on commit, which never comes inside the test's transaction: no worker.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
