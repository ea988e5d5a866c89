"""Background work for insights: rebuilding an organization's figures."""

from __future__ import annotations

import logging

from django.tasks import task

logger = logging.getLogger(__name__)


@task
def insights_refresh_task(organization_id: int) -> int:
    """Rebuild one organization's figures; returns how many cells were written."""
    from peercoach.insights.refresh import insights_refresh
    from peercoach.organizations.models import Organization

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0  # deleted since the rebuild was queued
    result = insights_refresh(organization=organization)
    logger.info(
        "Insights of organization %s rebuilt: %s cells in %.1f s",
        organization_id,
        result.cells_written,
        result.seconds,
    )
    return result.cells_written
