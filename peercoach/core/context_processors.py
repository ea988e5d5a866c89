from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from peercoach.organizations.models import Membership, Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Navigation links for the signed-in member's roles; nobody sees a link they cannot open."""
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None:
        return {"navigation": [], "membership": None}
    links = [
        ("Home", reverse("core:home")),
        ("Directory", reverse("people:directory")),
        ("Programs", reverse("programs:list")),
    ]
    if membership.has_any_role(Role.PARTICIPANT):
        links.append(("Feedback", reverse("feedback:home")))
        links.append(("FeedForward", reverse("feedforward:home")))
        links.append(("My plans", reverse("plans:list")))
        links.append(("My history", reverse("history:mine")))
    if membership.has_any_role(Role.PROGRAM_MANAGER, Role.SPONSOR, Role.ORGANIZATION_ADMIN):
        links.append(("Insights", reverse("insights:overview")))
    if membership.has_any_role(Role.PARTICIPANT) and _has_reports(membership):
        links.append(("Your team", reverse("insights:team")))
    if membership.has_any_role(Role.PROGRAM_MANAGER, Role.ORGANIZATION_ADMIN):
        links.append(("HR import", reverse("people:import_list")))
    if membership.has_any_role(Role.ORGANIZATION_ADMIN):
        links.append(("Members & roles", reverse("organizations:members")))
        links.append(("Settings", reverse("organizations:settings")))
    current = request.path
    # The longest matching link is current: /people/imports/ is "HR import", not "Directory".
    matching = [
        url for _, url in links if current == url or (url != "/" and current.startswith(url))
    ]
    current_url = max(matching, key=len, default=None)
    return {
        "membership": membership,
        "navigation": [
            {"label": label, "url": url, "current": url == current_url} for label, url in links
        ],
        "inbox_unread": _inbox_unread(membership),
    }


def _inbox_unread(membership: Membership) -> int:
    """Unread inbox messages, for the badge in the header: one query, only for participants."""
    from peercoach.programs.inbox import inbox_unread_count

    if membership.person_id is None:
        return 0
    return inbox_unread_count(
        organization_id=membership.organization_id, person_id=membership.person_id
    )


def _has_reports(membership: Membership) -> bool:
    """Managers get their team's group figures: one indexed query, only for participants."""
    from peercoach.insights.permissions import has_reports

    return has_reports(membership)
