"""Pages for feedback, help and advice. Only the people it is between ever see any of it.

These pages serve participants (people with a directory entry); every POST ends in a redirect
with a short message, or the form again with the reason beside the field. Nothing needs JS: the
colleague search is a plain GET form that htmx turns into search-as-you-type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peercoach.feedback import selectors, services
from peercoach.feedback.forms import (
    AdviceOfferForm,
    FeedbackForm,
    GrantForm,
    HelpRequestForm,
    ReplyForm,
    end_of_day,
    start_of_day,
)
from peercoach.feedback.models import HelpAudience
from peercoach.feedback.permissions import FeedbackRefused, colleague_get
from peercoach.organizations.access import members_only
from peercoach.organizations.models import Membership, Role
from peercoach.people.models import Person

PICKER_FIELDS = {"grantee": False, "recipient": False, "peers": True}  # name -> several?


def _person(membership: Membership) -> Person:
    person = membership.person
    assert person is not None  # the participant role means a directory link
    return person


def _refused(form: Form, error: FeedbackRefused) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _picked_ids(request: HttpRequest, field: str) -> list[int]:
    source = request.POST if request.method == "POST" else request.GET
    return [int(value) for value in source.getlist(field) if value.isdigit()]


def _picker(request: HttpRequest, me: Person, field: str) -> dict[str, Any]:
    """The colleague search's state: what was typed, who matched, who is already picked."""
    query = request.GET.get("q", "")
    picked = selectors.people_by_ids(me=me, ids=_picked_ids(request, field))
    picked_ids = {p.pk for p in picked}
    found = [p for p in selectors.colleague_search(me=me, text=query) if p.pk not in picked_ids]
    return {
        "field": field,
        "multiple": PICKER_FIELDS[field],
        "query": query,
        "picked": picked,
        "found": found,
        "searched": len(query.strip()) >= selectors.COLLEAGUE_SEARCH_MIN_LENGTH,
    }


