"""Personas shared by every test, in the spirit of alice/bob/charlie.

Organization "Acme": ada is its organization admin, pam a program manager, sid the executive
sponsor, pia a participant (linked to a person in the directory). "Globex" is another
organization whose admin, otto, must never see anything of Acme's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from peercoach.accounts.models import User
from peercoach.organizations.models import Membership, Organization
from peercoach.people.models import Person
from peercoach.testing.factories import (
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
)


@dataclass
class Personas:
    acme: Organization
    globex: Organization
    ceo: Person
    pia_person: Person
    colleague: Person
    ada: User
    pam: User
    sid: User
    pia: User
    otto: User
    globex_person: Person

    def client_for(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


# Timing belongs in bench/, not in tests: a loaded 2-core CI machine must not fail an example for
# being slow. Examples are derandomized under CI so a run can be repeated exactly.
hypothesis_settings.register_profile(
    "peercoach",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=os.environ.get("CI") == "true",
)
hypothesis_settings.load_profile("peercoach")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Real hashing costs ~0.3 s a user; tests create many users and never need the strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# A fixed key for sealing notes and plans in tests (32 bytes); production keys live
# outside the database (PEERCOACH_ENCRYPTION_KEYS or the key file, see plans/sealing.py).
TEST_ENCRYPTION_KEYS = "test1:dGVzdC1rZXktZm9yLXNlYWxpbmctMzItYnl0ZXMtb2s="


@pytest.fixture(autouse=True)
def encryption_keys(settings: Any) -> None:
    settings.PEERCOACH_ENCRYPTION_KEYS = TEST_ENCRYPTION_KEYS


@pytest.fixture
def personas(db: None) -> Personas:
    acme = OrganizationFactory(name="Acme", slug="acme")
    globex = OrganizationFactory(name="Globex", slug="globex")
    ceo = PersonFactory(organization=acme, full_name="Carla Chief", level=9)
    pia_person = PersonFactory(organization=acme, full_name="Pia Participant", manager=ceo)
    colleague = PersonFactory(organization=acme, full_name="Cole League", manager=ceo)
    globex_person = PersonFactory(organization=globex, full_name="Gloria Globex")

    def member(email: str, organization: Organization, **fields: object) -> User:
        user = UserFactory(email=email)
        MembershipFactory(organization=organization, user=user, **fields)
        return user

    return Personas(
        acme=acme,
        globex=globex,
        ceo=ceo,
        pia_person=pia_person,
        colleague=colleague,
        ada=member("ada@acme.test", acme, is_organization_admin=True),
        pam=member("pam@acme.test", acme, is_program_manager=True),
        sid=member("sid@acme.test", acme, is_sponsor=True),
        pia=member("pia@acme.test", acme, person=pia_person),
        otto=member(
            "otto@globex.test",
            globex,
            is_organization_admin=True,
            is_program_manager=True,
            person=globex_person,
        ),
        globex_person=globex_person,
    )


__all__ = ["Membership", "Personas"]
