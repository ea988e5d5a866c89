"""Reading plans and notes, always through the reader: nothing here returns another person's
words unless `permissions` says the reader may see them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from peercoach.meetings.models import CoachingSession
from peercoach.people.models import Person
from peercoach.plans.models import (
    Action,
    ActionPlan,
    ActionStatus,
    CheckIn,
    Note,
    PlanStatus,
)
from peercoach.plans.permissions import can_read, current_member_filter
from peercoach.programs.pairing_models import Pairing, PairingMember


@dataclass
class PlanReview:
    plan: ActionPlan
    open_actions: list[Action]


@dataclass
class OwnerReview:
    """One client's open actions from earlier sessions, as the viewer may see them."""

    owner: Person
    is_viewer: bool
    plans: list[PlanReview] = field(default_factory=list)

    @property
    def open_action_count(self) -> int:
        return sum(len(review.open_actions) for review in self.plans)


def _parse_uuid(value: uuid.UUID | str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404("No such page.") from None


def _visible_to(viewer: Person) -> Q:
    """Own items, and items shared with a pairing the viewer is still in."""
    shared_pairings = PairingMember.objects.in_organization(viewer.organization_id).filter(
        current_member_filter(), person=viewer, pairing_id=OuterRef("pairing_id")
    )
    return Q(owner=viewer) | (Q(shared_with_pairing=True) & Q(Exists(shared_pairings)))


def _plans(viewer: Person) -> QuerySet[ActionPlan]:
    actions = Action.objects.in_organization(viewer.organization_id).prefetch_related(
        Prefetch("check_ins", queryset=CheckIn.objects.in_organization(viewer.organization_id))
    )
    return (
        ActionPlan.objects.in_organization(viewer.organization_id)
        .select_related("owner", "pairing__program", "session")
        .prefetch_related(Prefetch("actions", queryset=actions))
    )


def plans_mine(*, owner: Person) -> list[ActionPlan]:
    """The owner's plans, open ones first, newest first."""
    plans = _plans(owner).filter(owner=owner)
    return sorted(
        plans, key=lambda plan: (plan.status != PlanStatus.OPEN, -plan.created_at.timestamp())
    )


def plans_shared_with_me(*, viewer: Person) -> list[ActionPlan]:
    return list(_plans(viewer).filter(_visible_to(viewer)).exclude(owner=viewer))


def plan_for_viewer(*, viewer: Person | None, plan_id: uuid.UUID | str) -> ActionPlan:
    """A plan the viewer may read; anyone else's answers 404, like a missing one."""
    if viewer is None:
        raise Http404("No such plan.")
    plan = _plans(viewer).filter(_visible_to(viewer), pk=_parse_uuid(plan_id)).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


def action_for_viewer(*, viewer: Person | None, action_id: uuid.UUID | str) -> Action:
    if viewer is None:
        raise Http404("No such action.")
    action = (
        Action.objects.in_organization(viewer.organization_id)
        .select_related("plan")
        .filter(pk=_parse_uuid(action_id))
        .first()
    )
    if action is None or not can_read(action.plan, viewer):
        raise Http404("No such action.")
    return action


def notes_mine(*, owner: Person, pairing: Pairing | None = None) -> QuerySet[Note]:
    notes = Note.objects.in_organization(owner.organization_id).filter(owner=owner)
    if pairing is not None:
        notes = notes.filter(pairing=pairing)
    return notes.select_related("pairing__program", "session")


def notes_for_pairing(*, viewer: Person, pairing: Pairing) -> QuerySet[Note]:
    """The viewer's own notes for a pairing, and those its members shared with it."""
    return (
        Note.objects.in_organization(viewer.organization_id)
        .filter(_visible_to(viewer), pairing=pairing)
        .select_related("owner", "session")
    )


def note_for_viewer(*, viewer: Person | None, note_id: uuid.UUID | str) -> Note:
    if viewer is None:
        raise Http404("No such note.")
    note = (
        Note.objects.in_organization(viewer.organization_id)
        .filter(_visible_to(viewer), pk=_parse_uuid(note_id))
        .select_related("owner", "pairing__program", "session")
        .first()
    )
    if note is None:
        raise Http404("No such note.")
    return note


def actions_to_review(*, session: CoachingSession, viewer: Person) -> list[OwnerReview]:
    """The open actions each client of the session's pairing took on at earlier sessions.

    Only what `viewer` may see: their own plans, and plans their owners shared with the pairing.
    Grouped by owner, the viewer first; owners with nothing open are left out. A viewer who is
    not a member of the pairing sees nothing.
    """
    organization_id = session.organization_id
    members = PairingMember.objects.in_organization(organization_id).filter(
        current_member_filter(), pairing_id=session.pairing_id
    )
    member_ids = set(members.values_list("person_id", flat=True))
    if viewer.pk not in member_ids:
        return []
    open_actions = Action.objects.in_organization(organization_id).filter(status=ActionStatus.OPEN)
    earlier = Q(session__starts_at__lt=session.starts_at) | Q(
        session__isnull=True, created_at__lt=session.starts_at
    )
    plans = (
        ActionPlan.objects.in_organization(organization_id)
        .filter(earlier, pairing_id=session.pairing_id, status=PlanStatus.OPEN)
        .filter(owner_id__in=member_ids)
        .filter(Q(owner=viewer) | Q(shared_with_pairing=True))
        .exclude(session=session)
        .select_related("owner", "session")
        .prefetch_related(Prefetch("actions", queryset=open_actions, to_attr="open_actions"))
        .order_by("created_at", "pk")
    )
    groups: dict[int, OwnerReview] = {}
    for plan in plans:
        if not plan.open_actions:
            continue
        group = groups.setdefault(
            plan.owner_id, OwnerReview(owner=plan.owner, is_viewer=plan.owner_id == viewer.pk)
        )
        group.plans.append(PlanReview(plan=plan, open_actions=plan.open_actions))
    return sorted(groups.values(), key=lambda g: (not g.is_viewer, g.owner.full_name, g.owner.pk))


def open_action_counts(*, owner: Person, today: date | None = None) -> dict[str, int]:
    """How many of the owner's actions are open, and how many of those are past their date."""
    today = today or timezone.localdate()
    open_actions = Action.objects.in_organization(owner.organization_id).filter(
        plan__owner=owner, plan__status=PlanStatus.OPEN, status=ActionStatus.OPEN
    )
    return {
        "open_actions": open_actions.count(),
        "overdue_actions": open_actions.filter(due_on__lt=today).count(),
    }
