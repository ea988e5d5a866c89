from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from peercoach.organizations.access import PEOPLE_ADMINS, members_only
from peercoach.organizations.models import Membership


# Work in progress: replaced by the import upload / preview / confirm flow.
@members_only(*PEOPLE_ADMINS)
def import_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(request, "base.html")


@members_only(*PEOPLE_ADMINS)
def import_upload(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(request, "base.html")
