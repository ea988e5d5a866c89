from __future__ import annotations

from django.urls import include, path

from peercoach.people import views

app_name = "people"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:person_id>/", views.person_detail, name="person"),
    path("imports/", include("peercoach.people.hr_import.urls")),
]
