"""Matching run pages, for program managers and organization admins.

A run works in the background: its page polls a small status fragment with htmx every two
seconds while it works, and offers a plain "Refresh" link without JavaScript. Every POST ends
in a redirect with a short message.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from peercoach.organizations.access import PEOPLE_ADMINS, members_only
from peercoach.organizations.models import Membership
from peercoach.programs import matching_selectors as selectors
from peercoach.programs import matching_services as services
from peercoach.programs.matching_models import MatchingRun, RunStatus
from peercoach.programs.selectors import program_get


class MoveForm(forms.Form):
    person = forms.IntegerField(
        min_value=1, error_messages={"required": "Choose the person to move."}
    )
    to_group = forms.IntegerField(
        min_value=1,
        required=False,
        label="Group number",
        help_text="Leave empty to take them out of every group.",
    )


@members_only(*PEOPLE_ADMINS)
@require_POST
def matching_start(request: HttpRequest, membership: Membership, program_id: int) -> HttpResponse:
    program = program_get(membership=membership, program_id=program_id)
    try:
        run = services.matching_run_start(program=program, started_by=membership)
    except services.MatchingError as error:
        messages.error(request, error.message)
        return redirect("programs:manage", program_id=program.pk)
    messages.success(request, "Matching has started. This page updates as it goes.")
    return redirect("programs:matching_run", run_id=run.pk)


@members_only(*PEOPLE_ADMINS)
@require_GET
def matching_run(request: HttpRequest, membership: Membership, run_id: int) -> HttpResponse:
    run = selectors.matching_run_get(membership=membership, run_id=run_id)
    find = request.GET.get("find", "").strip()[:100]
    search = {
        "find": find,
        "found": (found := selectors.placements_named(run=run, text=find)),
        "may_be_more": len(found) >= selectors.PEOPLE_SEARCH_LIMIT,
    }
    if request.htmx and "find" in request.GET:  # type: ignore[attr-defined]
        # The move form's search as you type: only the people found.
        return render(request, "programs/matching_run.html#move_people", search)
    if request.htmx:  # type: ignore[attr-defined]
        response = render(request, "programs/matching_run.html#status", {"run": run})
        if not run.is_in_progress:
            # Done: load the whole page once, with the proposals.
            response["HX-Refresh"] = "true"
        return response
    context: dict[str, object] = {"run": run, "program": run.program}
    if run.status in (RunStatus.FINISHED, RunStatus.PUBLISHING, RunStatus.PUBLISHED):
        proposals = selectors.proposals_page(run=run, page=request.GET.get("page"))
        context.update(
            figures=selectors.run_figures(run=run),
            proposals=proposals,
            unmatched=selectors.unmatched_page(run=run, page=request.GET.get("unmatched_page")),
            **search,
            largest_group=services.largest_group(run.program),
        )
    return render(request, "programs/matching_run.html", context)


def _back(run: MatchingRun, request: HttpRequest) -> HttpResponse:
    """Back to the run page as the manager left it: the same page, the same search."""
    query: dict[str, str] = {}
    page = request.POST.get("page", "")
    if page.isdigit():
        query["page"] = page
    find = request.POST.get("find", "").strip()[:100]
    if find:
        query["find"] = find
    suffix = f"?{urlencode(query)}" if query else ""
    return redirect(reverse("programs:matching_run", args=[run.pk]) + suffix)


@members_only(*PEOPLE_ADMINS)
@require_POST
def matching_move(request: HttpRequest, membership: Membership, run_id: int) -> HttpResponse:
    run = selectors.matching_run_get(membership=membership, run_id=run_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a person and the number of the group to move them to.")
        return _back(run, request)
    try:
        result = services.matching_move(
            run=run,
            person_id=form.cleaned_data["person"],
            to_number=form.cleaned_data["to_group"],
        )
    except services.MatchingError as error:
        messages.error(request, error.message)
        return _back(run, request)
    name = result.placement.person.full_name
    done = (
        f"{name} moved to group {result.target.number}."
        if result.target is not None
        else f"{name} is out of every group."
    )
    if result.left_alone:
        done += f" {', '.join(result.left_alone)} is now waiting for a match."
    messages.success(request, done)
    return _back(run, request)


@members_only(*PEOPLE_ADMINS)
@require_POST
def matching_publish(request: HttpRequest, membership: Membership, run_id: int) -> HttpResponse:
    run = selectors.matching_run_get(membership=membership, run_id=run_id)
    try:
        services.matching_run_publish_start(run=run)
    except services.MatchingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, "Publishing: everyone in these groups is being asked for their yes."
        )
    return redirect("programs:matching_run", run_id=run.pk)
