"""Who may read group-level insights: one gate, used by the pages and the API alike.

Program managers, sponsors and organization admins read the whole organization's figures.
A participant whose directory entry has reports reads "People reporting to you" and nothing
more. Nobody reads another person's own activity here: only group figures exist in insights.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from peercoach.organizations.models import Membership, Role
from peercoach.people.models import Person

ORGANIZATION_SCOPE_ROLES: tuple[Role, ...] = (
    Role.PROGRAM_MANAGER,
    Role.SPONSOR,
    Role.ORGANIZATION_ADMIN,
)
# Asking for a refresh costs a rebuild; the people who run programs may ask, sponsors read.
REFRESH_ROLES: tuple[Role, ...] = (Role.PROGRAM_MANAGER, Role.ORGANIZATION_ADMIN)


def may_see_organization_insights(membership: Membership) -> bool:
    return membership.has_any_role(*ORGANIZATION_SCOPE_ROLES)


def may_refresh_insights(membership: Membership) -> bool:
    return membership.has_any_role(*REFRESH_ROLES)


def has_reports(membership: Membership) -> bool:
    """True when the member's directory entry has at least one active direct report."""
    if membership.person_id is None:
        return False
    # The header's link and the team page both ask; the membership lives for one request.
    cached: bool | None = getattr(membership, "_insights_has_reports", None)
    if cached is None:
        cached = (
            Person.objects.in_organization(membership.organization_id)
            .filter(manager_id=membership.person_id, is_active=True)
            .exists()
        )
        membership._insights_has_reports = cached  # type: ignore[attr-defined]
    return cached


def team_manager(membership: Membership) -> Person:
    """The member as the manager of a team. Without reports the page is not part of their role
    (403, as for any other page outside one's role; the navigation offers it only to managers)."""
    person = membership.person
    if person is None or not has_reports(membership):
        raise PermissionDenied("Nobody reports to you in the directory, so there is no team page.")
    return person
