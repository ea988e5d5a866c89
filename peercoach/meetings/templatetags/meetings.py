"""`{% next_session %}`: the member's next session for the home page's "what's next"."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import template

from peercoach.meetings import selectors

register = template.Library()


@register.inclusion_tag("meetings/includes/next_session.html", takes_context=True)
def next_session(context: template.Context) -> dict[str, Any]:
    membership = context.get("membership")
    person = getattr(membership, "person", None)
    if person is None:
        return {"next_session": None, "to_mark_count": 0}
    upcoming = selectors.upcoming_sessions(person=person, limit=1)
    session = upcoming[0] if upcoming else None
    zone = person.timezone or "UTC"
    return {
        "next_session": session,
        "next_session_local": session.starts_at.astimezone(ZoneInfo(zone)) if session else None,
        "next_session_zone": zone,
        "to_mark_count": len(selectors.sessions_to_mark(person=person)),
    }
