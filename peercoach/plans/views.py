"""Pages for a participant's own action plans and notes.

Participants only: managers, sponsors and admins have no page here at all (403), and anyone who
may not read a plan or note gets 404, exactly as if it did not exist. Forms post and redirect;
on the plan page, htmx swaps just the list of actions.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peercoach.organizations.access import members_only
from peercoach.organizations.models import Membership, Role
from peercoach.people.models import Person
from peercoach.plans import selectors, services
from peercoach.plans.forms import (
    ActionForm,
    ActionStatusForm,
    CheckInForm,
    GoalForm,
    NoteForm,
    PlanForm,
    ShareForm,
)
from peercoach.plans.models import ActionPlan, ActionStatus, PlanStatus
from peercoach.plans.permissions import can_change
from peercoach.plans.services import ActionDraft, PlanError
from peercoach.programs.pairing_models import PairingStatus
from peercoach.programs.pairing_selectors import pairing_for_member, pairings_mine

participants_only = members_only(Role.PARTICIPANT)
WRITABLE_PAIRING_STATUSES = {PairingStatus.ACTIVE, PairingStatus.PAUSED}


def _person(membership: Membership) -> Person:
    person = membership.person
    assert person is not None  # the participant role means a directory link
    return person


def _pairing_choices(person: Person) -> list[tuple[int, str]]:
    return [
        (view.id, f"{', '.join(view.peers) or 'your pairing'} ({view.program_name})")
        for view in pairings_mine(person=person)
        if view.status in WRITABLE_PAIRING_STATUSES
    ]


def _form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@participants_only
@require_GET
def plan_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    person = _person(membership)
    context = {
        "plans": selectors.plans_mine(owner=person),
        "shared_plans": selectors.plans_shared_with_me(viewer=person),
        "form": PlanForm(pairings=_pairing_choices(person)),
    }
    return render(request, "plans/plan_list.html", context)


@participants_only
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    person = _person(membership)
    form = PlanForm(request.POST or None, pairings=_pairing_choices(person))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pairing = pairing_for_member(person=person, pairing_id=data["pairing"])
        try:
            plan = services.action_plan_start(
                owner=person,
                pairing=pairing,
                goal=data["goal"],
                actions=[ActionDraft(data["first_action"], data["first_action_due_on"])],
                shared_with_pairing=data["shared_with_pairing"],
            )
        except PlanError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request, "Your plan is saved. Only you can see it unless you share it."
            )
            return redirect("plans:detail", plan_id=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "plans/plan_form.html", {"form": form}, status=status)


def _plan_context(plan: ActionPlan, person: Person, **extra: Any) -> dict[str, Any]:
    return {
        "plan": plan,
        "actions": list(plan.actions.all()),
        "is_owner": can_change(plan, person),
        "action_form": ActionForm(),
        "goal_form": GoalForm(initial={"goal": plan.goal}),
        "statuses": ActionStatus,
        **extra,
    }


@participants_only
@require_GET
def plan_detail(request: HttpRequest, membership: Membership, plan_id: UUID) -> HttpResponse:
    person = _person(membership)
    plan = selectors.plan_for_viewer(viewer=person, plan_id=plan_id)
    return render(request, "plans/plan_detail.html", _plan_context(plan, person))


def _owned_plan(membership: Membership, plan_id: UUID) -> tuple[Person, ActionPlan]:
    person = _person(membership)
    return person, selectors.plan_for_viewer(viewer=person, plan_id=plan_id)


def _back_to_plan(
    request: HttpRequest, plan: ActionPlan, person: Person, **extra: Any
) -> HttpResponse:
    """The actions fragment for htmx, otherwise a redirect to the plan page."""
    if request.htmx:  # type: ignore[attr-defined]
        fresh = selectors.plan_for_viewer(viewer=person, plan_id=plan.pk)
        return render(
            request, "plans/plan_detail.html#actions", _plan_context(fresh, person, **extra)
        )
    return redirect("plans:detail", plan_id=plan.pk)


def _refuse(request: HttpRequest, plan: ActionPlan, person: Person, message: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return _back_to_plan(request, plan, person, error=message)
    messages.error(request, message)
    return redirect("plans:detail", plan_id=plan.pk)


@participants_only
@require_POST
def plan_goal(request: HttpRequest, membership: Membership, plan_id: UUID) -> HttpResponse:
    person, plan = _owned_plan(membership, plan_id)
    form = GoalForm(request.POST)
    if not form.is_valid():
        return _refuse(request, plan, person, "Please write the goal (up to 1000 characters).")
    try:
        services.action_plan_edit(plan=plan, by=person, goal=form.cleaned_data["goal"])
    except PlanError as error:
        return _refuse(request, plan, person, error.message)
    messages.success(request, "Goal saved.")
    return redirect("plans:detail", plan_id=plan.pk)


@participants_only
@require_POST
def plan_share(request: HttpRequest, membership: Membership, plan_id: UUID) -> HttpResponse:
    person, plan = _owned_plan(membership, plan_id)
    shared = ShareForm(request.POST).is_valid() and request.POST.get("shared") == "on"
    try:
        services.action_plan_share(plan=plan, by=person, shared=shared)
    except PlanError as error:
        return _refuse(request, plan, person, error.message)
    messages.success(
        request,
        "Shared with your pairing." if shared else "Private again: only you can see it.",
    )
    return redirect("plans:detail", plan_id=plan.pk)


@participants_only
@require_POST
def plan_status(request: HttpRequest, membership: Membership, plan_id: UUID) -> HttpResponse:
    person, plan = _owned_plan(membership, plan_id)
    wanted = request.POST.get("status", "")
    if wanted not in PlanStatus.values:
        return _refuse(request, plan, person, "Choose whether the plan is open or closed.")
    try:
        services.action_plan_set_status(plan=plan, by=person, status=PlanStatus(wanted))
    except PlanError as error:
        return _refuse(request, plan, person, error.message)
    messages.success(request, "Plan closed." if wanted == PlanStatus.CLOSED else "Plan reopened.")
    return redirect("plans:detail", plan_id=plan.pk)


@participants_only
@require_POST
def action_add(request: HttpRequest, membership: Membership, plan_id: UUID) -> HttpResponse:
    person, plan = _owned_plan(membership, plan_id)
    form = ActionForm(request.POST)
    if not form.is_valid():
        return _refuse(request, plan, person, "Please write the action, and a valid date if any.")
    draft = ActionDraft(form.cleaned_data["text"], form.cleaned_data["due_on"])
    try:
        services.action_add(plan=plan, by=person, draft=draft)
    except PlanError as error:
        return _refuse(request, plan, person, error.message)
    return _back_to_plan(request, plan, person)


@participants_only
@require_POST
def action_status(request: HttpRequest, membership: Membership, action_id: UUID) -> HttpResponse:
    person = _person(membership)
    action = selectors.action_for_viewer(viewer=person, action_id=action_id)
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        return _refuse(request, action.plan, person, "Choose done, dropped or to do.")
    try:
        services.action_set_status(
            action=action, by=person, status=ActionStatus(form.cleaned_data["status"])
        )
    except PlanError as error:
        return _refuse(request, action.plan, person, error.message)
    return _back_to_plan(request, action.plan, person)


@participants_only
@require_POST
def action_check_in(request: HttpRequest, membership: Membership, action_id: UUID) -> HttpResponse:
    person = _person(membership)
    action = selectors.action_for_viewer(viewer=person, action_id=action_id)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return _refuse(request, action.plan, person, "Write a few words (up to 2000 characters).")
    try:
        services.check_in_add(action=action, by=person, text=form.cleaned_data["text"])
    except PlanError as error:
        return _refuse(request, action.plan, person, error.message)
    return _back_to_plan(request, action.plan, person)


# --- Notes ------------------------------------------------------------------------------------


@participants_only
@require_GET
def note_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    person = _person(membership)
    pairings = [
        view for view in pairings_mine(person=person) if view.status in WRITABLE_PAIRING_STATUSES
    ]
    notes = list(selectors.notes_mine(owner=person))
    return render(request, "plans/note_list.html", {"notes": notes, "pairings": pairings})


@participants_only
@require_http_methods(["GET", "POST"])
def pairing_notes(request: HttpRequest, membership: Membership, pairing_id: int) -> HttpResponse:
    person = _person(membership)
    pairing = pairing_for_member(person=person, pairing_id=pairing_id)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_create(
                owner=person,
                pairing=pairing,
                body=form.cleaned_data["body"],
                shared_with_pairing=form.cleaned_data["shared_with_pairing"],
            )
        except PlanError as error:
            form.add_error("body" if error.field == "body" else None, error.message)
        else:
            messages.success(request, "Note saved.")
            return redirect("plans:pairing_notes", pairing_id=pairing.pk)
    context = {
        "pairing": pairing,
        "peers": sorted(
            m.person.full_name for m in pairing.members.all() if m.person_id != person.pk
        ),
        "notes": selectors.notes_for_pairing(viewer=person, pairing=pairing),
        "form": form,
        "person": person,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "plans/pairing_notes.html", context, status=status)


@participants_only
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, membership: Membership, note_id: UUID) -> HttpResponse:
    person = _person(membership)
    note = selectors.note_for_viewer(viewer=person, note_id=note_id)
    if not can_change(note, person):
        return render(request, "plans/note_detail.html", {"note": note})
    initial = {"body": note.body, "shared_with_pairing": note.shared_with_pairing}
    form = NoteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_edit(note=note, by=person, body=form.cleaned_data["body"])
            services.note_share(
                note=note, by=person, shared=form.cleaned_data["shared_with_pairing"]
            )
        except PlanError as error:
            form.add_error("body" if error.field == "body" else None, error.message)
        else:
            messages.success(request, "Note saved.")
            return redirect("plans:pairing_notes", pairing_id=note.pairing_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "plans/note_form.html", {"note": note, "form": form}, status=status)


@participants_only
@require_POST
def note_delete(request: HttpRequest, membership: Membership, note_id: UUID) -> HttpResponse:
    person = _person(membership)
    note = selectors.note_for_viewer(viewer=person, note_id=note_id)
    pairing_id = note.pairing_id
    try:
        services.note_delete(note=note, by=person)
    except PlanError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Note deleted.")
    return redirect("plans:pairing_notes", pairing_id=pairing_id)
