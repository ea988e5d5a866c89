from __future__ import annotations

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from peercoach.accounts import selectors, services
from peercoach.accounts.forms import InvitationAcceptForm
from peercoach.accounts.models import Invitation
from peercoach.organizations.middleware import SESSION_KEY as CURRENT_ORGANIZATION_KEY

TOO_MANY_ATTEMPTS = (
    "Too many attempts with a wrong password. To keep your account safe, please wait a few "
    "minutes before trying again."
)
# Accepted invitations sign in with Django's model backend: the password was just checked.
INVITATION_LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the token in the link is the credential. Shows who invited whom, then a password."""
    invitation = selectors.invitation_get_by_token(token=token)
    problem = services.invitation_problem(invitation)
    if problem is not None or invitation is None:
        return _invitation_unavailable(
            request, problem or "", status=404 if invitation is None else 410
        )
    form = InvitationAcceptForm(
        request.POST or None,
        invitation=invitation,
        existing_user=selectors.existing_account_for_email(invitation.email),
    )
    if request.method == "POST" and form.is_valid():
        if form.confirms_existing_password and not _may_try_password(request, invitation.email):
            form.add_error("password", TOO_MANY_ATTEMPTS)
            return _invitation_page(request, invitation, form)
        try:
            user = services.invitation_accept(token=token, password=form.cleaned_data["password"])
        except services.ExistingPasswordMismatchError as error:
            _count_failed_password(request, invitation.email)
            form.add_error("password", error.message)
        except services.InvitationError as error:
            return _invitation_unavailable(request, error.message, status=409)
        except ValidationError as error:
            form.add_error("password", error)
        else:
            login(request, user, backend=INVITATION_LOGIN_BACKEND)
            request.session[CURRENT_ORGANIZATION_KEY] = invitation.organization_id
            messages.success(request, f"Welcome to {invitation.organization.name}!")
            return redirect("core:home")
    return _invitation_page(request, invitation, form)


def _invitation_page(
    request: HttpRequest, invitation: Invitation, form: InvitationAcceptForm
) -> HttpResponse:
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=400 if form.is_bound else 200,
    )


# Confirming an existing account's password here must not bypass sign-in throttling, or a leaked
# invitation link would let someone guess that password without limit.
def _may_try_password(request: HttpRequest, email: str) -> bool:
    return bool(ratelimit.consume(request, action="login_failed", key=email.lower(), dry_run=True))


def _count_failed_password(request: HttpRequest, email: str) -> None:
    ratelimit.consume(request, action="login_failed", key=email.lower())


def _invitation_unavailable(request: HttpRequest, problem: str, *, status: int) -> HttpResponse:
    return render(
        request, "accounts/invitation_unavailable.html", {"problem": problem}, status=status
    )


@require_GET
@login_required
def email_managed_by_organization(request: HttpRequest) -> HttpResponse:
    """Sign-in emails come from the organization's directory, so people don't edit them here.

    This shadows allauth's email management page: letting people add unverified addresses would
    let one person claim another's email, which invitations and single sign-on match on.
    """
    return render(request, "accounts/email_managed.html")
