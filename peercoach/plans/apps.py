from __future__ import annotations

from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "peercoach.plans"
    label = "plans"
    verbose_name = "Action plans and notes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from peercoach.plans import checks  # noqa: F401  (registers the key check)
