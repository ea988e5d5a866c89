from __future__ import annotations

from django.urls import path

from peercoach.organizations import views

app_name = "organizations"
urlpatterns = [
    path("settings/", views.organization_settings, name="settings"),
    path("members/", views.member_list, name="members"),
    path("members/<int:membership_id>/roles/", views.member_roles, name="member_roles"),
    path("members/<int:membership_id>/active/", views.member_active, name="member_active"),
    path("invitations/", views.invitation_create, name="invitation_create"),
    path(
        "invitations/department/",
        views.invitation_create_for_department,
        name="invitation_create_for_department",
    ),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
