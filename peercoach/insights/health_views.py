"""A program's health page: a few plain-words findings for the people who run and back it.

The findings are read only from the figures the dashboard may show (health.py), so this page can
never say more about anyone than the dashboard does.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from peercoach.insights.charts import month_label
from peercoach.insights.health import program_health
from peercoach.insights.permissions import ORGANIZATION_SCOPE_ROLES
from peercoach.organizations.access import members_only
from peercoach.organizations.models import Membership
from peercoach.programs.selectors import program_get


@members_only(*ORGANIZATION_SCOPE_ROLES)
@require_GET
def program_health_page(
    request: HttpRequest, membership: Membership, program_id: int
) -> HttpResponse:
    program = program_get(membership=membership, program_id=program_id)
    health = program_health(organization=membership.organization, program=program)
    context = {
        "program": program,
        "health": health,
        "month_name": month_label(health.month) if health.month else "",
    }
    return render(request, "insights/health.html", context)
