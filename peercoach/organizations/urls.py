from __future__ import annotations

from django.urls import path

from peercoach.organizations import views

app_name = "organizations"
urlpatterns = [
    path("members/", views.member_list, name="members"),
]
