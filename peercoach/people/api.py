from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from peercoach.organizations.models import Membership
from peercoach.people import hierarchy, selectors
from peercoach.people.models import Person

router = Router(tags=["people"])


class PersonOut(Schema):
    id: int
    employee_id: str
    full_name: str
    email: str
    job_title: str
    department: str
    level: int | None
    office: str
    timezone: str
    languages: list[str]
    manager_id: int | None
    is_active: bool


class MeOut(Schema):
    email: str
    organization: str
    roles: list[str]
    person: PersonOut | None


def _membership(request: HttpRequest) -> Membership:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    return membership


@router.get("/me", response=MeOut, summary="Who am I, where, with which roles")
def me(request: HttpRequest) -> MeOut:
    membership = _membership(request)
    return MeOut(
        email=membership.user.email,
        organization=membership.organization.name,
        roles=sorted(role.value for role in membership.roles),
        person=PersonOut.from_orm(membership.person) if membership.person else None,
    )


@router.get("/people", response=list[PersonOut], summary="Search the directory")
@paginate(LimitOffsetPagination)
def people_list(request: HttpRequest, q: str = "", department: str = "") -> list[Person]:
    membership = _membership(request)
    return selectors.directory_search(  # type: ignore[return-value]
        organization=membership.organization, text=q[:200], department=department[:200]
    )


@router.get("/people/{person_id}", response=PersonOut, summary="One person")
def person_detail(request: HttpRequest, person_id: int) -> Person:
    return selectors.person_get(organization=_membership(request).organization, person_id=person_id)


@router.get(
    "/people/{person_id}/under",
    response=list[PersonOut],
    summary="Everyone who reports to this person, at any depth",
)
@paginate(LimitOffsetPagination)
def people_under(request: HttpRequest, person_id: int) -> list[Person]:
    person = selectors.person_get(
        organization=_membership(request).organization, person_id=person_id
    )
    return hierarchy.people_under(person).order_by("full_name", "pk")  # type: ignore[return-value]
