"""Program pages. Everything works without JavaScript; each POST ends in a redirect or a form
shown again with its errors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peercoach.organizations.access import PEOPLE_ADMINS, members_only
from peercoach.organizations.models import Membership, Role
from peercoach.programs import matching_selectors, pairing_selectors, selectors, services
from peercoach.programs.enrollment_states import Actor, is_allowed
from peercoach.programs.forms import (
    PROGRAM_FIELDSETS,
    AssignForm,
    JoinForm,
    NominationForm,
    PauseForm,
    ProgramForm,
)
from peercoach.programs.models import Enrollment, EnrollmentStatus, Program, ProgramStatus
from peercoach.programs.request_services import CHOOSING_MODES

ENROLLED_PAGE_SIZE = 100


@members_only()
@require_GET
def program_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    person = membership.person
    context: dict[str, Any] = {"may_manage": selectors.may_manage_programs(membership)}
    if context["may_manage"]:
        context["managed_programs"] = selectors.programs_with_funnel(
            organization=membership.organization
        )
    if person is not None:
        mine = list(selectors.enrollments_mine(person=person))
        waiting = list(selectors.nominations_waiting(person=person))
        known = {e.program_id for e in mine} | {e.program_id for e in waiting}
        context["my_enrollments"] = mine
        context["my_pairings"] = pairing_selectors.pairings_mine(person=person)
        context["nominations"] = waiting
        context["open_programs"] = [
            program
            for program in selectors.programs_visible(membership=membership)
            if program.status == ProgramStatus.OPEN and program.pk not in known
        ]
    else:
        context["open_programs"] = selectors.programs_visible(membership=membership).filter(
            status=ProgramStatus.OPEN
        )
    return render(request, "programs/program_list.html", context)


@members_only()
@require_GET
def program_detail(request: HttpRequest, membership: Membership, program_id: int) -> HttpResponse:
    program = selectors.program_get(membership=membership, program_id=program_id)
    return _detail_page(request, membership, program)


def _detail_page(
    request: HttpRequest,
    membership: Membership,
    program: Program,
    *,
    pause_form: PauseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    person = membership.person
    enrollment = selectors.enrollment_of(program=program, person=person)
    context = {
        "program": program,
        "enrollment": enrollment,
        "may_manage": selectors.may_manage_programs(membership),
        "may_join": person is not None and _may_join(program, enrollment),
        "may_nominate": person is not None and program.is_open and program.allows_nomination,
        "nominations": (
            enrollment.nominations.select_related("nominated_by").order_by("created_at")
            if enrollment is not None and enrollment.status == EnrollmentStatus.NOMINATED
            else []
        ),
        "nominations_sent": (
            selectors.nominations_sent(program=program, person=person) if person else []
        ),
        "pause_form": pause_form or PauseForm(),
        "places_taken": selectors.places_taken(program=program),
        "my_pairings": (
            pairing_selectors.pairings_mine(person=person, program=program) if person else []
        ),
        "may_request": program.matching_mode in CHOOSING_MODES,
    }
    return render(request, "programs/program_detail.html", context, status=status)


def _posted(request: HttpRequest) -> Any:
    # Bound on every POST, even an empty one, so that it answers with its errors.
    return request.POST if request.method == "POST" else None


def _may_join(program: Program, enrollment: Enrollment | None) -> bool:
    current = EnrollmentStatus(enrollment.status) if enrollment else None
    if not is_allowed(current, EnrollmentStatus.ACTIVE, Actor.PERSON):
        return False
    asked_in = current in (EnrollmentStatus.NOMINATED, EnrollmentStatus.INVITED)
    if asked_in:
        return program.status in (ProgramStatus.OPEN, ProgramStatus.RUNNING)
    return program.is_open and (enrollment is not None or program.allows_open_enrollment)


# ---------------------------------------------------------------------------------------------
# Managing programs


@members_only(*PEOPLE_ADMINS)
@require_http_methods(["GET", "POST"])
def program_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    organization = membership.organization
    form = ProgramForm(_posted(request), organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(
                organization=organization, created_by=membership, details=form.details()
            )
        except services.ProgramError as error:
            form.add_error(_program_field(error.field), error.message)
        else:
            messages.success(request, f"“{program.name}” is saved.")
            return redirect("programs:manage", program_id=program.pk)
    return _program_form_page(request, form, program=None)


@members_only(*PEOPLE_ADMINS)
@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, membership: Membership, program_id: int) -> HttpResponse:
    program = selectors.program_get(membership=membership, program_id=program_id)
    form = ProgramForm(_posted(request), instance=program, organization=membership.organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(program=program, details=form.details())
        except services.ProgramError as error:
            form.add_error(_program_field(error.field), error.message)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect("programs:manage", program_id=program.pk)
    return _program_form_page(request, form, program=program)


def _program_field(field: str | None) -> str | None:
    return field if field in ProgramForm.base_fields else None


def _program_form_page(
    request: HttpRequest, form: ProgramForm, *, program: Program | None
) -> HttpResponse:
    fieldsets = [(legend, [form[name] for name in names]) for legend, names in PROGRAM_FIELDSETS]
    context = {"form": form, "fieldsets": fieldsets, "program": program}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "programs/program_form.html", context, status=status)


@members_only(*PEOPLE_ADMINS)
@require_GET
def program_manage(request: HttpRequest, membership: Membership, program_id: int) -> HttpResponse:
    program = selectors.program_get(membership=membership, program_id=program_id)
    return _manage_page(request, membership, program)


def _manage_page(
    request: HttpRequest,
    membership: Membership,
    program: Program,
    *,
    assign_form: AssignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "program": program,
        "funnel": selectors.enrollment_funnel(program=program),
        "enrolled": Paginator(
            selectors.enrollments_for_managers(program=program), ENROLLED_PAGE_SIZE
        ).get_page(request.GET.get("page")),
        "places_taken": selectors.places_taken(program=program),
        "pairing_counts": pairing_selectors.pairing_counts(program=program),
        "matching_runs": matching_selectors.matching_runs_recent(program=program),
        "assign_form": assign_form or AssignForm(organization=membership.organization),
    }
    return render(request, "programs/program_manage.html", context, status=status)


@members_only(*PEOPLE_ADMINS)
@require_POST
def program_assign(request: HttpRequest, membership: Membership, program_id: int) -> HttpResponse:
    program = selectors.program_get(membership=membership, program_id=program_id)
    form = AssignForm(request.POST, organization=membership.organization)
    if not form.is_valid():
        return _manage_page(request, membership, program, assign_form=form, status=400)
    try:
        result = services.enrollments_assign(
            program=program,
            joined_within_days=form.cleaned_data["joined_within_days"],
            department=form.cleaned_data["department"],
        )
    except services.EnrollmentError as error:
        form.add_error(None, error.message)
        return _manage_page(request, membership, program, assign_form=form, status=400)
    messages.success(request, _assignment_summary(result))
    return redirect("programs:manage", program_id=program.pk)


def _assignment_summary(result: services.AssignmentResult) -> str:
    parts = [f"Added {len(result.assigned)} people; each got an email and may opt out."]
    if result.already_enrolled:
        parts.append(
            f"{result.already_enrolled} already had a place or an answer, so were left as they are."
        )
    if result.no_room:
        parts.append(f"{result.no_room} couldn't be added: the program is full.")
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# Taking part


@members_only(Role.PARTICIPANT)
@require_http_methods(["GET", "POST"])
def program_join(request: HttpRequest, membership: Membership, program_id: int) -> HttpResponse:
    program = selectors.program_get(membership=membership, program_id=program_id)
    person = membership.person
    assert person is not None  # the participant role means a directory link
    enrollment = selectors.enrollment_of(program=program, person=person)
    if request.method == "POST":
        form = JoinForm(request.POST)
        if form.is_valid():
            try:
                services.enrollment_join(
                    program=program,
                    person=person,
                    profile=form.profile(),
                    agreed_to_ground_rules=form.cleaned_data["agreed_to_ground_rules"],
                )
            except services.EnrollmentError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, f"Welcome to {program.name}! You're taking part now.")
                return redirect("programs:detail", program_id=program.pk)
    else:
        initial = selectors.join_profile_initial(person=person, enrollment=enrollment)
        form = JoinForm(initial=JoinForm.initial_from(initial))
    context = {
        "program": program,
        "form": form,
        "enrollment": enrollment,
        "may_join": _may_join(program, enrollment),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "programs/join.html", context, status=status)


@members_only(Role.PARTICIPANT)
@require_http_methods(["GET", "POST"])
def program_nominate(request: HttpRequest, membership: Membership, program_id: int) -> HttpResponse:
    program = selectors.program_get(membership=membership, program_id=program_id)
    person = membership.person
    assert person is not None
    form = NominationForm(_posted(request), nominator=person)
    if request.method == "POST" and form.is_valid():
        nominee = form.cleaned_data["nominee"]
        try:
            services.enrollment_nominate(
                program=program,
                nominee=nominee,
                nominated_by=person,
                reason=form.cleaned_data["reason"],
            )
        except services.EnrollmentError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Nomination sent to {nominee.full_name}. Thank you!")
            return redirect("programs:detail", program_id=program.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "programs/nominate.html", {"program": program, "form": form}, status=status
    )


@members_only(Role.PARTICIPANT)
@require_POST
def nomination_decline(
    request: HttpRequest, membership: Membership, program_id: int
) -> HttpResponse:
    program = selectors.program_get(membership=membership, program_id=program_id)
    enrollment = selectors.enrollment_of(program=program, person=membership.person)
    if enrollment is None or enrollment.status != EnrollmentStatus.NOMINATED:
        messages.info(request, "There is no nomination waiting for you in this program.")
    else:
        services.nomination_decline(enrollment=enrollment)
        messages.success(request, "Understood. Nobody is told, and thank you for considering it.")
    return redirect("programs:list")


@members_only(Role.PARTICIPANT)
@require_POST
def enrollment_pause(request: HttpRequest, membership: Membership, program_id: int) -> HttpResponse:
    program = selectors.program_get(membership=membership, program_id=program_id)
    enrollment = selectors.enrollment_of(program=program, person=membership.person)
    form = PauseForm(request.POST)
    if enrollment is None:
        messages.info(request, "You aren't taking part in this program.")
        return redirect("programs:detail", program_id=program.pk)
    if form.is_valid():
        try:
            services.enrollment_pause(enrollment=enrollment, until=form.cleaned_data["until"])
        except services.EnrollmentError as error:
            form.add_error("until" if error.field == "until" else None, error.message)
        else:
            until = form.cleaned_data["until"]
            messages.success(request, f"Paused until {until:%-d %B %Y}. Take care!")
            return redirect("programs:detail", program_id=program.pk)
    return _detail_page(request, membership, program, pause_form=form, status=400)


@members_only(Role.PARTICIPANT)
@require_POST
def enrollment_resume(
    request: HttpRequest, membership: Membership, program_id: int
) -> HttpResponse:
    program = selectors.program_get(membership=membership, program_id=program_id)
    enrollment = selectors.enrollment_of(program=program, person=membership.person)
    if enrollment is None:
        messages.info(request, "You aren't taking part in this program.")
    else:
        try:
            services.enrollment_resume(enrollment=enrollment)
        except services.EnrollmentError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Welcome back! You're taking part again.")
    return redirect("programs:detail", program_id=program.pk)


@members_only(Role.PARTICIPANT)
@require_POST
def enrollment_leave(request: HttpRequest, membership: Membership, program_id: int) -> HttpResponse:
    program = selectors.program_get(membership=membership, program_id=program_id)
    enrollment = selectors.enrollment_of(program=program, person=membership.person)
    if enrollment is None:
        messages.info(request, "You aren't taking part in this program.")
    else:
        try:
            services.enrollment_leave(enrollment=enrollment)
        except services.EnrollmentError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "You've left the program. Thank you for taking part.")
    return redirect("programs:detail", program_id=program.pk)
