"""Membership writes: roles and switching accounts off and on, with the rules that keep an
organization manageable (it always keeps at least one active organization admin)."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone

from peercoach.accounts.models import User
from peercoach.core.errors import RefusedError
from peercoach.organizations.models import SMALLEST_REPORTING_SIZE, Membership, Organization


class MembershipError(RefusedError):
    """The change was refused; `message` says why, for the admin who asked."""


def _lock_admins(membership: Membership) -> list[Membership]:
    # Locking every admin row serializes two admins demoting each other at the same moment.
    return list(
        Membership.objects.in_organization(membership.organization_id)
        .select_for_update()
        .filter(is_organization_admin=True, user__is_active=True)
    )


def _is_last_admin(membership: Membership, admins: list[Membership]) -> bool:
    return [admin.pk for admin in admins] == [membership.pk]


def membership_set_roles(
    *,
    membership: Membership,
    is_program_manager: bool,
    is_sponsor: bool,
    is_organization_admin: bool,
) -> Membership:
    with transaction.atomic():
        admins = _lock_admins(membership)
        if (
            membership.is_organization_admin
            and not is_organization_admin
            and _is_last_admin(membership, admins)
        ):
            raise MembershipError(
                f"{membership.user.get_full_name()} is the only organization admin. "
                "Make someone else an admin first, so the organization always has one."
            )
        membership.is_program_manager = is_program_manager
        membership.is_sponsor = is_sponsor
        membership.is_organization_admin = is_organization_admin
        membership.save(update_fields=["is_program_manager", "is_sponsor", "is_organization_admin"])
    return membership


def membership_set_active(*, membership: Membership, active: bool, by: Membership) -> Membership:
    """Switch a member's account off (they can't sign in; their sessions end) or back on.

    The account itself is switched, so this is refused for accounts that also belong to another
    organization: one organization must not lock someone out of another.
    """
    with transaction.atomic():
        user = membership.user
        if user.is_active == active:
            return membership
        if not active:
            if membership.pk == by.pk:
                raise MembershipError("You can't switch off your own account.")
            if _is_last_admin(membership, _lock_admins(membership)):
                raise MembershipError(
                    f"{user.get_full_name()} is the only organization admin and can't be "
                    "switched off. Make someone else an admin first."
                )
        if Membership.all_organizations.filter(user=user).exclude(pk=membership.pk).exists():
            raise MembershipError(
                f"{user.get_full_name()}'s account also belongs to another organization, so it "
                "can't be switched from here. Please ask your IT team."
            )
        user.is_active = active
        user.save(update_fields=["is_active"])
    return membership


def organization_admin_ensure(*, organization: Organization, email: str) -> Membership:
    """Make the account with `email` an admin of `organization`, creating what is missing.

    For the person installing peercoach: a new account has no usable password until its owner
    chooses one through the link the command prints (or the password the command is given).
    """
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=None)
        membership, _ = Membership.objects.in_organization(organization).get_or_create(
            organization=organization, user=user
        )
        if not membership.is_organization_admin:
            membership.is_organization_admin = True
            membership.save(update_fields=["is_organization_admin"])
    return membership


def accounts_close_for_leavers(*, person_ids: list[int]) -> int:
    """Switch off the accounts of people who left the organization; returns how many.

    Called when an HR import marks people inactive: someone who has left must not keep signing in
    to read their former colleagues' directory. Accounts that also belong to another organization
    stay on (that organization still knows them). A returner's account is switched back on by an
    organization admin, deliberately.
    """
    closing = User.objects.filter(is_active=True, memberships__person_id__in=person_ids).exclude(
        memberships__person__is_active=True
    )
    shared = (
        Membership.all_organizations.values("user_id")
        .annotate(organizations=models.Count("organization_id", distinct=True))
        .filter(organizations__gt=1)
        .values("user_id")
    )
    return closing.exclude(pk__in=shared).update(is_active=False)


class SettingRefused(RefusedError):
    """An organization setting was refused; `message` says why."""


# Above this, most programs would show nothing at all; an organization that wants more privacy
# than this is better served by not looking at figures.
LARGEST_REPORTING_SIZE = 50


def organization_reporting_size_set(*, organization: Organization, size: int) -> Organization:
    """Change the smallest group any figure may describe, and queue a check of the figures.

    Published months are never rebuilt (two versions of a month could be subtracted), so each
    keeps the size it was built with: raising the size hides earlier months for good, lowering it
    keeps them shown. The queued check records the new size, so the filter choices follow it and
    months that close from now on are built with it.
    """
    from peercoach.insights.refresh import insights_refresh_request

    if not SMALLEST_REPORTING_SIZE <= size <= LARGEST_REPORTING_SIZE:
        raise SettingRefused(
            f"The smallest group must be between {SMALLEST_REPORTING_SIZE} and "
            f"{LARGEST_REPORTING_SIZE} people."
        )
    with transaction.atomic():
        organization.minimum_reporting_size = size
        organization.save(update_fields=["minimum_reporting_size"])
        insights_refresh_request(organization=organization, now=timezone.now())
    return organization
