"""FeedForward pages. Everything works without JavaScript; htmx only swaps parts in place.

A round is the asking person's alone; an invitation the invitee's alone. Anyone else, managers
and admins included, gets 404 as if it did not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peercoach.feedforward import selectors, services
from peercoach.feedforward.forms import AnswerForm, RandomDrawForm, RoundStartForm
from peercoach.feedforward.models import (
    SUGGESTION_MAX_LENGTH,
    FeedForwardInvitation,
    FeedForwardRound,
    InvitationStatus,
)
from peercoach.feedforward.past_focus import past_focused_phrases
from peercoach.feedforward.services import FeedForwardError, LooksBackError
from peercoach.organizations.access import members_only
from peercoach.organizations.models import Membership, Role
from peercoach.people.models import Person


def _person(membership: Membership) -> Person:
    person = membership.person
    assert person is not None  # the participant role means a directory link
    return person


def _template(request: HttpRequest, name: str, partial: str) -> str:
    return f"{name}#{partial}" if request.htmx else name  # type: ignore[attr-defined]


@members_only(Role.PARTICIPANT)
@require_GET
def home(request: HttpRequest, membership: Membership) -> HttpResponse:
    person = _person(membership)
    invitations = list(selectors.invitations_to_me(person=person))
    context = {
        "rounds": selectors.rounds_mine(person=person),
        "open_invitations": [i for i in invitations if i.is_open],
        "answered_invitations": [i for i in invitations if i.status == InvitationStatus.ANSWERED],
    }
    return render(request, "feedforward/home.html", context)


@members_only(Role.PARTICIPANT)
@require_http_methods(["GET", "POST"])
def round_start(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = RoundStartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            round = services.feedforward_round_start(
                person=_person(membership),
                topic=form.cleaned_data["topic"],
                random_count=form.cleaned_data["random_count"],
            )
        except FeedForwardError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Your round has started. Invite anyone else by name below.")
            return redirect("feedforward:round", feedforward_round_id=round.pk)
    status = 400 if form.errors else 200
    return render(request, "feedforward/round_start.html", {"form": form}, status=status)


@members_only(Role.PARTICIPANT)
@require_GET
def round_detail(
    request: HttpRequest, membership: Membership, feedforward_round_id: int
) -> HttpResponse:
    person = _person(membership)
    round = selectors.round_for_owner(person=person, round_id=feedforward_round_id)
    text = request.GET.get("q", "").strip()[:100]
    context = {
        "view": selectors.round_view(round),
        "text": text,
        "found": selectors.colleague_search(person=person, text=text),
        "search_too_short": 0 < len(text) < selectors.COLLEAGUE_SEARCH_MIN_LENGTH,
        "draw_form": RandomDrawForm(),
    }
    return render(request, _template(request, "feedforward/round.html", "colleagues"), context)


@members_only(Role.PARTICIPANT)
@require_POST
def round_invite(
    request: HttpRequest, membership: Membership, feedforward_round_id: int
) -> HttpResponse:
    person = _person(membership)
    round = selectors.round_for_owner(person=person, round_id=feedforward_round_id)
    try:
        invited = _invite_from_post(request, round)
    except FeedForwardError as error:
        messages.error(request, error.message)
    else:
        names = ", ".join(invitation.invitee.full_name for invitation in invited)
        messages.success(request, f"Invited: {names}. We'll let you know when ideas arrive.")
    return redirect("feedforward:round", feedforward_round_id=round.pk)


def _invite_from_post(request: HttpRequest, round: FeedForwardRound) -> list[FeedForwardInvitation]:
    if "random_count" in request.POST:
        form = RandomDrawForm(request.POST)
        if not form.is_valid():
            raise FeedForwardError("Say how many colleagues to draw, from 1 to 8.")
        return services.feedforward_invite(
            round=round, random_count=form.cleaned_data["random_count"]
        )
    colleague = services.colleague_find(
        organization_id=round.organization_id, person_id=_int_or_none(request.POST.get("person"))
    )
    return services.feedforward_invite(round=round, chosen=[colleague])


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@members_only(Role.PARTICIPANT)
@require_POST
def round_will_try(
    request: HttpRequest, membership: Membership, feedforward_round_id: int
) -> HttpResponse:
    person = _person(membership)
    round = selectors.round_for_owner(person=person, round_id=feedforward_round_id)
    suggestion_id = _int_or_none(request.POST.get("suggestion"))
    if suggestion_id is None:
        messages.error(request, "Pick the idea you'd like to mark.")
        return redirect("feedforward:round", feedforward_round_id=round.pk)
    suggestion = selectors.suggestion_for_owner(person=person, suggestion_id=suggestion_id)
    will_try = request.POST.get("will_try") == "1"
    services.feedforward_mark_will_try(suggestion=suggestion, by=person, will_try=will_try)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "feedforward/round.html#suggestion", {"suggestion": suggestion})
    messages.success(request, "Marked to try." if will_try else "Unmarked.")
    return redirect("feedforward:round", feedforward_round_id=round.pk)


@members_only(Role.PARTICIPANT)
@require_POST
def round_thank(
    request: HttpRequest, membership: Membership, feedforward_round_id: int
) -> HttpResponse:
    person = _person(membership)
    round = selectors.round_for_owner(person=person, round_id=feedforward_round_id)
    invitation_id = _int_or_none(request.POST.get("invitation"))
    invitation = round.invitations.filter(pk=invitation_id).first() if invitation_id else None
    if invitation is None:
        messages.error(request, "Pick the colleague you'd like to thank.")
        return redirect("feedforward:round", feedforward_round_id=round.pk)
    try:
        thanked = services.feedforward_thank(invitation=invitation, by=person)
    except FeedForwardError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"We've told {thanked.invitee.full_name} you said thank you.")
    return redirect("feedforward:round", feedforward_round_id=round.pk)


@members_only(Role.PARTICIPANT)
@require_http_methods(["GET", "POST"])
def invitation_detail(
    request: HttpRequest, membership: Membership, feedforward_invitation_id: int
) -> HttpResponse:
    person = _person(membership)
    invitation = selectors.invitation_for_invitee(
        person=person, invitation_id=feedforward_invitation_id
    )
    form = AnswerForm(request.POST if request.method == "POST" else None)
    looks_back: dict[int, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        try:
            services.feedforward_answer(
                invitation=invitation,
                by=person,
                suggestions=form.suggestions(),
                send_anyway=request.POST.get("send_anyway") == "1",
            )
        except LooksBackError as nudge:
            looks_back = nudge.phrases_by_position
        except FeedForwardError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Sent. Thank you for helping a colleague grow.")
            return redirect("feedforward:invitation", feedforward_invitation_id=invitation.pk)
    context = {
        "invitation": invitation,
        "form": form,
        "looks_back": looks_back,
        "suggestions": list(invitation.suggestions.all()),
    }
    status = 400 if form.errors else 200
    return render(request, "feedforward/invitation.html", context, status=status)


@members_only(Role.PARTICIPANT)
@require_POST
def suggestion_check(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The as-you-type nudge. POST, so that what someone is writing never lands in a URL log."""
    # Inside the form htmx sends every field; the header says which one is being typed in.
    field = request.htmx.trigger_name  # type: ignore[attr-defined]
    text = request.POST.get(field if field in ("suggestion_1", "suggestion_2") else "text", "")
    phrases = past_focused_phrases(text[:SUGGESTION_MAX_LENGTH])
    return render(request, "feedforward/invitation.html#live_nudge", {"phrases": phrases})


@members_only(Role.PARTICIPANT)
@require_POST
def invitation_decline(
    request: HttpRequest, membership: Membership, feedforward_invitation_id: int
) -> HttpResponse:
    person = _person(membership)
    invitation = selectors.invitation_for_invitee(
        person=person, invitation_id=feedforward_invitation_id
    )
    try:
        services.feedforward_decline(invitation=invitation, by=person)
    except FeedForwardError as error:
        messages.error(request, error.message)
        return redirect("feedforward:invitation", feedforward_invitation_id=invitation.pk)
    messages.success(request, "No problem. Nobody is told, and nothing more is asked of you.")
    return redirect("feedforward:home")
