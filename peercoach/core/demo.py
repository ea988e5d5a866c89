"""The demo organization: a realistic, deterministic company to try peercoach with.

Built from `peercoach.sample_org` (the same generator the benchmarks use), plus one login for each
role, each linked to a plausible person in the directory.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from peercoach.accounts.models import User
from peercoach.organizations.models import Membership, Organization
from peercoach.people.hierarchy import management_paths_rebuild
from peercoach.people.models import CoachingProfile, Person
from peercoach.programs.demo import demo_programs_create
from peercoach.programs.demo_history import demo_history_create
from peercoach.sample_org import SamplePerson, generate_organization

DEMO_SLUG = "northwind"
DEMO_NAME = "Northwind Demo"
DEMO_DOMAIN = "northwind.example"
DEMO_PASSWORD = "peercoach-demo"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    person: str


@transaction.atomic
def demo_organization_create(*, size: int = 300, seed: int = 7) -> list[DemoLogin]:
    """Create the demo organization with `size` people; returns the demo logins.

    Idempotent: when the organization exists it is left alone and its logins are returned.
    """
    organization, created = Organization.objects.get_or_create(
        slug=DEMO_SLUG, defaults={"name": DEMO_NAME}
    )
    if created:
        _create_people(
            organization, generate_organization(size, seed=seed, email_domain=DEMO_DOMAIN)
        )
        _create_logins(organization)
    # Idempotent too: an existing demo without its programs gets them now.
    demo_programs_create(organization=organization)
    demo_history_create(organization=organization, seed=seed)
    return demo_logins(organization)


def demo_logins(organization: Organization) -> list[DemoLogin]:
    memberships = Membership.objects.in_organization(organization).select_related("user", "person")
    logins = []
    for membership in memberships.order_by("pk"):
        role = ", ".join(sorted(r.label for r in membership.roles)) or "member"
        person = membership.person.full_name if membership.person else "—"
        logins.append(DemoLogin(role=role, email=membership.user.email, person=person))
    return logins


def _create_people(organization: Organization, sample: list[SamplePerson]) -> None:
    """Insert people one management layer at a time.

    Managers are inserted before their reports, so every row is written once with its manager
    and its final management path: no second pass of updates (which SQLite does slowly).
    """
    rows_by_id = {row.employee_id: row for row in sample}
    layers: dict[int, list[SamplePerson]] = {}
    depth_of: dict[str, int] = {}
    for row in sample:  # managers come before their reports in the sample
        depth = 0 if row.manager_id is None else depth_of[row.manager_id] + 1
        depth_of[row.employee_id] = depth
        layers.setdefault(depth, []).append(row)
    saved: dict[str, Person] = {}
    for depth in sorted(layers):
        layer = [_person_from_sample(organization, row, saved) for row in layers[depth]]
        for row, person in zip(
            layers[depth], Person.all_organizations.bulk_create(layer), strict=True
        ):
            saved[row.employee_id] = person
    management_paths_rebuild(organization=organization)
    CoachingProfile.objects.bulk_create(
        [
            CoachingProfile(
                person=saved[employee_id],
                wants=list(row.wants),
                offers=list(row.offers),
                working_hours_start=row.hours[0],
                working_hours_end=row.hours[1],
            )
            for employee_id, row in rows_by_id.items()
        ],
        batch_size=2000,
    )


def _person_from_sample(
    organization: Organization, row: SamplePerson, saved: dict[str, Person]
) -> Person:
    return Person(
        organization=organization,
        employee_id=row.employee_id,
        full_name=row.name,
        email=row.email,
        job_title=row.title,
        department=row.department,
        level=row.level,
        office=row.office,
        timezone=row.timezone,
        languages=list(row.languages),
        manager=saved[row.manager_id] if row.manager_id else None,
    )


# One login per role, each given to someone whose job fits it.
_ROLE_LOGINS = [
    ("admin", {"is_organization_admin": True}, {"department": "Operations"}, 6),
    ("programs", {"is_program_manager": True}, {"department": "People"}, 5),
    ("sponsor", {"is_sponsor": True}, {}, 8),
    ("participant", {}, {"department": "Engineering"}, 4),
]


def _create_logins(organization: Organization) -> None:
    people = Person.objects.in_organization(organization)
    taken: set[int] = set()
    for local_part, roles, where, level in _ROLE_LOGINS:
        # Prefer the fitting department and seniority; small demos may lack either.
        anyone = people.exclude(pk__in=taken).order_by("-level", "pk")
        person = (
            anyone.filter(**where, level__lte=level).first()
            or anyone.filter(level__lte=level).first()
            or anyone.first()
        )
        if person is None:
            raise ValueError("The demo organization is too small for its logins.")
        taken.add(person.pk)
        email = f"{local_part}@{DEMO_DOMAIN}"
        # The login and the directory entry share the address, as they would after an invitation.
        person.email = email
        person.save(update_fields=["email"])
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=person.full_name)
        Membership.objects.create(organization=organization, user=user, person=person, **roles)
