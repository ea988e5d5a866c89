"""A pair, a triad and a FeedForward circle in Acme, each with a session tomorrow.

pia (a persona with a login) and Cole are the pair; Cole also gets a login here, so both sides
of a live session can be driven.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from peercoach.accounts.models import User
from peercoach.conftest import Personas
from peercoach.meetings.models import CoachingSession
from peercoach.people.models import Person
from peercoach.programs.models import Program
from peercoach.programs.pairing_models import Pairing
from peercoach.testing.coaching import active_pairing, confirmed_session
from peercoach.testing.factories import (
    MembershipFactory,
    PersonFactory,
    ProgramFactory,
    UserFactory,
)


@dataclass
class Group:
    program: Program
    pairing: Pairing
    session: CoachingSession
    people: list[Person]


def login_for(person: Person) -> User:
    user: User = UserFactory(email=person.email)
    MembershipFactory(organization=person.organization, user=user, person=person)
    return user


@pytest.fixture
def cole(personas: Personas) -> User:
    return login_for(personas.colleague)


def _group(personas: Personas, program_format: str, people: list[Person]) -> Group:
    program = ProgramFactory(organization=personas.acme, format=program_format)
    pairing = active_pairing(program, people)
    return Group(program, pairing, confirmed_session(pairing), people)


@pytest.fixture
def pair(personas: Personas) -> Group:
    return _group(personas, "reciprocal_pairs", [personas.pia_person, personas.colleague])


def _newcomers(personas: Personas, names: list[str]) -> list[Person]:
    people = []
    for name in names:
        person: Person = PersonFactory(
            organization=personas.acme, full_name=name, manager=personas.ceo
        )
        people.append(person)
    return people


@pytest.fixture
def triad(personas: Personas) -> Group:
    people = [personas.pia_person, personas.colleague, *_newcomers(personas, ["Tess Third"])]
    group = _group(personas, "triads", people)
    assert group.pairing.kind == "triad"
    return group


@pytest.fixture
def circle(personas: Personas) -> Group:
    others = _newcomers(personas, ["Fay Four", "Finn Five", "Sam Six"])
    return _group(
        personas, "feedforward_circles", [personas.pia_person, personas.colleague, *others]
    )
