from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from peercoach.organizations.models import Organization
from peercoach.people.models import Person


def person_get(*, organization: Organization, person_id: int) -> Person:
    """One person of the organization; a person of another organization answers 404 as missing."""
    return get_object_or_404(
        Person.objects.in_organization(organization).select_related("manager"), pk=person_id
    )


def directory_search(
    *,
    organization: Organization,
    text: str = "",
    department: str = "",
    include_inactive: bool = False,
) -> QuerySet[Person]:
    people = Person.objects.in_organization(organization).select_related("manager")
    if not include_inactive:
        people = people.filter(is_active=True)
    if text:
        people = people.filter(
            Q(full_name__icontains=text)
            | Q(email__icontains=text)
            | Q(job_title__icontains=text)
            | Q(employee_id__iexact=text)
        )
    if department:
        people = people.filter(department=department)
    return people.order_by("full_name", "pk")


def department_names(*, organization: Organization) -> list[str]:
    return list(
        Person.objects.in_organization(organization)
        .filter(is_active=True)
        .exclude(department="")
        .values_list("department", flat=True)
        .distinct()
        .order_by("department")
    )
