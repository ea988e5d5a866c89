from __future__ import annotations

from django.urls import path

from peercoach.people.hr_import import views

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("new/", views.import_upload, name="import_upload"),
    path("<int:import_id>/", views.import_detail, name="import_detail"),
    path("<int:import_id>/confirm/", views.import_confirm, name="import_confirm"),
]
