from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from peercoach.organizations.access import members_only
from peercoach.organizations.models import Membership, Role


@members_only(Role.ORGANIZATION_ADMIN)
def member_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    members = (
        Membership.objects.in_organization(membership.organization)
        .select_related("user", "person")
        .order_by("user__email")
    )
    return render(request, "organizations/member_list.html", {"members": members})
