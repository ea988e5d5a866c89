from __future__ import annotations

from django.urls import path

from peercoach.programs import inbox_views

app_name = "inbox"
urlpatterns = [
    path("", inbox_views.inbox_list, name="list"),
    path("<int:message_id>/read/", inbox_views.inbox_read, name="read"),
    path("read-all/", inbox_views.inbox_read_all, name="read_all"),
]
