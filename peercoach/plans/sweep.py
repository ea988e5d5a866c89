"""Overdue actions: a gentle reminder to the owner, and to nobody else.

Once per action per overdue spell: the action is claimed with a conditional update that records
the due date it was reminded about, so a second sweep (or two at once) sends nothing new, and
moving the date starts a new spell. The message carries no words from the plan, only a link:
emails leave our hands, plans must not.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from uuid import UUID

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from peercoach.organizations.models import Organization
from peercoach.people.models import Person
from peercoach.plans.models import Action, ActionStatus, PlanStatus
from peercoach.programs.inbox import inbox_message_send
from peercoach.programs.pairing_models import InboxKind


def overdue_actions_remind(*, organization: Organization, now: datetime | None = None) -> int:
    """Remind owners of actions past their due date; returns how many actions were claimed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    overdue = (
        Action.objects.in_organization(organization)
        .filter(status=ActionStatus.OPEN, plan__status=PlanStatus.OPEN, due_on__lt=today)
        .filter(Q(overdue_reminded_for__isnull=True) | ~Q(overdue_reminded_for=F("due_on")))
        .values_list("pk", "due_on", "plan__owner_id", "plan_id")
    )
    claimed_by_owner: dict[int, list[UUID]] = defaultdict(list)
    for action_id, due_on, owner_id, plan_id in overdue:
        if due_on is not None and _claim(organization, action_id, due_on):
            claimed_by_owner[owner_id].append(plan_id)
    for owner_id, plan_ids in claimed_by_owner.items():
        _send(organization, owner_id, plan_ids, now)
    return sum(len(plan_ids) for plan_ids in claimed_by_owner.values())


def _claim(organization: Organization, action_id: UUID, due_on: date) -> bool:
    not_yet = Q(overdue_reminded_for__isnull=True) | ~Q(overdue_reminded_for=due_on)
    return (
        Action.objects.in_organization(organization)
        .filter(not_yet, pk=action_id, status=ActionStatus.OPEN, due_on=due_on)
        .update(overdue_reminded_for=due_on)
        == 1
    )


def _send(organization: Organization, owner_id: int, plan_ids: list[UUID], now: datetime) -> None:
    owner = Person.objects.in_organization(organization).get(pk=owner_id)
    count = len(plan_ids)
    single_plan = len(set(plan_ids)) == 1
    link = reverse("plans:detail", args=[plan_ids[0]]) if single_plan else reverse("plans:list")
    subject = (
        "An action from your plan is past its date"
        if count == 1
        else f"{count} actions from your plans are past their dates"
    )
    with transaction.atomic():
        inbox_message_send(
            recipient=owner,
            kind=InboxKind.ACTION_OVERDUE,
            subject=subject,
            body=(
                "No pressure: plans change. When you have a moment, mark it done, drop it, or "
                "give it a new date, so your next session starts from where you really are. "
                "Only you get this reminder."
            ),
            link=link,
            now=now,
        )
