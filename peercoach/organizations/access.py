"""The gate every organization view passes through: who is signed in, where, and with what role.

Views declare the roles they serve with `@members_only(...)`. Anonymous visitors are sent to the
login page; signed-in people without the role get 403. Objects are always looked up through the
member's own organization, so another organization's object answers 404 like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from peercoach.organizations.models import Membership, Role

ANY_MEMBER: tuple[Role, ...] = tuple(Role)
PEOPLE_ADMINS: tuple[Role, ...] = (Role.PROGRAM_MANAGER, Role.ORGANIZATION_ADMIN)

type MemberView = Callable[Concatenate[HttpRequest, Membership, ...], HttpResponse]


def members_only(*roles: Role) -> Callable[[MemberView], Callable[..., HttpResponse]]:
    """Admit signed-in members holding at least one of `roles`; pass their membership in."""
    allowed = roles or ANY_MEMBER

    def decorate(view: MemberView) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership: Membership | None = getattr(request, "membership", None)
            if membership is None or not membership.has_any_role(*allowed):
                raise PermissionDenied("This page is not part of your role.")
            return view(request, membership, *args, **kwargs)

        return wrapper

    return decorate
