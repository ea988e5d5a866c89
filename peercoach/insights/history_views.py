"""The signed-in person's own history: their pairings, sessions, plans and the coaching they
gave and received. Every member has the page; it only ever shows the reader's own activity
(a program manager, sponsor or admin without a directory link simply has none yet)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from peercoach.insights.history import history_for
from peercoach.organizations.access import members_only
from peercoach.organizations.models import Membership


@members_only()
@require_GET
def my_history(request: HttpRequest, membership: Membership) -> HttpResponse:
    # The person comes from the signed-in membership only: no URL parameter names anyone.
    history = history_for(person=membership.person)
    return render(request, "insights/history.html", {"history": history})
