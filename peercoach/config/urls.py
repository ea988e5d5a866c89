from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from peercoach.core.api import api

urlpatterns = [
    path("", include("peercoach.core.urls")),
    path("accounts/", include("peercoach.accounts.urls")),
    path("organization/", include("peercoach.organizations.urls")),
    path("people/", include("peercoach.people.urls")),
    path("programs/", include("peercoach.programs.urls")),
    path("inbox/", include("peercoach.programs.inbox_urls")),
    path("meetings/", include("peercoach.meetings.urls")),
    path("guided/", include("peercoach.runner.urls")),
    path("plans/", include("peercoach.plans.urls")),
    path("feedforward/", include("peercoach.feedforward.urls")),
    path("feedback/", include("peercoach.feedback.urls")),
    path("program-feedback/", include("peercoach.surveys.urls")),
    path("me/", include("peercoach.insights.history_urls")),
    path("insights/", include("peercoach.insights.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]
