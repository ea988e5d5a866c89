"""Sealing: authenticated encryption at rest for the words people write about themselves.

`seal(text, organization_id=..., record=...)` returns a token such as ``pc1:k7Qa:<base64>``:
AES-256-GCM with a fresh random 96-bit nonce, the id of the key that sealed it, and the
organization and record (``"plans.Action:<uuid>:text"``) bound in as associated data. A token
copied onto another row, another field or another organization fails to open, and so does any
token changed by a single bit.

Keys never live in the database. They come from the ``PEERCOACH_ENCRYPTION_KEYS`` setting/env
variable (``id1:base64key,id0:base64oldkey``; the first one seals, all of them open) or, when
that is empty, from the key file ``PEERCOACH_ENCRYPTION_KEY_FILE`` (default
``var/encryption.keys``, one ``id:base64key`` a line, first = current), which
``manage.py encryption_key_create`` writes with mode 0600 (``bin/start`` runs it).

Other apps hold sealed text with `SealedTextField` (below): declare
``text = SealedTextField()`` on a model with a UUID primary key (default ``uuid.uuid4``) and an
``organization`` foreign key, then read and assign ``instance.text`` as plain text. The column
only ever holds tokens; the field seals on save, with the row's own organization and record.
`sealed_fields()` finds every such field in every installed app, which is how
``manage.py rotate_encryption_key`` re-encrypts everything, other apps' models included.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models

TOKEN_PREFIX = "pc1"
NONCE_BYTES = 12  # 96 bits, the size GCM is designed for
KEY_BYTES = 32  # AES-256


class EncryptionKeyMissingError(ImproperlyConfigured):
    """No key is configured, so nothing can be sealed or opened."""


class SealError(Exception):
    """A token could not be opened: unknown key, wrong record or organization, or tampering."""


@dataclass(frozen=True)
class Keyring:
    current_id: str
    keys: dict[str, bytes]

    def cipher(self, key_id: str) -> AESGCM:
        try:
            return _cipher(self.keys[key_id])
        except KeyError:
            raise SealError(
                f"This text was sealed with key {key_id!r}, which is not configured."
            ) from None


@lru_cache(maxsize=16)
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def new_key_line() -> str:
    """A fresh ``id:base64key`` line: a short random id and 256 random bits."""
    key_id = secrets.token_hex(4)
    key = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()
    return f"{key_id}:{key}"


def parse_keys(text: str) -> Keyring:
    """Parse ``id:base64key`` entries separated by commas or new lines (first = current)."""
    entries = [part.strip() for part in text.replace("\n", ",").split(",")]
    keys: dict[str, bytes] = {}
    for entry in entries:
        if not entry or entry.startswith("#"):
            continue
        key_id, separator, encoded = entry.partition(":")
        if not separator or not key_id or not key_id.isalnum():
            raise ImproperlyConfigured(
                "Each encryption key must look like 'keyid:base64key' (letters and digits "
                "for the id)."
            )
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise ImproperlyConfigured(f"Encryption key {key_id!r} is not valid base64.") from None
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(f"Encryption key {key_id!r} must be 32 bytes (AES-256).")
        keys.setdefault(key_id, key)
    if not keys:
        raise EncryptionKeyMissingError(MISSING_KEY_MESSAGE)
    return Keyring(current_id=next(iter(keys)), keys=keys)


MISSING_KEY_MESSAGE = (
    "No encryption key is configured, so notes and action plans cannot be sealed or read. "
    "Set PEERCOACH_ENCRYPTION_KEYS, or run `python manage.py encryption_key_create` to write "
    "the key file (PEERCOACH_ENCRYPTION_KEY_FILE, by default var/encryption.keys). Keep the key "
    "out of the database and back it up: without it, the sealed text cannot be read."
)


def key_file_path() -> Path:
    return Path(settings.PEERCOACH_ENCRYPTION_KEY_FILE)


def keys_come_from_file() -> bool:
    return not str(getattr(settings, "PEERCOACH_ENCRYPTION_KEYS", "")).strip()


def keyring() -> Keyring:
    configured = str(getattr(settings, "PEERCOACH_ENCRYPTION_KEYS", "")).strip()
    if configured:
        return _parsed(configured)
    # A stat per call (no Path objects) keeps this cheap while noticing a rotated file at once.
    path = os.fspath(settings.PEERCOACH_ENCRYPTION_KEY_FILE)
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise EncryptionKeyMissingError(MISSING_KEY_MESSAGE) from None
    return _keyring_from_file(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _parsed(configured: str) -> Keyring:
    return parse_keys(configured)


@lru_cache(maxsize=8)
def _keyring_from_file(path: str, mtime_ns: int, size: int) -> Keyring:
    # Cached by modification time, so a rotation that rewrites the file is picked up at once.
    return parse_keys(Path(path).read_text())


def key_file_create(path: Path | None = None) -> bool:
    """Write a key file with one new key, readable by its owner only. False if it exists."""
    path = path or key_file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w") as key_file:
        key_file.write(new_key_line() + "\n")
    return True


def key_file_prepend(line: str, path: Path | None = None) -> None:
    """Make `line` the current key, keeping the older ones so existing tokens still open."""
    path = path or key_file_path()
    parse_keys(line)  # refuse a malformed key before touching the file
    existing = path.read_text() if path.exists() else ""
    temporary = path.with_name(path.name + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as key_file:
        key_file.write(line.strip() + "\n" + existing)
    os.replace(temporary, path)  # atomic: a crash leaves the old file or the new one


def _associated_data(organization_id: int, record: str) -> bytes:
    return f"peercoach-seal-v1|organization={organization_id}|{record}".encode()


def seal(plaintext: str, *, organization_id: int, record: str, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = ring.cipher(ring.current_id).encrypt(
        nonce, plaintext.encode(), _associated_data(organization_id, record)
    )
    body = base64.urlsafe_b64encode(nonce + ciphertext).decode()
    return f"{TOKEN_PREFIX}:{ring.current_id}:{body}"


def token_key_id(token: str) -> str:
    prefix, _, rest = token.partition(":")
    key_id, separator, _ = rest.partition(":")
    if prefix != TOKEN_PREFIX or not separator:
        raise SealError("This is not a sealed token.")
    return key_id


def unseal(token: str, *, organization_id: int, record: str, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    key_id = token_key_id(token)
    try:
        raw = base64.urlsafe_b64decode(token.rsplit(":", 1)[1])
        plaintext = ring.cipher(key_id).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated_data(organization_id, record)
        )
    except (InvalidTag, ValueError, binascii.Error):
        # Never echo the token: the message may end up in a log.
        raise SealError(
            f"A sealed value for {record} did not open: it belongs to another record or "
            "organization, or it was changed."
        ) from None
    return plaintext.decode()


def is_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX + ":")


# --- The model field ----------------------------------------------------------------------


class SealedToken(str):
    """A value read from the database: already a token, to be opened on first read."""

    __slots__ = ()


class _SealedAttribute:
    """Reads open the token lazily; assignments keep plain text until the row is saved."""

    def __init__(self, field: SealedTextField) -> None:
        self.field = field

    def __get__(self, instance: models.Model | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        data = instance.__dict__
        attname = self.field.attname
        if attname not in data:
            instance.refresh_from_db(fields=[attname])
        value = data[attname]
        if not isinstance(value, SealedToken) or value == "":
            return str(value) if value is not None else ""
        cached = data.get(self.field.cache_name)
        if cached is not None and cached[0] is value:
            return cached[1]
        plaintext = unseal(
            value,
            organization_id=self.field.organization_id_of(instance),
            record=self.field.record_of(instance),
        )
        data[self.field.cache_name] = (value, plaintext)
        return plaintext

    def __set__(self, instance: models.Model, value: Any) -> None:
        if value is None:
            value = ""
        instance.__dict__[self.field.attname] = value


class SealedTextField(models.TextField):  # type: ignore[type-arg]
    """Text sealed at rest with the row's organization and record bound in; see the module doc."""

    descriptor_class = _SealedAttribute

    def __init__(self, *args: Any, organization_field: str = "organization", **kwargs: Any) -> None:
        self.organization_field = organization_field
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.organization_field != "organization":
            kwargs["organization_field"] = self.organization_field
        return name, path, args, kwargs

    @property
    def cache_name(self) -> str:
        return f"_unsealed_{self.attname}"

    def record_of(self, instance: models.Model) -> str:
        if instance.pk is None:
            raise ImproperlyConfigured(
                f"{instance._meta.label} needs its primary key before sealing: use a UUID "
                "primary key with default=uuid.uuid4."
            )
        return f"{instance._meta.label}:{instance.pk}:{self.name}"

    def organization_id_of(self, instance: models.Model) -> int:
        return int(getattr(instance, f"{self.organization_field}_id"))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return SealedToken(value) if value is not None else SealedToken("")

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname, "")
        if isinstance(value, SealedToken) or value == "":
            return value
        plaintext = str(value)
        token = SealedToken(
            seal(
                plaintext,
                organization_id=self.organization_id_of(model_instance),
                record=self.record_of(model_instance),
            )
        )
        model_instance.__dict__[self.attname] = token
        model_instance.__dict__[self.cache_name] = (token, plaintext)
        return token

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value and not is_token(value):
            # Only `save()` seals; a bulk update or a filter with plain text would store or
            # compare words in the clear, so it is refused outright.
            raise ImproperlyConfigured(
                f"{self.model._meta.label}.{self.name} only stores sealed tokens; "
                "assign the text and call save()."
            )
        return value

    def value_to_string(self, obj: models.Model) -> str:
        # Serialization (dumpdata) writes the token, never the text.
        return str(obj.__dict__.get(self.attname, ""))

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        pk = self.model._meta.pk
        if not isinstance(pk, models.UUIDField) or not pk.has_default():
            errors.append(
                checks.Error(
                    "Models with sealed text need a UUID primary key with a default, so the "
                    "record is known before the row is inserted.",
                    obj=self,
                    id="plans.E002",
                )
            )
        return errors


def sealed_fields() -> Iterator[tuple[type[models.Model], SealedTextField]]:
    """Every sealed field of every installed model: what key rotation must re-encrypt."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, SealedTextField):
                yield model, field
