"""Django's admin, for superusers only.

Organization admins manage their organization in the product (members & roles); Django's admin
sees every organization's data, so staff status alone is not enough to open it. Signing in goes
through the product's sign-in page, so the admin gets the same login throttling.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse


class SuperuserAdminSite(admin.AdminSite):
    site_header = "peercoach: superuser administration"
    site_title = "peercoach admin"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not request.user.is_authenticated:
            next_url = request.GET.get("next") or reverse("admin:index")
            return redirect_to_login(next_url)
        if self.has_permission(request):
            return redirect("admin:index")
        return render(request, "accounts/admin_superusers_only.html")
