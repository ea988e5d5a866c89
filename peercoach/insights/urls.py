from __future__ import annotations

from django.urls import path

from peercoach.insights import health_views, views

app_name = "insights"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("programs/<int:program_id>/", views.program_dashboard, name="program"),
    path("programs/<int:program_id>/export.csv", views.program_export, name="export"),
    path("programs/<int:program_id>/refresh/", views.program_refresh, name="refresh"),
    path("programs/<int:program_id>/health/", health_views.program_health_page, name="health"),
    path("team/", views.team, name="team"),
    path("team/export.csv", views.team_export, name="team_export"),
]
