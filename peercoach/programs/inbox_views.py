"""The inbox: every message about matches, requests and quiet pairs, newest first."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from peercoach.organizations.access import members_only
from peercoach.organizations.models import Membership, Role
from peercoach.programs import inbox
from peercoach.programs.pairing_models import InboxMessage

PAGE_SIZE = 50


@members_only()
@require_GET
def inbox_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    person = membership.person
    messages = (
        inbox.inbox_messages(person=person) if person else InboxMessage.all_organizations.none()
    )
    page = Paginator(messages, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "programs/inbox.html", {"page": page, "has_person": person is not None})


@members_only(Role.PARTICIPANT)
@require_POST
def inbox_read(request: HttpRequest, membership: Membership, message_id: int) -> HttpResponse:
    """Mark one message read and follow its link (or come back to the inbox)."""
    person = membership.person
    message = inbox.inbox_message_get(person=person, message_id=message_id) if person else None
    if message is None:
        raise Http404("No such message.")
    inbox.inbox_message_mark_read(message=message)
    if message.link and url_has_allowed_host_and_scheme(message.link, allowed_hosts=None):
        return redirect(message.link)
    return redirect("inbox:list")


@members_only(Role.PARTICIPANT)
@require_POST
def inbox_read_all(request: HttpRequest, membership: Membership) -> HttpResponse:
    if membership.person is not None:
        inbox.inbox_mark_all_read(person=membership.person)
    return redirect("inbox:list")
