"""Reads for the members & roles page; always within one organization."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from peercoach.accounts.models import Invitation
from peercoach.organizations.models import Membership, Organization
from peercoach.people.models import Person

INVITE_CANDIDATES_SHOWN = 50


def members_list(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.in_organization(organization)
        .select_related("user", "person")
        .order_by("user__email")
    )


def member_get(*, organization: Organization, membership_id: int) -> Membership:
    """One membership of the organization; another organization's answers 404 like a missing one."""
    return get_object_or_404(
        Membership.objects.in_organization(organization).select_related("user", "person"),
        pk=membership_id,
    )


def organization_admins_active(*, organization: Organization) -> QuerySet[Membership]:
    return Membership.objects.in_organization(organization).filter(
        is_organization_admin=True, user__is_active=True
    )


def invite_candidates(*, organization: Organization) -> QuerySet[Person]:
    """Active people of the directory who have no account in the organization yet."""
    return Person.objects.in_organization(organization).filter(
        is_active=True, membership__isnull=True
    )


def invite_candidates_matching(*, organization: Organization, text: str) -> list[Person]:
    """Up to a screenful of people to invite; `has_open_invitation` marks those invited already
    (inviting them again sends a fresh link and withdraws the old one)."""
    open_invitation = Invitation.objects.in_organization(organization).filter(
        person=OuterRef("pk"),
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    people = invite_candidates(organization=organization).annotate(
        has_open_invitation=Exists(open_invitation)
    )
    if text:
        people = people.filter(
            Q(full_name__icontains=text) | Q(email__icontains=text) | Q(employee_id__iexact=text)
        )
    return list(people.order_by("full_name", "pk")[:INVITE_CANDIDATES_SHOWN])
