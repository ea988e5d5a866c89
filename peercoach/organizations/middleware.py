from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from peercoach.organizations.models import Membership

SESSION_KEY = "peercoach_organization_id"


class CurrentMembershipMiddleware:
    """Puts the signed-in user's membership (organization + roles) on `request.membership`.

    A user normally belongs to one organization; if to several, the session remembers which one
    they are working in. Anonymous users and accounts without a membership get None.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = current_membership(request)  # type: ignore[attr-defined]
        return self.get_response(request)


def current_membership(request: HttpRequest) -> Membership | None:
    if not request.user.is_authenticated:
        return None
    memberships = Membership.all_organizations.select_related("organization", "person").filter(
        user_id=request.user.pk
    )
    chosen = request.session.get(SESSION_KEY)
    if chosen is not None:
        membership = memberships.filter(organization_id=chosen).first()
        if membership is not None:
            return membership
    return memberships.order_by("pk").first()