@members_only(Role.PARTICIPANT)
@require_GET
def colleague_search(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The search-as-you-type results, for htmx; without JS the page itself does the search."""
    field = request.GET.get("field", "")
    if field not in PICKER_FIELDS:
        field = "recipient"
    picker = _picker(request, _person(membership), field)
    return render(request, "feedback/includes/colleague_results.html", {"picker": picker})


# ---------------------------------------------------------------------------------------------
# Feedback


@members_only(Role.PARTICIPANT)
@require_GET
def home(request: HttpRequest, membership: Membership) -> HttpResponse:
    person = _person(membership)
    context = {
        "received": selectors.feedback_received(person=person),
        "sent": selectors.feedback_sent(person=person),
        "welcomed_by": selectors.grants_held_current(person=person, at=timezone.now()),
    }
    return render(request, "feedback/home.html", context)


@members_only(Role.PARTICIPANT)
@require_http_methods(["GET", "POST"])
def permissions(request: HttpRequest, membership: Membership) -> HttpResponse:
    person = _person(membership)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grantee = colleague_get(
                me=person, person_id=form.cleaned_data["grantee"], field="grantee"
            )
            services.feedback_grant_give(
                grantor=person,
                grantee=grantee,
                topics=form.topic_list(),
                valid_from=start_of_day(form.cleaned_data["valid_from"]),
                valid_until=end_of_day(form.cleaned_data["valid_until"]),
            )
        except FeedbackRefused as error:
            _refused(form, error)
        else:
            messages.success(request, f"{grantee.full_name} may now give you feedback.")
            return redirect("feedback:permissions")
    context = {
        "form": form,
        "grants": selectors.grants_given(person=person).order_by("grantee__full_name"),
        "picker": _picker(request, person, "grantee"),
    }
    return render(request, "feedback/permissions.html", context)


@members_only(Role.PARTICIPANT)
@require_POST
def permission_revoke(
    request: HttpRequest, membership: Membership, feedback_grant_id: int
) -> HttpResponse:
    person = _person(membership)
    grant = selectors.grant_of(person=person, grant_id=feedback_grant_id)
    services.feedback_grant_revoke(grant=grant, by=person)
    messages.success(request, f"Done. {grant.grantee.full_name} can no longer send you feedback.")
    return redirect("feedback:permissions")


@members_only(Role.PARTICIPANT)
@require_http_methods(["GET", "POST"])
def send(request: HttpRequest, membership: Membership) -> HttpResponse:
    person = _person(membership)
    grants = selectors.grants_held_current(person=person, at=timezone.now())
    grantors = [(g.grantor_id, g.grantor.full_name) for g in grants]
    initial = {"recipient": request.GET.get("to", "")}
    form = FeedbackForm(request.POST or None, grantors=grantors, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            recipient = colleague_get(me=person, person_id=form.cleaned_data["recipient"])
            services.feedback_send(
                author=person,
                recipient=recipient,
                topic=form.cleaned_data["topic"],
                text=form.cleaned_data["text"],
            )
        except FeedbackRefused as error:
            _refused(form, error)
        else:
            messages.success(request, f"Sent. Only {recipient.full_name} can read it.")
            return redirect("feedback:home")
    return render(request, "feedback/send.html", {"form": form, "grants": grants})


@members_only(Role.PARTICIPANT)
@require_GET
def detail(request: HttpRequest, membership: Membership, feedback_id: int) -> HttpResponse:
    person = _person(membership)
    feedback = selectors.feedback_for_reader(person=person, feedback_id=feedback_id)
    context = {"feedback": feedback, "is_recipient": feedback.recipient_id == person.pk}
    return render(request, "feedback/detail.html", context)


@members_only(Role.PARTICIPANT)
@require_POST
def thank(request: HttpRequest, membership: Membership, feedback_id: int) -> HttpResponse:
    person = _person(membership)
    feedback = selectors.feedback_for_reader(person=person, feedback_id=feedback_id)
    _attempt(
        request,
        lambda: services.feedback_thank(feedback=feedback, by=person),
        f"We've let {feedback.author.full_name} know you're grateful.",
    )
    return redirect("feedback:detail", feedback_id=feedback.pk)


def _attempt(request: HttpRequest, change: Callable[[], object], done: str) -> None:
    try:
        change()
    except FeedbackRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)


# ---------------------------------------------------------------------------------------------
# Asking for help


@members_only(Role.PARTICIPANT)
@require_http_methods(["GET", "POST"])
def help_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    person = _person(membership)
    pairings = list(selectors.pairings_current(person=person))
    programs = list(selectors.programs_taking_part(person=person))
    form = HelpRequestForm(
        request.POST or None,
        pairings=[(p.pk, f"{p.get_kind_display()} in {p.program.name}") for p in pairings],
        programs=[(p.pk, p.name) for p in programs],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.help_request_post(
                requester=person,
                topic=data["topic"],
                text=data["text"],
                audience=data["audience"],
                peers=selectors.people_by_ids(me=person, ids=_picked_ids(request, "peers")),
                pairing=next((p for p in pairings if p.pk == data["pairing"]), None),
                program=next((p for p in programs if p.pk == data["program"]), None),
            )
        except FeedbackRefused as error:
            _refused(form, error)
        else:
            messages.success(request, "Posted. We'll let you know when someone answers.")
            return redirect("feedback:help")
    context = {
        "form": form,
        "mine": selectors.help_requests_mine(person=person),
        "for_me": selectors.help_requests_i_can_answer(person=person)[:50],
        "picker": _picker(request, person, "peers"),
        "audiences": HelpAudience,
    }
    return render(request, "feedback/help.html", context)


@members_only(Role.PARTICIPANT)
@require_http_methods(["GET", "POST"])
def help_detail(request: HttpRequest, membership: Membership, help_request_id: int) -> HttpResponse:
    person = _person(membership)
    help_request = selectors.help_request_for_reader(person=person, request_id=help_request_id)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.help_reply_post(
                request=help_request, author=person, text=form.cleaned_data["text"]
            )
        except FeedbackRefused as error:
            _refused(form, error)
        else:
            messages.success(request, "Thank you for helping. Your answer is on its way.")
            return redirect("feedback:help_detail", help_request_id=help_request.pk)
    context = {
        "help_request": help_request,
        "is_mine": help_request.requester_id == person.pk,
        "replies": selectors.help_replies_visible(person=person, request=help_request),
        "form": form,
    }
    return render(request, "feedback/help_detail.html", context)


@members_only(Role.PARTICIPANT)
@require_POST
def help_close(request: HttpRequest, membership: Membership, help_request_id: int) -> HttpResponse:
    person = _person(membership)
    help_request = selectors.help_request_for_reader(person=person, request_id=help_request_id)
    _attempt(
        request,
        lambda: services.help_request_close(request=help_request, by=person),
        "Closed. Thank you for letting people know.",
    )
    return redirect("feedback:help_detail", help_request_id=help_request.pk)


@members_only(Role.PARTICIPANT)
@require_POST
def help_reply_used(
    request: HttpRequest, membership: Membership, help_reply_id: int
) -> HttpResponse:
    person = _person(membership)
    reply = selectors.help_reply_for_requester(person=person, reply_id=help_reply_id)
    used = request.POST.get("used", "1") != "0"
    services.help_reply_mark_used(reply=reply, by=person, used=used)
    messages.success(request, "Noted." if used else "Unmarked.")
    return redirect("feedback:help_detail", help_request_id=reply.request_id)


@members_only(Role.PARTICIPANT)
@require_POST
def help_reply_thank(
    request: HttpRequest, membership: Membership, help_reply_id: int
) -> HttpResponse:
    person = _person(membership)
    reply = selectors.help_reply_for_requester(person=person, reply_id=help_reply_id)
    _attempt(
        request,
        lambda: services.help_reply_thank(reply=reply, by=person),
        f"We've passed your thanks on to {reply.author.full_name}.",
    )
    return redirect("feedback:help_detail", help_request_id=reply.request_id)


# ---------------------------------------------------------------------------------------------
# Offering advice


@members_only(Role.PARTICIPANT)
@require_http_methods(["GET", "POST"])
def advice(request: HttpRequest, membership: Membership) -> HttpResponse:
    person = _person(membership)
    form = AdviceOfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recipient = colleague_get(me=person, person_id=form.cleaned_data["recipient"])
            services.advice_offer_send(
                offerer=person,
                recipient=recipient,
                topic=form.cleaned_data["topic"],
                advice=form.cleaned_data["advice"],
            )
        except FeedbackRefused as error:
            _refused(form, error)
        else:
            messages.success(request, f"Offer sent. It's up to {recipient.full_name} now.")
            return redirect("feedback:advice")
    context = {
        "form": form,
        "received": selectors.advice_offers_received(person=person),
        "sent": selectors.advice_offers_sent(person=person),
        "picker": _picker(request, person, "recipient"),
        "now": timezone.now(),
    }
    return render(request, "feedback/advice.html", context)


def _advice_answer(accept: bool, done: str) -> Callable[..., HttpResponse]:
    @members_only(Role.PARTICIPANT)
    @require_POST
    def view(request: HttpRequest, membership: Membership, advice_offer_id: int) -> HttpResponse:
        person = _person(membership)
        offer = selectors.advice_offer_for_recipient(person=person, offer_id=advice_offer_id)
        _attempt(
            request,
            lambda: services.advice_offer_answer(offer=offer, by=person, accept=accept),
            done,
        )
        return redirect("feedback:advice")

    return view


advice_accept = _advice_answer(True, "Here's the advice you said yes to.")
advice_decline = _advice_answer(False, "No problem. Nobody is told you said no.")
