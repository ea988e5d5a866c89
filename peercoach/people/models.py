from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from peercoach.organizations.models import Organization
from peercoach.organizations.scoping import OrganizationScopedManager
from peercoach.people import management_path


class Person(models.Model):
    """Someone in the organization's HR directory, whether or not they ever log in."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="people")
    employee_id = models.CharField(max_length=64)
    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    job_title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    office = models.CharField(max_length=200, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    languages = models.JSONField(default=list, blank=True)
    manager = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="direct_reports"
    )
    # Materialized management path: the fixed-width ids of every manager above, then this person.
    # "Is A above B" is a prefix test and "everyone under X" one indexed range scan (see
    # management_path.py). Kept right by people.hierarchy on every reporting-line change.
    management_path = models.CharField(max_length=2000, blank=True)
    is_active = models.BooleanField(default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager["Person"]()
    all_organizations = models.Manager["Person"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "employee_id"], name="person_employee_id_unique"
            ),
            models.UniqueConstraint(
                "organization", Lower("email"), name="person_email_unique_in_organization"
            ),
            models.CheckConstraint(
                condition=~Q(manager=models.F("pk")), name="person_not_own_manager"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "is_active", "full_name"]),
            models.Index(fields=["organization", "department"]),
            # "Everyone under X" is a range scan on this index within one organization.
            models.Index(
                fields=["organization", "management_path"], name="person_org_management_path"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def management_depth(self) -> int:
        return management_path.depth(self.management_path)

    def is_in_management_chain_of(self, other: Person) -> bool:
        """True when one of the two manages the other, directly or at any depth."""
        return management_path.related(self.management_path, other.management_path)


class CoachingProfile(models.Model):
    """What a person brings to coaching: owned and edited by the person."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="coaching_profile")
    wants = models.JSONField(default=list, blank=True)
    offers = models.JSONField(default=list, blank=True)
    working_hours_start = models.PositiveSmallIntegerField(default=9)
    working_hours_end = models.PositiveSmallIntegerField(default=17)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(working_hours_start__lt=models.F("working_hours_end"))
                & Q(working_hours_end__lte=24),
                name="coaching_profile_hours_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"Coaching profile of {self.person}"


# The HR import's upload record lives with its feature; imported here so Django registers it.
from peercoach.people.hr_import.models import HrImport  # noqa: E402

__all__ = ["CoachingProfile", "HrImport", "Person"]
