"""The live guided-session page, the changes members make during it, and the script editor.

Only the members of a session's pairing reach a session here (`session_for_member` answers 404 to
everyone else, other organizations included); managers, sponsors and admins get 403 from the role
gate. Every change is a plain form POST that redirects back, so the page works without JavaScript;
with htmx the live part polls every two seconds and is only re-sent when something changed.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peercoach.core.errors import RefusedError
from peercoach.meetings.models import CoachingSession
from peercoach.meetings.selectors import session_for_member
from peercoach.organizations.access import PEOPLE_ADMINS, members_only
from peercoach.organizations.models import Membership, Role
from peercoach.people.models import Person
from peercoach.plans.selectors import action_for_viewer
from peercoach.programs.selectors import program_get
from peercoach.runner import services
from peercoach.runner.forms import (
    ObserverNoteForm,
    OptionForm,
    PlanForm,
    PositionForm,
    ReviewForm,
    StepFormSet,
    step_initial,
)
from peercoach.runner.models import SessionRun
from peercoach.runner.selectors import run_for_session, run_view

type RunChange = Callable[[HttpRequest, SessionRun, Person], str | None]


def _person(membership: Membership) -> Person:
    person = membership.person
    assert person is not None  # the participant role means a directory link
    return person


def _run_url(session: CoachingSession) -> str:
    return reverse("runner:run", kwargs={"session_id": session.pk})


@members_only(Role.PARTICIPANT)
@require_GET
def run_page(request: HttpRequest, membership: Membership, session_id: int) -> HttpResponse:
    person = _person(membership)
    session = session_for_member(person=person, session_id=session_id)
    run = run_for_session(session)
    if run is not None and person.pk not in run.member_ids:
        # Joined the pairing after this session began: its content belongs to those in it.
        raise Http404("No such session.")
    polling = bool(request.htmx)  # type: ignore[attr-defined]
    if polling and (run is None or request.GET.get("v") == str(run.version)):
        return HttpResponse(status=204)  # nothing new: htmx leaves the page as it is
    context: dict[str, object] = {
        "session": session,
        "pairing": session.pairing,
        "program": session.pairing.program,
        "person": person,
        "run": run,
        "view": run_view(run=run, viewer=person) if run else None,
        "steps": services.program_steps(session.pairing.program) if run is None else [],
        "option_form": OptionForm(),
        "note_form": ObserverNoteForm(),
        "plan_form": PlanForm(),
    }
    template = "runner/run.html#live" if polling else "runner/run.html"
    with timezone.override(_zone(person)):  # times read as the viewer's own clock
        return render(request, template, context)


def _zone(person: Person) -> ZoneInfo:
    try:
        return ZoneInfo(person.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _run_action(change: RunChange) -> Callable[..., HttpResponseBase]:
    """A POST that changes the running session, then back to the page with what happened."""

    @members_only(Role.PARTICIPANT)
    @require_POST
    def view(request: HttpRequest, membership: Membership, session_id: int) -> HttpResponse:
        person = _person(membership)
        session = session_for_member(person=person, session_id=session_id)
        run = run_for_session(session)
        if run is None:
            messages.error(request, "The guided session hasn't started yet. Start it first.")
            return redirect(_run_url(session))
        try:
            done = change(request, run, person)
        except RefusedError as error:
            messages.error(request, error.message)
        else:
            if done:
                messages.success(request, done)
        return redirect(_run_url(session) + "#live")

    return view


@members_only(Role.PARTICIPANT)
@require_POST
def run_start(request: HttpRequest, membership: Membership, session_id: int) -> HttpResponse:
    person = _person(membership)
    session = session_for_member(person=person, session_id=session_id)
    try:
        services.run_start(session=session, by=person)
    except RefusedError as error:
        messages.error(request, error.message)
    return redirect(_run_url(session))


def _advance(request: HttpRequest, run: SessionRun, person: Person) -> str | None:
    form = PositionForm(request.POST)
    if not form.is_valid():
        raise services.RunnerError("That button was out of date. Here is where you are now.")
    forward = form.cleaned_data["direction"] != "back"
    position = form.cleaned_data["position"]
    services.run_advance(run=run, by=person, from_position=position, forward=forward)
    return None


def _agree(request: HttpRequest, run: SessionRun, person: Person) -> str | None:
    services.run_agree(run=run, by=person)
    return "Thank you. What is said here stays here."


def _thank(request: HttpRequest, run: SessionRun, person: Person) -> str | None:
    services.run_thank(run=run, by=person)
    return None


def _keep_time(request: HttpRequest, run: SessionRun, person: Person) -> str | None:
    services.run_timekeeper_claim(run=run, by=person)
    return "You're keeping time. Move everyone on when a step runs over."


def _add_option(request: HttpRequest, run: SessionRun, person: Person) -> str | None:
    form = OptionForm(request.POST)
    if not form.is_valid():
        raise services.RunnerError(_first_error(form, "Please write the option."))
    services.option_add(run=run, by=person, **form.cleaned_data)
    return "Option added."


def _add_note(request: HttpRequest, run: SessionRun, person: Person) -> str | None:
    form = ObserverNoteForm(request.POST)
    if not form.is_valid():
        raise services.RunnerError(_first_error(form, "Please write your note."))
    services.observer_note_add(run=run, by=person, text=form.cleaned_data["text"])
    return "Note saved for the coach."


def _save_plan(request: HttpRequest, run: SessionRun, person: Person) -> str | None:
    form = PlanForm(request.POST)
    if not form.is_valid():
        raise services.RunnerError(_first_error(form, "Please write your goal."))
    services.run_plan_save(
        run=run,
        by=person,
        goal=form.cleaned_data["goal"],
        actions=form.actions(),
        shared_with_pairing=form.cleaned_data["shared_with_pairing"],
    )
    return "Your plan is saved. We'll look at it together next time."


def _review(request: HttpRequest, run: SessionRun, person: Person) -> str | None:
    form = ReviewForm(request.POST)
    if not form.is_valid():
        raise services.RunnerError("Choose done, still going or dropped.")
    action = action_for_viewer(viewer=person, action_id=form.cleaned_data["action_id"])
    services.review_mark(run=run, by=person, action=action, outcome=form.cleaned_data["outcome"])
    return {
        "done": "Marked done. Well done!",
        "dropped": "Dropped. That's useful to know too.",
    }.get(form.cleaned_data["outcome"], "Still going: it stays on your list.")


def _finish(request: HttpRequest, run: SessionRun, person: Person) -> str | None:
    services.run_finish(run=run, by=person)
    return "Session finished. Thank you for the time you gave each other."


def _first_error(form: OptionForm | ObserverNoteForm | PlanForm, fallback: str) -> str:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return fallback


run_advance = _run_action(_advance)
run_agree = _run_action(_agree)
run_thank = _run_action(_thank)
run_keep_time = _run_action(_keep_time)
option_add = _run_action(_add_option)
observer_note_add = _run_action(_add_note)
plan_save = _run_action(_save_plan)
review_mark = _run_action(_review)
run_finish = _run_action(_finish)


# ---------------------------------------------------------------------------------------------
# The script editor (program managers and organization admins)


@members_only(*PEOPLE_ADMINS)
@require_http_methods(["GET", "POST"])
def script_edit(request: HttpRequest, membership: Membership, program_id: int) -> HttpResponse:
    program = program_get(membership=membership, program_id=program_id)
    steps = services.program_steps(program)
    formset = StepFormSet(
        request.POST if request.method == "POST" else None, initial=step_initial(steps)
    )
    if request.method == "POST" and formset.is_valid():
        try:
            services.script_save(program=program, steps=formset.steps(), by=membership)
        except RefusedError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Script saved. Sessions that start from now on use it.")
            return redirect("runner:script_edit", program_id=program.pk)
    is_own = hasattr(program, "session_script")
    context = {"program": program, "formset": formset, "is_own": is_own}
    return render(request, "runner/script_edit.html", context)


@members_only(*PEOPLE_ADMINS)
@require_POST
def script_reset(request: HttpRequest, membership: Membership, program_id: int) -> HttpResponse:
    program = program_get(membership=membership, program_id=program_id)
    services.script_reset(program=program)
    messages.success(request, "Back to the standard script for this format.")
    return redirect("runner:script_edit", program_id=program.pk)
