"""The JSON API (OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs).

Authentication is the browser session (with CSRF on writes). Every operation resolves the caller's
membership first; objects are looked up inside that membership's organization, so another
organization's object answers 404 exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import SessionAuth

from peercoach.organizations.models import Membership


class MemberSessionAuth(SessionAuth):
    """Session authentication that also requires a membership in an organization."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Membership | None:
        user = super().authenticate(request, key)
        if user is None:
            return None
        membership: Membership | None = getattr(request, "membership", None)
        return membership


api = NinjaAPI(
    title="peercoach API",
    version="1",
    description="Peer coaching programs: people, programs, matching and group-level insights.",
    auth=MemberSessionAuth(),
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: Exception) -> Any:
    return api.create_response(request, {"detail": "Sign in first."}, status=401)


def register_routers() -> None:
    # Imported here so that app modules can import `api` without a cycle.
    from peercoach.feedback.api import router as feedback_router
    from peercoach.feedforward.api import router as feedforward_router
    from peercoach.insights.api import router as insights_router
    from peercoach.meetings.api import router as meetings_router
    from peercoach.people.api import router as people_router
    from peercoach.plans.api import router as plans_router
    from peercoach.programs.api import router as programs_router
    from peercoach.programs.matching_api import router as matching_router
    from peercoach.programs.pairing_api import router as pairings_router
    from peercoach.runner.api import router as runner_router
    from peercoach.surveys.api import router as surveys_router

    api.add_router("/", people_router)
    api.add_router("/", feedback_router)
    api.add_router("/", programs_router)
    api.add_router("/", pairings_router)
    api.add_router("/", matching_router)
    api.add_router("/", meetings_router)
    api.add_router("/", feedforward_router)
    api.add_router("/", surveys_router)
    api.add_router("/", plans_router)
    api.add_router("/", runner_router)
    api.add_router("/", insights_router)


register_routers()
