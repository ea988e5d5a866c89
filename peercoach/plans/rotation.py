"""Re-encrypting every sealed value under the current key, so old keys can be retired.

Every `SealedTextField` of every installed app is covered (found by `sealing.sealed_fields`).
Rows are read in primary-key order a batch at a time; each value is opened with whichever key
sealed it and sealed again with the current one, written with a conditional update (only if the
row still holds the token we read), so a person editing meanwhile never loses their words.
Rows already under the current key are skipped, which makes a second run, or a run after an
interruption, pick up exactly where the first left off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models, transaction

from peercoach.plans.sealing import (
    TOKEN_PREFIX,
    Keyring,
    SealedTextField,
    SealError,
    keyring,
    seal,
    sealed_fields,
    unseal,
)


@dataclass
class RotationResult:
    current_key_id: str
    resealed: dict[str, int] = field(default_factory=dict)
    unreadable: dict[str, int] = field(default_factory=dict)
    still_in_use: set[str] = field(default_factory=set)
    retirable: list[str] = field(default_factory=list)

    @property
    def total_resealed(self) -> int:
        return sum(self.resealed.values())


def _prefix(key_id: str) -> str:
    return f"{TOKEN_PREFIX}:{key_id}:"


def reseal_everything(
    *,
    batch_size: int = 500,
    ring: Keyring | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> RotationResult:
    ring = ring or keyring()
    result = RotationResult(current_key_id=ring.current_id)
    for model, sealed in sealed_fields():
        label = f"{model._meta.label}.{sealed.name}"
        resealed, unreadable = _reseal_field(model, sealed, ring, batch_size)
        result.resealed[label] = resealed
        if unreadable:
            result.unreadable[label] = unreadable
        if progress is not None:
            progress(label, resealed)
    for key_id in ring.keys:
        if key_id != ring.current_id and _key_in_use(key_id):
            result.still_in_use.add(key_id)
    result.retirable = [
        key_id
        for key_id in ring.keys
        if key_id != ring.current_id and key_id not in result.still_in_use
    ]
    return result


def _reseal_field(
    model: type[models.Model], sealed: SealedTextField, ring: Keyring, batch_size: int
) -> tuple[int, int]:
    manager = model._base_manager
    column = sealed.attname
    organization_column = f"{sealed.organization_field}_id"
    pending = (
        manager.exclude(**{column: ""})
        .exclude(**{f"{column}__startswith": _prefix(ring.current_id)})
        .order_by("pk")
    )
    resealed = unreadable = 0
    last_pk = None
    while True:
        batch_query = pending if last_pk is None else pending.filter(pk__gt=last_pk)
        batch = list(batch_query.values_list("pk", organization_column, column)[:batch_size])
        if not batch:
            return resealed, unreadable
        with transaction.atomic():
            for pk, organization_id, token in batch:
                done = _reseal_one(manager, sealed, ring, pk, organization_id, str(token))
                resealed += done
                unreadable += not done
        last_pk = batch[-1][0]


def _reseal_one(
    manager: models.Manager[models.Model],
    sealed: SealedTextField,
    ring: Keyring,
    pk: object,
    organization_id: int,
    token: str,
) -> bool:
    record = f"{sealed.model._meta.label}:{pk}:{sealed.name}"
    try:
        plaintext = unseal(token, organization_id=organization_id, record=record, ring=ring)
    except SealError:
        return False  # reported by count; never by content
    fresh = seal(plaintext, organization_id=organization_id, record=record, ring=ring)
    # Only if the row still holds what we read: an edit made meanwhile is already current.
    manager.filter(pk=pk, **{sealed.attname: token}).update(**{sealed.attname: fresh})
    return True


def _key_in_use(key_id: str) -> bool:
    return any(
        model._base_manager.filter(**{f"{sealed.attname}__startswith": _prefix(key_id)}).exists()
        for model, sealed in sealed_fields()
    )
