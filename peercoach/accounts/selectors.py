"""Account reads: invitations by token (public) and by organization (admins)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from peercoach.accounts.models import Invitation, User
from peercoach.accounts.services import invitation_token_hash
from peercoach.organizations.models import Organization


def invitation_get_by_token(*, token: str) -> Invitation | None:
    """The invitation a link points to. The token itself is the scope: it names one organization."""
    return (
        Invitation.all_organizations.select_related("organization", "person", "invited_by")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


def invitations_open(*, organization: Organization) -> QuerySet[Invitation]:
    return (
        Invitation.objects.in_organization(organization)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("person", "invited_by")
        .order_by("-created_at", "pk")
    )


def invitation_get(*, organization: Organization, invitation_id: int) -> Invitation:
    """One invitation of the organization; another organization's answers 404 like a missing one."""
    return get_object_or_404(
        Invitation.objects.in_organization(organization).select_related("person"),
        pk=invitation_id,
    )


def existing_account_for_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()
