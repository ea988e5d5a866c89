from __future__ import annotations

from django.urls import path

from peercoach.feedforward import views

app_name = "feedforward"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.round_start, name="start"),
    path("check/", views.suggestion_check, name="check"),
    path("rounds/<int:feedforward_round_id>/", views.round_detail, name="round"),
    path("rounds/<int:feedforward_round_id>/invite/", views.round_invite, name="round_invite"),
    path("rounds/<int:feedforward_round_id>/try/", views.round_will_try, name="round_will_try"),
    path("rounds/<int:feedforward_round_id>/thank/", views.round_thank, name="round_thank"),
    path(
        "invitations/<int:feedforward_invitation_id>/",
        views.invitation_detail,
        name="invitation",
    ),
    path(
        "invitations/<int:feedforward_invitation_id>/decline/",
        views.invitation_decline,
        name="invitation_decline",
    ),
]
