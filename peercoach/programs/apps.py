from __future__ import annotations

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "peercoach.programs"
    label = "programs"
    default_auto_field = "django.db.models.BigAutoField"
