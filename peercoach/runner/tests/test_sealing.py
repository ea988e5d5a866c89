"""What members write in a session is sealed like plans and notes, and rotates with them."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from peercoach.plans.sealing import (
    SealError,
    key_file_create,
    keyring,
    parse_keys,
    token_key_id,
    unseal,
)
from peercoach.runner import services
from peercoach.runner.models import ObserverNote, SessionOption, SessionRun
from peercoach.runner.scripts import StepKind


@pytest.fixture
def key_file(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "encryption.keys"
    settings.PEERCOACH_ENCRYPTION_KEYS = ""
    settings.PEERCOACH_ENCRYPTION_KEY_FILE = path
    key_file_create(path)
    return path


def _options_step(triad) -> SessionRun:
    run = services.run_start(session=triad.session, by=triad.people[0])
    run.position = next(
        s.position for s in services.run_slots(run) if s.step.kind == StepKind.OPTIONS
    )
    run.save(update_fields=["position"])
    return run


def test_key_rotation_re_encrypts_options_and_observer_notes(triad, key_file: Path) -> None:
    pia, cole, tess = triad.people
    run = _options_step(triad)
    option = services.option_add(run=run, by=cole, text="Ask for help", pros="Fast", cons="Shy")
    note = services.observer_note_add(run=run, by=tess, text="Good questions")
    old_id = keyring().current_id

    call_command("rotate_encryption_key", stdout=io.StringIO())

    only_new = parse_keys(key_file.read_text().splitlines()[0])
    assert only_new.current_id != old_id
    raw_option = SessionOption.all_organizations.values("text", "pros", "cons").get()
    raw_note = ObserverNote.all_organizations.values_list("text", flat=True).get()
    for token in [*raw_option.values(), raw_note]:
        assert token_key_id(token) == only_new.current_id
    record = f"runner.SessionOption:{option.pk}:pros"
    assert (
        unseal(
            raw_option["pros"], organization_id=run.organization_id, record=record, ring=only_new
        )
        == "Fast"
    )
    reread = ObserverNote.all_organizations.get(pk=note.pk)
    assert reread.text == "Good questions"


def test_a_sealed_option_copied_onto_another_row_does_not_open(triad) -> None:
    run = _options_step(triad)
    cole = triad.people[1]
    first = services.option_add(run=run, by=cole, text="First")
    second = services.option_add(run=run, by=cole, text="Second")
    token = SessionOption.all_organizations.values_list("text", flat=True).get(pk=first.pk)
    SessionOption.all_organizations.filter(pk=second.pk).update(text=token)
    with pytest.raises(SealError, match="did not open"):
        _ = SessionOption.all_organizations.get(pk=second.pk).text
