"""System checks: a missing encryption key is named plainly, before anyone meets it on a page.

`check --deploy` treats it as an error; everyday commands only warn, so that a fresh checkout can
still run migrations before `manage.py encryption_key_create` (which bin/start runs).
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from peercoach.plans.sealing import keyring


def _key_problem() -> str | None:
    try:
        keyring()
    except ImproperlyConfigured as error:
        return str(error)
    return None


@checks.register(checks.Tags.security, deploy=True)
def encryption_key_configured_for_deployment(**kwargs: Any) -> list[checks.CheckMessage]:
    problem = _key_problem()
    return [checks.Error(problem, id="plans.E001")] if problem else []


@checks.register(checks.Tags.security)
def encryption_key_configured(**kwargs: Any) -> list[checks.CheckMessage]:
    problem = _key_problem()
    return [checks.Warning(problem, id="plans.W001")] if problem else []
