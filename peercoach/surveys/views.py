"""Program feedback pages: participants answer; managers and the sponsor read group figures."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peercoach.organizations.access import PEOPLE_ADMINS, members_only
from peercoach.organizations.models import Membership, Role
from peercoach.programs.selectors import program_get
from peercoach.surveys import selectors, services
from peercoach.surveys.forms import ProgramFeedbackForm
from peercoach.surveys.services import SurveyError


@members_only(Role.PARTICIPANT)
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, membership: Membership, surveyed_program_id: int) -> HttpResponse:
    program = program_get(membership=membership, program_id=surveyed_program_id)
    person = membership.person
    mine = selectors.feedback_mine(program=program, person=person) if person else None
    initial = {"rating": mine.rating, "keep": mine.keep, "change": mine.change} if mine else None
    form = ProgramFeedbackForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and person is not None and form.is_valid():
        try:
            services.program_feedback_save(program=program, person=person, **form.cleaned_data)
        except SurveyError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request, "Thank you. You can change your answer until the program ends."
            )
            return redirect("surveys:answer", surveyed_program_id=program.pk)
    context = {
        "program": program,
        "form": form,
        "mine": mine,
        "may_answer": selectors.may_answer(program=program, person=person),
        "is_open": selectors.is_open_for_answers(program=program),
    }
    return render(request, "surveys/answer.html", context, status=400 if form.errors else 200)


@members_only(Role.PROGRAM_MANAGER, Role.ORGANIZATION_ADMIN, Role.SPONSOR)
@require_GET
def results(request: HttpRequest, membership: Membership, surveyed_program_id: int) -> HttpResponse:
    program = program_get(membership=membership, program_id=surveyed_program_id)
    if not selectors.may_see_results(membership=membership, program=program):
        raise PermissionDenied("Feedback results are for this program's organizers and sponsor.")
    context = {
        "program": program,
        "summary": selectors.program_feedback_summary(program=program),
        "may_ask": membership.has_any_role(*PEOPLE_ADMINS)
        and selectors.is_open_for_answers(program=program),
    }
    return render(request, "surveys/results.html", context)


@members_only(*PEOPLE_ADMINS)
@require_POST
def ask_participants(
    request: HttpRequest, membership: Membership, surveyed_program_id: int
) -> HttpResponse:
    program = program_get(membership=membership, program_id=surveyed_program_id)
    try:
        count = services.program_feedback_request(program=program)
    except SurveyError as error:
        messages.error(request, error.message)
    else:
        if count:
            messages.success(request, f"Asked {count} {'person' if count == 1 else 'people'}.")
        else:
            messages.success(request, "Everyone taking part has been asked already.")
    return redirect("surveys:results", surveyed_program_id=program.pk)
