from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from peercoach.plans.models import Action, ActionPlan, Note
from peercoach.plans.sealing import SealError, is_token, sealed_fields
from peercoach.plans.services import ActionDraft, action_plan_create, note_create


def _raw(table: str, column: str, pk: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk.hex])
        row = cursor.fetchone()
    if row is None:  # PostgreSQL stores UUIDs natively
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [str(pk)])
            row = cursor.fetchone()
    return str(row[0])


def test_the_column_holds_a_token_and_the_attribute_reads_as_text(coaching: Any) -> None:
    note = note_create(owner=coaching.pia, pairing=coaching.pairing, body="my secret worry")
    stored = _raw("plans_note", "body", note.pk)
    assert is_token(stored)
    assert "secret" not in stored
    reloaded = Note.objects.in_organization(coaching.program.organization).get(pk=note.pk)
    assert reloaded.body == "my secret worry"


def test_an_edit_is_sealed_again_on_save(coaching: Any) -> None:
    note = note_create(owner=coaching.pia, pairing=coaching.pairing, body="first")
    first = _raw("plans_note", "body", note.pk)
    note.body = "second thoughts"
    note.save()
    assert _raw("plans_note", "body", note.pk) != first
    assert Note.all_organizations.get(pk=note.pk).body == "second thoughts"


def test_a_token_copied_to_another_row_does_not_open(coaching: Any) -> None:
    plan = action_plan_create(
        owner=coaching.pia,
        session=coaching.session,
        goal="goal",
        actions=[ActionDraft("one"), ActionDraft("two")],
    )
    first, second = Action.all_organizations.filter(plan=plan).order_by("position")
    Action.all_organizations.filter(pk=second.pk).update(
        text=_raw("plans_action", "text", first.pk)
    )
    with pytest.raises(SealError):
        _ = Action.all_organizations.get(pk=second.pk).text


def test_a_bulk_update_with_plain_text_is_refused(coaching: Any) -> None:
    note = note_create(owner=coaching.pia, pairing=coaching.pairing, body="kept")
    with pytest.raises(ImproperlyConfigured):
        Note.all_organizations.filter(pk=note.pk).update(body="in the clear")


def test_serialization_writes_tokens_only(coaching: Any) -> None:
    from django.core import serializers

    note_create(owner=coaching.pia, pairing=coaching.pairing, body="never in a dump")
    dumped = serializers.serialize("json", Note.all_organizations.all())
    assert "never in a dump" not in dumped
    assert "pc1:" in dumped


def test_every_sealed_field_is_discoverable() -> None:
    found = {(model._meta.label, field.name) for model, field in sealed_fields()}
    assert {
        ("plans.ActionPlan", "goal"),
        ("plans.Action", "text"),
        ("plans.CheckIn", "text"),
        ("plans.Note", "body"),
    } <= found


def test_the_models_string_never_shows_the_text(coaching: Any) -> None:
    plan = action_plan_create(
        owner=coaching.pia, session=coaching.session, goal="hidden goal", actions=[]
    )
    assert "hidden" not in str(plan)
    assert "hidden" not in repr(plan)
    assert isinstance(plan, ActionPlan)
