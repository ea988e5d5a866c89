"""The home page's card for plans and notes: counts only, for the participant themselves."""

from __future__ import annotations

from typing import Any

from django import template

from peercoach.plans.selectors import open_action_counts

register = template.Library()


@register.inclusion_tag("plans/includes/home_card.html", takes_context=True)
def plans_card(context: template.Context) -> dict[str, Any]:
    membership = context.get("membership")
    person = getattr(membership, "person", None)
    if person is None:
        return {"show": False}
    return {"show": True, **open_action_counts(owner=person)}
