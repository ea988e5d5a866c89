from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from peercoach.plans.services import note_create


@pytest.fixture
def no_key(settings: Any, tmp_path: Path) -> None:
    settings.PEERCOACH_ENCRYPTION_KEYS = ""
    settings.PEERCOACH_ENCRYPTION_KEY_FILE = tmp_path / "absent.keys"


def test_a_page_without_the_key_explains_instead_of_crashing(
    personas: Any, coaching: Any, no_key: None
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(personas.pia)
    response = client.post(f"/plans/notes/pairing/{coaching.pairing.pk}/", {"body": "kept safe"})
    assert response.status_code == 503
    assert "Nothing you wrote is lost" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_the_api_without_the_key_answers_503_in_json(
    personas: Any, coaching: Any, settings: Any, no_key: None
) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(personas.pia)
    response = client.post(
        "/api/v1/me/notes",
        {"pairing_id": coaching.pairing.pk, "body": "x"},
        content_type="application/json",
    )
    assert response.status_code == 503
    assert "can't be opened" in response.json()["detail"]


def test_a_note_sealed_with_a_lost_key_shows_the_same_calm_page(
    personas: Any, coaching: Any, settings: Any
) -> None:
    from peercoach.plans.sealing import new_key_line

    note = note_create(owner=coaching.pia, pairing=coaching.pairing, body="old")
    settings.PEERCOACH_ENCRYPTION_KEYS = new_key_line()
    client = Client(raise_request_exception=False)
    client.force_login(personas.pia)
    assert client.get(f"/plans/notes/{note.pk}/").status_code == 503


def test_the_deployment_check_names_the_missing_key(no_key: None) -> None:
    with pytest.raises(SystemCheckError, match="encryption_key_create"):
        call_command("check", "--deploy", "--fail-level", "ERROR")
