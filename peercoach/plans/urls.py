from __future__ import annotations

from django.urls import path

from peercoach.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("<uuid:plan_id>/", views.plan_detail, name="detail"),
    path("<uuid:plan_id>/goal/", views.plan_goal, name="goal"),
    path("<uuid:plan_id>/share/", views.plan_share, name="share"),
    path("<uuid:plan_id>/status/", views.plan_status, name="status"),
    path("<uuid:plan_id>/actions/", views.action_add, name="action_add"),
    path("actions/<uuid:action_id>/status/", views.action_status, name="action_status"),
    path("actions/<uuid:action_id>/check-ins/", views.action_check_in, name="action_check_in"),
    path("notes/", views.note_list, name="notes"),
    path("notes/pairing/<int:pairing_id>/", views.pairing_notes, name="pairing_notes"),
    path("notes/<uuid:note_id>/", views.note_edit, name="note_edit"),
    path("notes/<uuid:note_id>/delete/", views.note_delete, name="note_delete"),
]
