from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from peercoach.organizations.models import Organization
from peercoach.organizations.scoping import OrganizationScopedManager


class HrImport(models.Model):
    """One uploaded HR file: its bytes, what its preview found, and what applying it changed.

    The file is kept so that confirming re-reads exactly what was previewed, against the
    directory as it is at that moment.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Waiting for confirmation"
        REJECTED = "rejected", "Could not be read"
        APPLIED = "applied", "Imported"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="hr_imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(max_length=255)
    file_bytes = models.BinaryField()
    file_size = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    # What the latest preview (or the confirmation) found: see hr_import.planning.summarize.
    summary = models.JSONField(default=dict)
    only_valid_rows = models.BooleanField(default=False)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    deactivated_count = models.PositiveIntegerField(default=0)
    reactivated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager["HrImport"]()
    all_organizations = models.Manager["HrImport"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def counts(self) -> dict[str, Any]:
        counts: dict[str, Any] = self.summary.get("counts", {})
        return counts
