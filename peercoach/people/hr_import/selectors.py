from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from peercoach.organizations.models import Organization
from peercoach.people.hr_import.models import HrImport
from peercoach.people.hr_import.planning import ExistingPerson
from peercoach.people.models import Person

SNAPSHOT_FIELDS = (
    "pk",
    "employee_id",
    "full_name",
    "email",
    "job_title",
    "department",
    "level",
    "office",
    "timezone",
    "languages",
    "manager_id",
    "management_path",
    "is_active",
)


def people_import_snapshot(*, organization: Organization) -> list[ExistingPerson]:
    """Everyone in the directory, active or not, as plain tuples: one query, no model objects."""
    rows = (
        Person.objects.in_organization(organization)
        .order_by()
        .values_list(*SNAPSHOT_FIELDS)
        .iterator(chunk_size=5000)
    )
    return [ExistingPerson(*row) for row in rows]


def hr_import_list(*, organization: Organization) -> QuerySet[HrImport]:
    # The file itself can be tens of megabytes: never load it for a list.
    return (
        HrImport.objects.in_organization(organization)
        .select_related("uploaded_by", "applied_by")
        .defer("file_bytes")
    )


def hr_import_get(*, organization: Organization, import_id: int) -> HrImport:
    """One upload of the organization; another organization's upload answers 404 as missing.

    The file's bytes load only if they are used (when confirming).
    """
    imports = (
        HrImport.objects.in_organization(organization)
        .select_related("uploaded_by", "applied_by")
        .defer("file_bytes")
    )
    return get_object_or_404(imports, pk=import_id)
