from __future__ import annotations

from django.apps import AppConfig


class FeedForwardConfig(AppConfig):
    name = "peercoach.feedforward"
    label = "feedforward"
    verbose_name = "FeedForward"
    default_auto_field = "django.db.models.BigAutoField"
