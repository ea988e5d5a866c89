"""The demo organization the browser tests sign in to: the same one `bin/start` serves."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from peercoach.core.demo import DEMO_DOMAIN, DEMO_PASSWORD, demo_organization_create
from peercoach.organizations.models import Organization
from peercoach.people.models import Person


@dataclass(frozen=True)
class Demo:
    organization: Organization
    password: str
    admin_email: str
    program_manager_email: str
    participant_email: str
    colleague: Person
    """Someone with a manager and a name nobody else in the demo has: easy to search for."""


def demo_build() -> Demo:
    logins = demo_organization_create(size=300)
    emails = {login.email for login in logins}
    organization = Organization.objects.get(name="Northwind Demo")
    people = Person.objects.in_organization(organization)
    unique_names = (
        people.values("full_name").annotate(count=Count("pk")).filter(count=1).values("full_name")
    )
    colleague = (
        people.filter(manager__isnull=False, full_name__in=unique_names)
        .exclude(email__in=emails)
        .select_related("manager")
        .order_by("pk")
        .first()
    )
    assert colleague is not None, "the demo organization has nobody to search for"

    def login(local_part: str) -> str:
        email = f"{local_part}@{DEMO_DOMAIN}"
        assert email in emails, f"the demo organization has no {email} login"
        return email

    return Demo(
        organization=organization,
        password=DEMO_PASSWORD,
        admin_email=login("admin"),
        program_manager_email=login("programs"),
        participant_email=login("participant"),
        colleague=colleague,
    )
