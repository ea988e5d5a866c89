"""The weekly summary to each program's sponsor: the health findings, a few headline figures and
a link, nothing about any one person.

The hourly sweep calls `sponsor_summaries_send_due`. A summary is due on Monday, or at the first
sweep seven days after the last one (so a missed Monday is made up, never doubled). Each
program-week is claimed by inserting its `SponsorSummary` row before the email is queued: the
unique constraint turns a second sweep, or two at once, into a no-op. The email is rendered when
the task runs, from the released figures of that moment (`health.program_health`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from peercoach.insights.charts import month_label
from peercoach.insights.health import ProgramHealth, program_health
from peercoach.insights.summary_models import SponsorSummary
from peercoach.organizations.models import Organization
from peercoach.programs.models import Program, ProgramStatus

SUMMARY_WEEKDAY = 0  # Monday
SUMMARY_INTERVAL = dt.timedelta(days=7)
# Programs whose sponsor hears weekly: those taking people in or running, until they end.
ACTIVE_STATUSES = (ProgramStatus.OPEN, ProgramStatus.RUNNING)


@dataclass(frozen=True)
class SummaryEmail:
    subject: str
    text: str
    html: str


def week_starts_on(day: dt.date) -> dt.date:
    """The Monday of the ISO week `day` falls in."""
    return day - dt.timedelta(days=day.weekday())


def programs_with_sponsors(*, organization: Organization, today: dt.date) -> QuerySet[Program]:
    return (
        Program.objects.in_organization(organization)
        .filter(
            status__in=ACTIVE_STATUSES,
            ends_on__gte=today,
            sponsor__isnull=False,
            sponsor__user__is_active=True,
        )
        # The summary links to the health page: only a member who may open it hears.
        .filter(
            Q(sponsor__is_sponsor=True)
            | Q(sponsor__is_program_manager=True)
            | Q(sponsor__is_organization_admin=True)
        )
        .exclude(Q(sponsor__user__email="") | Q(sponsor__user__email__isnull=True))
        .select_related("sponsor__user")
        .order_by("pk")
    )


def is_due(*, today: dt.date, last_claimed_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Monday, or a week since the last summary (a first summary goes out at once)."""
    if last_claimed_at is None or today.weekday() == SUMMARY_WEEKDAY:
        return True
    return now - last_claimed_at >= SUMMARY_INTERVAL


def sponsor_summaries_send_due(
    *, organization: Organization, now: dt.datetime | None = None
) -> int:
    """Claim this week's summary for every active program with a sponsor, and queue its email.
    Returns how many were claimed by this call (0 on a second run the same week)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    week = week_starts_on(today)
    programs = list(programs_with_sponsors(organization=organization, today=today))
    last_claims = dict(
        SponsorSummary.objects.in_organization(organization)
        .filter(program__in=[program.pk for program in programs])
        .values("program")
        .annotate(last=Max("claimed_at"))
        .values_list("program", "last")
    )
    claimed = 0
    for program in programs:
        last = last_claims.get(program.pk)
        if not is_due(today=today, last_claimed_at=last, now=now):
            continue
        claimed += _claim_and_queue(program, week, now)
    return claimed


def _claim_and_queue(program: Program, week: dt.date, now: dt.datetime) -> int:
    from peercoach.insights.summary_tasks import sponsor_summary_email

    try:
        with transaction.atomic():
            summary = SponsorSummary.objects.create(
                organization_id=program.organization_id,
                program=program,
                sponsor_id=program.sponsor_id,
                week_starts_on=week,
                claimed_at=now,
            )
    except IntegrityError:
        return 0  # this week's summary is already claimed, by an earlier or a parallel sweep
    summary_id = summary.pk
    transaction.on_commit(lambda: sponsor_summary_email.enqueue(summary_id))
    return 1


def summary_email_content(
    *, program: Program, health: ProgramHealth, week: dt.date, greeting_name: str
) -> SummaryEmail:
    context = {
        "program": program,
        "health": health,
        "week": week,
        "month_name": month_label(health.month) if health.month else "",
        "greeting_name": greeting_name,
        "health_link": settings.SITE_URL + reverse("insights:health", args=[program.pk]),
        "dashboard_link": settings.SITE_URL + reverse("insights:program", args=[program.pk]),
    }
    return SummaryEmail(
        subject=render_to_string("insights/email/summary_subject.txt", context).strip(),
        text=render_to_string("insights/email/summary_message.txt", context),
        html=render_to_string("insights/email/summary_message.html", context),
    )


def sponsor_summary_compose(*, summary: SponsorSummary) -> SummaryEmail:
    """The email for one claimed summary, from the figures released now."""
    program = summary.program
    health = program_health(
        organization=program.organization, program=program, today=timezone.localdate()
    )
    sponsor = summary.sponsor
    name = sponsor.user.full_name if sponsor is not None else ""
    return summary_email_content(
        program=program, health=health, week=summary.week_starts_on, greeting_name=name
    )
