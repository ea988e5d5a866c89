from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core import mail
from django.utils import timezone

from peercoach.plans.models import Action, ActionStatus
from peercoach.plans.services import (
    ActionDraft,
    action_edit,
    action_plan_create,
    action_set_status,
)
from peercoach.plans.sweep import overdue_actions_remind
from peercoach.programs.pairing_models import InboxMessage
from peercoach.programs.sweep import pairings_sweep

TODAY = date(2030, 3, 10)
NOW = timezone.make_aware(datetime(2030, 3, 10, 9, 0))


def _plan(coaching: Any, *due: date | None) -> Any:
    return action_plan_create(
        owner=coaching.pia,
        session=coaching.session,
        goal="Delegate more (secret goal)",
        actions=[ActionDraft(f"secret action {n}", due_on) for n, due_on in enumerate(due)],
    )


def _inbox(person: Any) -> list[InboxMessage]:
    return list(InboxMessage.all_organizations.filter(recipient=person, link__startswith="/plans/"))


def test_the_owner_is_reminded_of_an_overdue_action_once(coaching: Any) -> None:
    _plan(coaching, TODAY - timedelta(days=1))
    assert overdue_actions_remind(organization=coaching.program.organization, now=NOW) == 1
    assert overdue_actions_remind(organization=coaching.program.organization, now=NOW) == 0
    later = NOW + timedelta(days=3)
    assert overdue_actions_remind(organization=coaching.program.organization, now=later) == 0
    [message] = _inbox(coaching.pia)
    assert _inbox(coaching.cole) == []
    assert message.link.startswith("/plans/")


def test_the_reminder_carries_no_words_from_the_plan(
    coaching: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _plan(coaching, TODAY - timedelta(days=1), TODAY - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        overdue_actions_remind(organization=coaching.program.organization, now=NOW)
    [message] = _inbox(coaching.pia)
    assert message.subject == "2 actions from your plans are past their dates"
    for text in (message.subject, message.body):
        assert "secret" not in text
        assert "Delegate" not in text
    reminders = [email for email in mail.outbox if " past " in email.subject]
    assert [email.to for email in reminders] == [[coaching.pia.email]]
    for email in mail.outbox:
        assert "secret" not in email.body
        assert "Delegate" not in email.subject


def test_actions_not_yet_due_done_or_dropped_are_left_alone(coaching: Any) -> None:
    plan = _plan(coaching, TODAY, None, TODAY - timedelta(days=5), TODAY - timedelta(days=5))
    *_, done, dropped = plan.actions.order_by("position")
    action_set_status(action=done, by=coaching.pia, status=ActionStatus.DONE)
    action_set_status(action=dropped, by=coaching.pia, status=ActionStatus.DROPPED)
    assert overdue_actions_remind(organization=coaching.program.organization, now=NOW) == 0


def test_a_new_date_starts_a_new_overdue_spell(coaching: Any) -> None:
    plan = _plan(coaching, TODAY - timedelta(days=1))
    organization = coaching.program.organization
    overdue_actions_remind(organization=organization, now=NOW)
    action = plan.actions.get()
    action_edit(action=action, by=coaching.pia, text=action.text, due_on=TODAY + timedelta(days=7))
    assert overdue_actions_remind(organization=organization, now=NOW + timedelta(days=7)) == 0
    assert overdue_actions_remind(organization=organization, now=NOW + timedelta(days=8)) == 1
    assert len(_inbox(coaching.pia)) == 2


def test_the_hourly_sweep_includes_overdue_reminders(coaching: Any) -> None:
    _plan(coaching, TODAY - timedelta(days=1))
    pairings_sweep(now=NOW)
    action = Action.all_organizations.get()
    assert action.overdue_reminded_for == TODAY - timedelta(days=1)
