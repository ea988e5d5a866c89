"""Background work for the weekly sponsor summaries (the build's own tasks are in tasks.py)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.tasks import task
from django.utils import timezone

from peercoach.insights.permissions import ORGANIZATION_SCOPE_ROLES
from peercoach.insights.summary_email import sponsor_summary_compose
from peercoach.insights.summary_models import SponsorSummary


@task
def sponsor_summary_email(summary_id: int) -> bool:
    """Email one claimed weekly summary to its sponsor, once. Returns whether an email went out."""
    # Claimed with a conditional update, so a task run twice sends once.
    claimed = SponsorSummary.all_organizations.filter(
        pk=summary_id, emailed_at__isnull=True
    ).update(emailed_at=timezone.now())
    if not claimed:
        return False
    summary = SponsorSummary.all_organizations.select_related(
        "program__organization", "sponsor__user"
    ).get(pk=summary_id)
    sponsor = summary.sponsor
    # Sponsors change: someone who no longer sponsors the program doesn't hear about it.
    if sponsor is None or summary.program.sponsor_id != sponsor.pk or not sponsor.user.is_active:
        return False
    if not sponsor.has_any_role(*ORGANIZATION_SCOPE_ROLES):
        return False
    if not sponsor.user.email:
        return False
    email = sponsor_summary_compose(summary=summary)
    try:
        send_mail(email.subject, email.text, None, [sponsor.user.email], html_message=email.html)
    except Exception:
        # Unclaim, so that a retry sends it.
        SponsorSummary.all_organizations.filter(pk=summary_id).update(emailed_at=None)
        raise
    return True
