from __future__ import annotations

from django.urls import path

from peercoach.feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.home, name="home"),
    path("colleagues/", views.colleague_search, name="colleague_search"),
    path("permissions/", views.permissions, name="permissions"),
    path(
        "permissions/<int:feedback_grant_id>/revoke/",
        views.permission_revoke,
        name="permission_revoke",
    ),
    path("send/", views.send, name="send"),
    path("<int:feedback_id>/", views.detail, name="detail"),
    path("<int:feedback_id>/thank/", views.thank, name="thank"),
    path("help/", views.help_list, name="help"),
    path("help/<int:help_request_id>/", views.help_detail, name="help_detail"),
    path("help/<int:help_request_id>/close/", views.help_close, name="help_close"),
    path("help/answers/<int:help_reply_id>/used/", views.help_reply_used, name="help_reply_used"),
    path(
        "help/answers/<int:help_reply_id>/thank/", views.help_reply_thank, name="help_reply_thank"
    ),
    path("advice/", views.advice, name="advice"),
    path("advice/<int:advice_offer_id>/accept/", views.advice_accept, name="advice_accept"),
    path("advice/<int:advice_offer_id>/decline/", views.advice_decline, name="advice_decline"),
]
