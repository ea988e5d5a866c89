from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from peercoach.organizations.scoping import OrganizationScopedManager

# Figures about fewer people than this could identify someone; three is the floor we allow.
SMALLEST_REPORTING_SIZE = 3
DEFAULT_REPORTING_SIZE = 5


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    minimum_reporting_size = models.PositiveSmallIntegerField(default=DEFAULT_REPORTING_SIZE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_reporting_size__gte=SMALLEST_REPORTING_SIZE),
                name="organization_reporting_size_at_least_3",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    PARTICIPANT = "participant", "Participant"
    PROGRAM_MANAGER = "program_manager", "Program manager"
    SPONSOR = "sponsor", "Executive sponsor"
    ORGANIZATION_ADMIN = "organization_admin", "Organization admin"


class Membership(models.Model):
    """A login account's place in one organization, with its roles there.

    The participant role comes from being linked to a person in the directory; the other roles
    are granted explicitly. Several roles may be held at once (a program manager can also be
    coached).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.OneToOneField(
        "people.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="membership",
    )
    is_program_manager = models.BooleanField(default=False)
    is_sponsor = models.BooleanField(default=False)
    is_organization_admin = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationScopedManager["Membership"]()
    all_organizations = models.Manager["Membership"]()

    class Meta:
        default_manager_name = "all_organizations"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="membership_one_per_user_and_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization}"

    @property
    def roles(self) -> frozenset[Role]:
        held = set()
        if self.person_id is not None:
            held.add(Role.PARTICIPANT)
        if self.is_program_manager:
            held.add(Role.PROGRAM_MANAGER)
        if self.is_sponsor:
            held.add(Role.SPONSOR)
        if self.is_organization_admin:
            held.add(Role.ORGANIZATION_ADMIN)
        return frozenset(held)

    def has_any_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)
