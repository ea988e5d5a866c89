"""The periodic sweep: nobody is left hanging.

Unanswered invitations and requests lapse; pairings complete when their program ends; pauses that
have run their course end, and the pairings that paused with them resume; a pair that
hasn't met for a while gets a gentle nudge, and later each member is offered a new match.
Rotation programs get their next round on the cadence (`rotation_rounds.py`).

Idempotent by construction: each nudge and offer is claimed with a conditional update on the
pairing ("not yet nudged since it went quiet"), so a second run, or two runs at once, never
sends the same message twice for the same quiet spell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from peercoach.feedback.services import advice_offers_expire
from peercoach.insights.refresh import insights_refresh_if_due
from peercoach.insights.summary_email import sponsor_summaries_send_due
from peercoach.meetings.sweep import meetings_sweep
from peercoach.organizations.models import Organization
from peercoach.plans.sweep import overdue_actions_remind
from peercoach.programs.inbox import inbox_message_send
from peercoach.programs.models import Program, ProgramStatus
from peercoach.programs.pairing_models import (
    CURRENT_STATUSES,
    InboxKind,
    Pairing,
    PairingStatus,
)
from peercoach.programs.pairing_services import (
    PairingError,
    pairing_complete,
    pairing_expire,
    pairing_link,
)
from peercoach.programs.request_services import requests_expire_due
from peercoach.programs.rotation_rounds import rotation_rounds_sweep
from peercoach.programs.services import enrollments_resume_due


@dataclass
class SweepResult:
    invitations_expired: int = 0
    requests_expired: int = 0
    pairings_completed: int = 0
    nudges: int = 0
    rematch_offers: int = 0
    enrollments_resumed: int = 0
    rotation_rounds_started: int = 0
    rotation_rounds_published: int = 0
    advice_offers_expired: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def pairings_sweep(*, now: datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    for organization in Organization.objects.order_by("pk"):
        _sweep_organization(organization, now, result)
    # An unanswered offer of advice lapses quietly: the person offered it is never pushed.
    result.advice_offers_expired = advice_offers_expire(now=now)
    return result


def _sweep_organization(organization: Organization, now: datetime, result: SweepResult) -> None:
    result.pairings_completed += pairings_complete_finished_programs(
        organization=organization, now=now
    )
    # Pauses that have run their course end first, so their pairings count as active below.
    result.enrollments_resumed += enrollments_resume_due(
        organization=organization, today=timezone.localdate(now), now=now
    )
    due = Pairing.objects.in_organization(organization).filter(
        status=PairingStatus.INVITED, expires_at__lte=now
    )
    for pairing in due:
        result.invitations_expired += _quietly(pairing_expire, pairing, now)
    result.requests_expired += requests_expire_due(organization_id=organization.pk, now=now)
    quiet = (
        Pairing.objects.in_organization(organization)
        .filter(status=PairingStatus.ACTIVE)
        .select_related("program")
    )
    for pairing in quiet:
        offered = _offer_rematch(pairing, now)
        result.rematch_offers += offered
        if not offered:
            result.nudges += _nudge(pairing, now)
    rounds = rotation_rounds_sweep(organization=organization, now=now)
    result.rotation_rounds_started += rounds.started
    result.rotation_rounds_published += rounds.published
    meetings_sweep(organization=organization, now=now)  # sessions ahead, reminders
    overdue_actions_remind(organization=organization, now=now)  # owner only, no plan text
    insights_refresh_if_due(organization=organization, now=now)  # daily rebuild, queued
    sponsor_summaries_send_due(organization=organization, now=now)  # weekly, group figures only


def pairings_complete_finished_programs(
    *, organization: Organization, now: datetime | None = None
) -> int:
    """Complete the pairings of programs that have ended; lapse their open invitations."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    finished = Program.objects.in_organization(organization).filter(
        Q(ends_on__lt=today) | Q(status=ProgramStatus.FINISHED)
    )
    pairings = Pairing.objects.in_organization(organization).filter(program__in=finished)
    completed = 0
    for pairing in pairings.filter(status__in=CURRENT_STATUSES):
        completed += _quietly(pairing_complete, pairing, now)
    for pairing in pairings.filter(status__in=[PairingStatus.INVITED, PairingStatus.PROPOSED]):
        _quietly(pairing_expire, pairing, now)
    return completed


def _quietly(change: Callable[..., Pairing], pairing: Pairing, now: datetime) -> int:
    """Apply a change; 0 when the pairing moved on meanwhile (a member answered, another sweep
    got there first), which is no reason to stop the sweep."""
    try:
        change(pairing=pairing, now=now)
    except PairingError:
        return 0
    return 1


def _nudge(pairing: Pairing, now: datetime) -> int:
    quiet_since = pairing.quiet_since
    if quiet_since is None or now - quiet_since < timedelta(days=pairing.program.nudge_after_days):
        return 0
    if not _claim(pairing, "nudged_at", quiet_since, now):
        return 0
    for member in pairing.members.select_related("person"):
        inbox_message_send(
            recipient=member.person,
            kind=InboxKind.NUDGE,
            subject=f"Time for a catch-up? ({pairing.program.name})",
            body=(
                "It's been a few weeks since your pairing started or last met. Weeks get busy; "
                "a short message to suggest a time is often all it takes."
            ),
            link=pairing_link(pairing),
            now=now,
        )
    return 1


def _offer_rematch(pairing: Pairing, now: datetime) -> int:
    quiet_since = pairing.quiet_since
    after = timedelta(days=pairing.program.rematch_after_days)
    if quiet_since is None or now - quiet_since < after:
        return 0
    if not _claim(pairing, "rematch_offered_at", quiet_since, now):
        return 0
    for member in pairing.members.select_related("person"):
        inbox_message_send(
            recipient=member.person,
            kind=InboxKind.REMATCH_OFFER,
            subject=f"Would a new match suit you better? ({pairing.program.name})",
            body=(
                "Your pairing hasn't met for a while. That's fine: timing doesn't always work "
                "out. If you'd like a new peer, you can end this pairing on its page, no reason "
                "needed, and we'll match you again. If you'd rather carry on, just meet up."
            ),
            link=pairing_link(pairing),
            now=now,
        )
    return 1


def _claim(pairing: Pairing, field: str, quiet_since: datetime, now: datetime) -> bool:
    """Mark the pairing as handled for this quiet spell; False when someone already did."""
    not_yet = Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": quiet_since})
    updates = {field: now}
    if field == "rematch_offered_at":
        updates["nudged_at"] = now  # an offer of a new match says all a nudge would
    claimed = (
        Pairing.objects.in_organization(pairing.organization_id)
        .filter(not_yet, pk=pairing.pk, status=PairingStatus.ACTIVE)
        .update(**updates)
    )
    return claimed == 1
