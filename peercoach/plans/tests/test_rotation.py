from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from peercoach.plans.models import Action, ActionPlan, CheckIn, Note
from peercoach.plans.sealing import (
    is_token,
    key_file_create,
    keyring,
    new_key_line,
    parse_keys,
    sealed_fields,
    token_key_id,
    unseal,
)
from peercoach.plans.services import ActionDraft, action_plan_create, check_in_add, note_create


def _plant(coaching: Any, count: int = 3) -> None:
    for number in range(count):
        plan = action_plan_create(
            owner=coaching.pia,
            session=coaching.session,
            goal=f"goal {number}",
            actions=[ActionDraft(f"action {number}")],
        )
        check_in_add(action=plan.actions.get(), by=coaching.pia, text=f"check-in {number}")
        note_create(owner=coaching.pia, pairing=coaching.pairing, body=f"note {number}")


def _every_sealed_value() -> list[tuple[str, int, str, str]]:
    values = []
    for model, field in sealed_fields():
        rows = model._base_manager.values_list(
            "pk", f"{field.organization_field}_id", field.attname
        )
        for pk, organization_id, token in rows:
            if token:
                record = f"{model._meta.label}:{pk}:{field.name}"
                values.append((record, organization_id, str(token), field.name))
    return values


def _texts() -> set[str]:
    return (
        {plan.goal for plan in ActionPlan.all_organizations.all()}
        | {action.text for action in Action.all_organizations.all()}
        | {check_in.text for check_in in CheckIn.all_organizations.all()}
        | {note.body for note in Note.all_organizations.all()}
    )


@pytest.fixture
def key_file(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "encryption.keys"
    settings.PEERCOACH_ENCRYPTION_KEYS = ""
    settings.PEERCOACH_ENCRYPTION_KEY_FILE = path
    key_file_create(path)
    return path


def test_after_rotation_every_row_opens_with_the_new_key_alone(
    coaching: Any, key_file: Path
) -> None:
    _plant(coaching)
    old_id = keyring().current_id
    texts_before = _texts()
    output = io.StringIO()
    call_command("rotate_encryption_key", "--batch-size", "2", stdout=output)
    new_ring = keyring()
    assert new_ring.current_id != old_id
    assert set(new_ring.keys) == {new_ring.current_id, old_id}
    only_new = parse_keys(key_file.read_text().splitlines()[0])
    values = _every_sealed_value()
    assert len(values) == 12
    for record, organization_id, token, _ in values:
        assert token_key_id(token) == new_ring.current_id
        unseal(token, organization_id=organization_id, record=record, ring=only_new)
    assert _texts() == texts_before
    assert (
        f"you may retire them once your backups made before today have expired: {old_id}"
        in output.getvalue()
    )


def test_a_second_run_has_nothing_left_to_do(coaching: Any, key_file: Path) -> None:
    _plant(coaching, count=1)
    call_command("rotate_encryption_key", stdout=io.StringIO())
    before = _every_sealed_value()
    output = io.StringIO()
    call_command("rotate_encryption_key", "--reencrypt-only", stdout=output)
    assert _every_sealed_value() == before
    assert "Done: 0 values" in output.getvalue()


def test_an_interrupted_rotation_resumes_where_it_stopped(coaching: Any, key_file: Path) -> None:
    _plant(coaching, count=2)
    old_id = keyring().current_id
    new_line = new_key_line()
    # As if the key had been added and the process killed after re-encrypting one note.
    key_file.write_text(new_line + "\n" + key_file.read_text())
    note = Note.all_organizations.order_by("pk").first()
    assert note is not None
    note.body = note.body  # re-assigning plain text seals it again with the current key
    note.save()
    call_command("rotate_encryption_key", "--reencrypt-only", stdout=io.StringIO())
    assert {token_key_id(token) for *_, token, _ in _every_sealed_value()} == {
        parse_keys(new_line).current_id
    }
    assert old_id in keyring().keys


def test_keys_from_the_environment_are_rotated_by_hand(coaching: Any, settings: Any) -> None:
    _plant(coaching, count=1)
    with pytest.raises(CommandError, match="--reencrypt-only"):
        call_command("rotate_encryption_key", stdout=io.StringIO())
    new_line = new_key_line()
    settings.PEERCOACH_ENCRYPTION_KEYS = f"{new_line},{settings.PEERCOACH_ENCRYPTION_KEYS}"
    call_command("rotate_encryption_key", "--reencrypt-only", stdout=io.StringIO())
    assert {token_key_id(token) for *_, token, _ in _every_sealed_value()} == {
        parse_keys(new_line).current_id
    }


def test_a_malformed_new_key_is_refused_before_anything_changes(
    coaching: Any, key_file: Path
) -> None:
    _plant(coaching, count=1)
    before = key_file.read_text()
    with pytest.raises(CommandError, match="base64"):
        call_command("rotate_encryption_key", "--key", "k2:not-base64!", stdout=io.StringIO())
    assert key_file.read_text() == before


def test_tokens_only_ever_reach_the_database(coaching: Any) -> None:
    _plant(coaching, count=1)
    assert all(is_token(token) for *_, token, _ in _every_sealed_value())


def test_the_key_file_command_creates_once(settings: Any, tmp_path: Path) -> None:
    settings.PEERCOACH_ENCRYPTION_KEYS = ""
    settings.PEERCOACH_ENCRYPTION_KEY_FILE = tmp_path / "keys"
    first, second = io.StringIO(), io.StringIO()
    call_command("encryption_key_create", stdout=first)
    call_command("encryption_key_create", stdout=second)
    assert "Created" in first.getvalue()
    assert "already exists" in second.getvalue()
