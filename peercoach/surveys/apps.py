from __future__ import annotations

from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "peercoach.surveys"
    label = "surveys"
    verbose_name = "Program feedback"
    default_auto_field = "django.db.models.BigAutoField"
