from __future__ import annotations

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "peercoach.meetings"
    label = "meetings"
    default_auto_field = "django.db.models.BigAutoField"
