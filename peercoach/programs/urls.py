from __future__ import annotations

from django.urls import path

from peercoach.programs import matching_views, pairing_views, views

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
    # Matching runs: program managers and organization admins only.
    path("<int:program_id>/matching/", matching_views.matching_start, name="matching_start"),
    path("matching/<int:run_id>/", matching_views.matching_run, name="matching_run"),
    path("matching/<int:run_id>/move/", matching_views.matching_move, name="matching_move"),
    path(
        "matching/<int:run_id>/publish/", matching_views.matching_publish, name="matching_publish"
    ),
    # Pairings: only their members see them.
    path("peers/<int:pairing_id>/", pairing_views.pairing_detail, name="pairing"),
    path("peers/<int:pairing_id>/accept/", pairing_views.pairing_accept, name="pairing_accept"),
    path("peers/<int:pairing_id>/decline/", pairing_views.pairing_decline, name="pairing_decline"),
    path("peers/<int:pairing_id>/leave/", pairing_views.pairing_leave, name="pairing_leave"),
    path("peers/<int:pairing_id>/pause/", pairing_views.pairing_pause, name="pairing_pause"),
    path("peers/<int:pairing_id>/resume/", pairing_views.pairing_resume, name="pairing_resume"),
    # Requests between participants.
    path("<int:program_id>/requests/", pairing_views.requests_page, name="requests"),
    path("requests/<int:request_id>/accept/", pairing_views.request_accept, name="request_accept"),
    path(
        "requests/<int:request_id>/decline/", pairing_views.request_decline, name="request_decline"
    ),
    path(
        "requests/<int:request_id>/withdraw/",
        pairing_views.request_withdraw,
        name="request_withdraw",
    ),
]
