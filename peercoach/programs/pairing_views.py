"""Pages for pairings and requests. Only members of a pairing ever see it: everyone else gets 404.

Each POST ends in a redirect with a short message; nothing needs JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peercoach.organizations.access import members_only
from peercoach.organizations.models import Membership, Role
from peercoach.people.models import Person
from peercoach.programs import pairing_selectors as selectors
from peercoach.programs import pairing_services, request_services
from peercoach.programs.models import Enrollment, Program
from peercoach.programs.pairing_forms import RequestForm
from peercoach.programs.pairing_models import Pairing, PairingRequest
from peercoach.programs.pairing_services import PairingError
from peercoach.programs.selectors import enrollment_of, program_get
from peercoach.programs.suggestions import suggestions_for

type PairingChange = Callable[..., Pairing]
type RequestChange = Callable[..., PairingRequest]


def _person(membership: Membership) -> Person:
    person = membership.person
    assert person is not None  # the participant role means a directory link
    return person


@members_only(Role.PARTICIPANT)
@require_GET
def pairing_detail(request: HttpRequest, membership: Membership, pairing_id: int) -> HttpResponse:
    person = _person(membership)
    pairing = selectors.pairing_for_member(person=person, pairing_id=pairing_id)
    context = {"pairing": selectors.pairing_view(pairing, person), "program": pairing.program}
    return render(request, "programs/pairing_detail.html", context)


def _pairing_action(change: PairingChange, done: str) -> Callable[[HttpRequest, int], HttpResponse]:
    @members_only(Role.PARTICIPANT)
    @require_POST
    def view(request: HttpRequest, membership: Membership, pairing_id: int) -> HttpResponse:
        person = _person(membership)
        pairing = selectors.pairing_for_member(person=person, pairing_id=pairing_id)
        try:
            change(pairing=pairing, by=person)
        except PairingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
        return redirect("programs:pairing", pairing_id=pairing.pk)

    return view


pairing_accept = _pairing_action(
    pairing_services.pairing_accept,
    "Thank you for saying yes. You'll hear from us as soon as everyone has answered.",
)
pairing_decline = _pairing_action(
    pairing_services.pairing_decline,
    "Understood. Nobody is told it was you, and we'll suggest someone else.",
)
pairing_leave = _pairing_action(
    pairing_services.pairing_leave,
    "Your pairing has ended. No reason needed. You're back in the pool for a new match.",
)
pairing_pause = _pairing_action(
    pairing_services.pairing_pause, "Paused. Resume whenever you're both ready."
)
pairing_resume = _pairing_action(
    pairing_services.pairing_resume, "Welcome back! You're active again."
)


# ---------------------------------------------------------------------------------------------
# Requests


@members_only(Role.PARTICIPANT)
@require_http_methods(["GET", "POST"])
def requests_page(request: HttpRequest, membership: Membership, program_id: int) -> HttpResponse:
    program = program_get(membership=membership, program_id=program_id)
    person = _person(membership)
    enrollment = enrollment_of(program=program, person=person)
    search = selectors.ColleagueSearch.from_text(enrollment, request.GET.get("q", ""))
    if request.method == "GET" and request.htmx:  # type: ignore[attr-defined]
        # Search as you type: only the list of colleagues found.
        context = {"program": program, "search": search}
        return render(request, "programs/requests.html#colleague_matches", context)
    form = RequestForm(request.POST if request.method == "POST" else None, enrollment=enrollment)
    if request.method == "POST" and enrollment is not None and form.is_valid():
        recipient = form.cleaned_data["recipient"]
        try:
            request_services.request_send(
                requester=enrollment, recipient=recipient, message=form.cleaned_data["message"]
            )
        except PairingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, f"Request sent to {recipient.person.full_name}. We'll let you know."
            )
            return redirect("programs:requests", program_id=program.pk)
    elif request.method == "POST" and enrollment is None:
        form.add_error(None, "Join the program first, then you can ask a colleague.")
    chosen = getattr(form, "cleaned_data", {}).get("recipient")
    if isinstance(chosen, Enrollment):
        # Whoever they chose stays chosen, so trying again loses nothing.
        search = selectors.ColleagueSearch.chosen(chosen)
    return _requests_render(request, program, enrollment, form, search)


def _requests_render(
    request: HttpRequest,
    program: Program,
    mine: Enrollment | None,
    form: RequestForm,
    search: selectors.ColleagueSearch,
) -> HttpResponse:
    context: dict[str, object] = {
        "program": program,
        "enrollment": mine,
        "form": form,
        "search": search,
        "sent": selectors.requests_sent(enrollment=mine) if mine else [],
        "received": selectors.requests_received(enrollment=mine) if mine else [],
        "chooses": program.matching_mode in request_services.CHOOSING_MODES,
    }
    if mine is not None and context["chooses"]:
        context["suggestions"] = suggestions_for(enrollment=mine)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "programs/requests.html", context, status=status)


def _request_action(change: RequestChange, done: str) -> Callable[[HttpRequest, int], HttpResponse]:
    @members_only(Role.PARTICIPANT)
    @require_POST
    def view(request: HttpRequest, membership: Membership, request_id: int) -> HttpResponse:
        person = _person(membership)
        pairing_request = selectors.request_for_member(person=person, request_id=request_id)
        try:
            change(request=pairing_request, by=person)
        except PairingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
        return redirect("programs:requests", program_id=pairing_request.program_id)

    return view


request_accept = _request_action(
    request_services.request_accept, "You said yes: you're peers now. Say hello!"
)
request_decline = _request_action(
    request_services.request_decline,
    "Understood. They'll only hear that the request wasn't taken up.",
)
request_withdraw = _request_action(request_services.request_withdraw, "Request withdrawn.")
