from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from peercoach.organizations.access import members_only
from peercoach.organizations.models import Membership
from peercoach.programs.pairing_selectors import pairings_mine


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("account_login")
    return _member_home(request)


@members_only()
def _member_home(request: HttpRequest, membership: Membership) -> HttpResponse:
    context = {
        "roles": sorted(r.label for r in membership.roles),
        # "My peers": matches waiting for an answer, and active pairings.
        "my_pairings": pairings_mine(person=membership.person) if membership.person else None,
    }
    return render(request, "core/home.html", context)


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
