"""Organization scoping by construction.

Every model that holds one organization's data declares `objects = OrganizationScopedManager()`.
That manager refuses to build a query until it is told which organization it serves, so a view
cannot forget the filter: `Person.objects.filter(...)` raises, `Person.objects.in_organization(org)`
works. Django's own machinery (validation, admin for superusers, deletion) uses the model's
default manager, which each model names explicitly as `all_organizations`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from peercoach.organizations.models import Organization


class UnscopedQueryError(RuntimeError):
    """Raised when organization data is queried without naming the organization."""


class OrganizationScopedManager[M: models.Model](models.Manager[M]):
    def get_queryset(self) -> models.QuerySet[M]:
        raise UnscopedQueryError(
            f"{self.model.__name__}.objects must be scoped: call "
            f".in_organization(organization) first."
        )

    def in_organization(self, organization: Organization | int) -> models.QuerySet[M]:
        organization_id = organization if isinstance(organization, int) else organization.pk
        if organization_id is None:
            raise UnscopedQueryError("Cannot scope a query to an unsaved organization.")
        return super().get_queryset().filter(organization_id=organization_id)

    def create(self, **kwargs: Any) -> M:
        if "organization" not in kwargs and "organization_id" not in kwargs:
            raise UnscopedQueryError(f"A {self.model.__name__} needs an organization.")
        return super().get_queryset().create(**kwargs)
