from __future__ import annotations

from django.urls import path

from peercoach.programs import views

app_name = "programs"
urlpatterns = [
    path("", views.program_list, name="list"),
    path("new/", views.program_create, name="create"),
    path("<int:program_id>/", views.program_detail, name="detail"),
    path("<int:program_id>/edit/", views.program_edit, name="edit"),
    path("<int:program_id>/manage/", views.program_manage, name="manage"),
    path("<int:program_id>/assign/", views.program_assign, name="assign"),
    path("<int:program_id>/join/", views.program_join, name="join"),
    path("<int:program_id>/nominate/", views.program_nominate, name="nominate"),
    path(
        "<int:program_id>/nomination/decline/", views.nomination_decline, name="nomination_decline"
    ),
    path("<int:program_id>/pause/", views.enrollment_pause, name="pause"),
    path("<int:program_id>/resume/", views.enrollment_resume, name="resume"),
    path("<int:program_id>/leave/", views.enrollment_leave, name="leave"),
]
