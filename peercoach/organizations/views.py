"""Members & roles: organization admins invite people from the directory, grant roles, and
switch accounts off and on. Every page works without JavaScript; htmx only refreshes the list
of people matching the invite search."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peercoach.accounts import selectors as account_selectors
from peercoach.accounts import services as account_services
from peercoach.organizations import selectors, services
from peercoach.organizations.access import members_only
from peercoach.organizations.forms import (
    DepartmentInvitationForm,
    InvitationForm,
    ReportingSizeForm,
    RolesForm,
)
from peercoach.organizations.models import Membership, Role


@members_only(Role.ORGANIZATION_ADMIN)
@require_GET
def member_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    if request.htmx and request.GET.get("fragment") == "candidates":  # type: ignore[attr-defined]
        context = _candidates_context(membership, request.GET.get("q", ""))
        return render(request, "organizations/member_list.html#candidates", context)
    return _members_page(request, membership, search=request.GET.get("q", ""))


def _candidates_context(membership: Membership, search: str) -> dict[str, Any]:
    search = search.strip()[:200]
    return {
        "search": search,
        "candidates": selectors.invite_candidates_matching(
            organization=membership.organization, text=search
        ),
    }


def _members_page(
    request: HttpRequest,
    membership: Membership,
    *,
    search: str = "",
    invite_form: InvitationForm | None = None,
    department_form: DepartmentInvitationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    organization = membership.organization
    context = {
        "members": selectors.members_list(organization=organization),
        "invitations": account_selectors.invitations_open(organization=organization),
        "invite_form": invite_form or InvitationForm(organization=organization),
        "department_form": department_form or DepartmentInvitationForm(organization=organization),
        **_candidates_context(membership, search),
    }
    return render(request, "organizations/member_list.html", context, status=status)


@members_only(Role.ORGANIZATION_ADMIN)
@require_POST
def invitation_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    organization = membership.organization
    form = InvitationForm(request.POST, organization=organization)
    if form.is_valid():
        person = form.cleaned_data["person"]
        try:
            account_services.invitation_create(
                organization=organization,
                person=person,
                invited_by=membership.user,
                is_program_manager=form.cleaned_data["is_program_manager"],
                is_sponsor=form.cleaned_data["is_sponsor"],
                is_organization_admin=form.cleaned_data["is_organization_admin"],
            )
        except account_services.InvitationError as error:
            form.add_error("person", error.message)
        else:
            messages.success(request, f"Invitation sent to {person.full_name} ({person.email}).")
            return redirect("organizations:members")
    search = request.POST.get("q", "")
    return _members_page(request, membership, search=search, invite_form=form, status=400)


@members_only(Role.ORGANIZATION_ADMIN)
@require_POST
def invitation_create_for_department(request: HttpRequest, membership: Membership) -> HttpResponse:
    organization = membership.organization
    form = DepartmentInvitationForm(request.POST, organization=organization)
    if not form.is_valid():
        return _members_page(request, membership, department_form=form, status=400)
    department = form.cleaned_data["department"]
    result = account_services.invitations_create_for_department(
        organization=organization, department=department, invited_by=membership.user
    )
    if result.invited:
        messages.success(request, f"Invited {len(result.invited)} people from {department}.")
    elif not result.refused:
        messages.info(request, f"Everyone in {department} already has an account or an invitation.")
    for person, reason in result.refused:
        messages.error(request, f"{person.full_name} wasn't invited: {reason}")
    return redirect("organizations:members")


@members_only(Role.ORGANIZATION_ADMIN)
@require_POST
def invitation_revoke(
    request: HttpRequest, membership: Membership, invitation_id: int
) -> HttpResponse:
    invitation = account_selectors.invitation_get(
        organization=membership.organization, invitation_id=invitation_id
    )
    try:
        account_services.invitation_revoke(invitation=invitation)
    except account_services.InvitationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The invitation for {invitation.person.full_name} is withdrawn.")
    return redirect("organizations:members")


@members_only(Role.ORGANIZATION_ADMIN)
@require_POST
def member_roles(request: HttpRequest, membership: Membership, membership_id: int) -> HttpResponse:
    member = selectors.member_get(organization=membership.organization, membership_id=membership_id)
    form = RolesForm(request.POST)
    form.is_valid()  # Unticked boxes are simply False: a roles form has no invalid input.
    try:
        services.membership_set_roles(membership=member, **form.cleaned_data)
    except services.MembershipError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Roles of {member.user.get_full_name()} saved.")
        if member.pk == membership.pk and not member.is_organization_admin:
            return redirect("core:home")  # They just gave up access to this page.
    return redirect("organizations:members")


@members_only(Role.ORGANIZATION_ADMIN)
@require_POST
def member_active(request: HttpRequest, membership: Membership, membership_id: int) -> HttpResponse:
    member = selectors.member_get(organization=membership.organization, membership_id=membership_id)
    active = request.POST.get("active") == "1"
    try:
        services.membership_set_active(membership=member, active=active, by=membership)
    except services.MembershipError as error:
        messages.error(request, error.message)
    else:
        state = "switched back on" if active else "switched off"
        messages.success(request, f"The account of {member.user.get_full_name()} is {state}.")
    return redirect("organizations:members")


@members_only(Role.ORGANIZATION_ADMIN)
@require_http_methods(["GET", "POST"])
def organization_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    organization = membership.organization
    form = ReportingSizeForm(
        request.POST or None,
        initial={"minimum_reporting_size": organization.minimum_reporting_size},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_reporting_size_set(
                organization=organization, size=form.cleaned_data["minimum_reporting_size"]
            )
        except services.SettingRefused as refused:
            form.add_error("minimum_reporting_size", refused.message)
        else:
            messages.success(
                request,
                "Saved. Months that end from now on show groups of at least "
                f"{organization.minimum_reporting_size} people. Months already shown keep their "
                "figures, unless those were for smaller groups: they are now hidden.",
            )
            return redirect("organizations:settings")
    status = 400 if form.errors else 200
    return render(request, "organizations/settings.html", {"form": form}, status=status)
