from __future__ import annotations

from django.urls import path

from peercoach.insights import history_views

app_name = "history"

urlpatterns = [
    path("history/", history_views.my_history, name="mine"),
]
