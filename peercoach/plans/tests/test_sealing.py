from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from peercoach.plans.sealing import (
    EncryptionKeyMissingError,
    SealError,
    key_file_create,
    keyring,
    new_key_line,
    parse_keys,
    seal,
    token_key_id,
    unseal,
)

RECORD = "plans.Action:0b6f0f6e-8d0e-4a59-9a43-5a4e3d2c1b0a:text"


def test_a_sealed_text_opens_with_the_same_organization_and_record() -> None:
    token = seal("I will ask for feedback", organization_id=1, record=RECORD)
    assert "feedback" not in token
    assert unseal(token, organization_id=1, record=RECORD) == "I will ask for feedback"


@given(st.text(max_size=300))
def test_any_text_survives_sealing(text: str) -> None:
    ring = parse_keys(new_key_line())
    token = seal(text, organization_id=7, record=RECORD, ring=ring)
    assert unseal(token, organization_id=7, record=RECORD, ring=ring) == text


def test_sealing_the_same_text_twice_gives_different_tokens() -> None:
    first = seal("same words", organization_id=1, record=RECORD)
    assert first != seal("same words", organization_id=1, record=RECORD)


def test_a_token_moved_to_another_organization_does_not_open() -> None:
    token = seal("private", organization_id=1, record=RECORD)
    with pytest.raises(SealError):
        unseal(token, organization_id=2, record=RECORD)


def test_a_token_moved_to_another_row_or_field_does_not_open() -> None:
    token = seal("private", organization_id=1, record=RECORD)
    with pytest.raises(SealError):
        unseal(token, organization_id=1, record=RECORD.replace("0b6f", "1b6f"))
    with pytest.raises(SealError):
        unseal(token, organization_id=1, record=RECORD.replace(":text", ":goal"))


def test_a_tampered_token_does_not_open_and_the_error_does_not_quote_it() -> None:
    token = seal("private", organization_id=1, record=RECORD)
    flipped = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(SealError) as error:
        unseal(flipped, organization_id=1, record=RECORD)
    assert flipped not in str(error.value)


def test_the_token_names_the_key_that_sealed_it() -> None:
    token = seal("private", organization_id=1, record=RECORD)
    assert token_key_id(token) == "test1"


def test_old_keys_still_open_what_they_sealed(settings: Any) -> None:
    old = new_key_line()
    settings.PEERCOACH_ENCRYPTION_KEYS = old
    token = seal("private", organization_id=1, record=RECORD)
    settings.PEERCOACH_ENCRYPTION_KEYS = f"{new_key_line()},{old}"
    assert unseal(token, organization_id=1, record=RECORD) == "private"
    assert token_key_id(seal("x", organization_id=1, record=RECORD)) != token_key_id(token)


def test_a_token_sealed_with_an_unknown_key_says_which_key_is_missing(settings: Any) -> None:
    token = seal("private", organization_id=1, record=RECORD)
    settings.PEERCOACH_ENCRYPTION_KEYS = new_key_line()
    with pytest.raises(SealError, match="test1"):
        unseal(token, organization_id=1, record=RECORD)


def test_without_any_key_the_error_explains_what_to_do(settings: Any, tmp_path: Path) -> None:
    settings.PEERCOACH_ENCRYPTION_KEYS = ""
    settings.PEERCOACH_ENCRYPTION_KEY_FILE = tmp_path / "missing.keys"
    with pytest.raises(EncryptionKeyMissingError, match="encryption_key_create"):
        seal("private", organization_id=1, record=RECORD)


@pytest.mark.parametrize(
    "configured", ["nocolon", "k1:not base64!", "k1:c2hvcnQ=", "bad id:" + "A" * 44]
)
def test_malformed_keys_are_refused_with_a_reason(configured: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        parse_keys(configured)


def test_the_key_file_is_created_once_readable_by_its_owner_only(
    settings: Any, tmp_path: Path
) -> None:
    path = tmp_path / "var" / "encryption.keys"
    settings.PEERCOACH_ENCRYPTION_KEYS = ""
    settings.PEERCOACH_ENCRYPTION_KEY_FILE = path
    assert key_file_create() is True
    first = path.read_text()
    assert key_file_create() is False
    assert path.read_text() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token = seal("private", organization_id=1, record=RECORD)
    assert token_key_id(token) == keyring().current_id == first.split(":")[0]
