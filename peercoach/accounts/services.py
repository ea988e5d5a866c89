"""Account writes: inviting people from the directory, and turning an invitation into an account.

An invitation names a person in the directory and the roles they will hold. Its email carries a
random token; only the token's hash is stored. Accepting it creates (or reuses) the login account
with the person's email and links a membership to the person, so they become a participant.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from peercoach.accounts.models import Invitation, User
from peercoach.core.errors import RefusedError
from peercoach.organizations.models import Membership, Organization
from peercoach.people.models import Person

logger = logging.getLogger(__name__)

INVITATION_LIFETIME = timedelta(days=14)


class InvitationError(RefusedError):
    """The invitation cannot go ahead; `message` says why, in words for the person reading it."""


class ExistingPasswordMismatchError(InvitationError):
    """Someone who already has an account typed a password that is not theirs."""


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("invitation_accept", kwargs={"token": token})


def invitation_create(
    *,
    organization: Organization,
    person: Person,
    invited_by: User | None,
    is_program_manager: bool = False,
    is_sponsor: bool = False,
    is_organization_admin: bool = False,
) -> Invitation:
    """Invite `person` to activate an account, replacing any invitation still open for them."""
    with transaction.atomic():
        if person.organization_id != organization.pk:
            raise InvitationError("That person is not in this organization's directory.")
        _ensure_can_be_invited(organization=organization, person=person)
        now = timezone.now()
        Invitation.objects.in_organization(organization).filter(
            person=person, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            organization=organization,
            person=person,
            email=person.email.lower(),
            is_program_manager=is_program_manager,
            is_sponsor=is_sponsor,
            is_organization_admin=is_organization_admin,
            invited_by=invited_by,
            token_hash=invitation_token_hash(token),
            expires_at=now + INVITATION_LIFETIME,
        )
        # Sent inside the transaction: if the mail server refuses, no invitation is left behind
        # that nobody received.
        _send_invitation_email(invitation=invitation, token=token)
    return invitation


def _ensure_can_be_invited(*, organization: Organization, person: Person) -> None:
    if not person.is_active:
        raise InvitationError(
            f"{person.full_name} is marked as having left, so they can't be invited."
        )
    if not person.email:
        raise InvitationError(f"{person.full_name} has no email address in the directory.")
    already_member = (
        Membership.objects.in_organization(organization)
        .filter(Q(person=person) | Q(user__email__iexact=person.email))
        .exists()
    )
    if already_member:
        raise InvitationError(f"{person.full_name} already has an account here.")


def _send_invitation_email(*, invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "inviter": invitation.invited_by,
        "organization": invitation.organization,
        "person": invitation.person,
        "link": invitation_link(token),
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/email/invitation_message.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("Invitation email to %s failed: %s", invitation.email, error)
        raise InvitationError(
            "We couldn't send the invitation email just now, so nothing was saved. "
            "Please try again in a few minutes."
        ) from error


@dataclass
class BulkInvitationResult:
    invited: list[Person] = field(default_factory=list)
    refused: list[tuple[Person, str]] = field(default_factory=list)


def invitations_create_for_department(
    *, organization: Organization, department: str, invited_by: User | None
) -> BulkInvitationResult:
    """Invite every active person of `department` who has no account and no open invitation.

    Each person is invited in their own transaction: one refused email doesn't undo the others,
    and the result says who was invited and who wasn't, with the reason.
    """
    open_invitation = Invitation.objects.in_organization(organization).filter(
        person=OuterRef("pk"),
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    people = (
        Person.objects.in_organization(organization)
        .filter(department=department, is_active=True, membership__isnull=True)
        .exclude(Exists(open_invitation))
        .order_by("full_name", "pk")
    )
    result = BulkInvitationResult()
    for person in people:
        try:
            invitation_create(organization=organization, person=person, invited_by=invited_by)
        except InvitationError as error:
            result.refused.append((person, error.message))
        else:
            result.invited.append(person)
    return result


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why this invitation can't be accepted, or None when it can."""
    if invitation is None:
        return (
            "This invitation link isn't valid. Check that you copied the whole link, "
            "or ask your organization's admin for a new invitation."
        )
    if invitation.accepted_at is not None:
        return "This invitation has already been used. You can sign in with your password."
    if invitation.revoked_at is not None:
        return (
            "This invitation was withdrawn. If you still need an account, "
            "ask your organization's admin to invite you again."
        )
    if invitation.is_expired:
        return "This invitation has expired. Ask your organization's admin to send you a new one."
    if not invitation.person.is_active:
        return "This invitation is no longer valid. Ask your organization's admin for help."
    return None


def invitation_accept(*, token: str, password: str) -> User:
    """Activate the account an invitation offers, once; returns the user to sign in.

    Someone who already has an account (in another organization, say) keeps it: they confirm with
    their current password instead of choosing a new one.
    """
    with transaction.atomic():
        invitation = (
            Invitation.all_organizations.select_for_update()
            .select_related("organization", "person")
            .filter(token_hash=invitation_token_hash(token))
            .first()
        )
        problem = invitation_problem(invitation)
        if problem is not None or invitation is None:
            raise InvitationError(problem or "")
        organization, person = invitation.organization, invitation.person
        _ensure_can_be_invited(organization=organization, person=person)
        user = _account_for_invitation(invitation=invitation, password=password)
        Membership.objects.create(
            organization=organization,
            user=user,
            person=person,
            is_program_manager=invitation.is_program_manager,
            is_sponsor=invitation.is_sponsor,
            is_organization_admin=invitation.is_organization_admin,
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


def _account_for_invitation(*, invitation: Invitation, password: str) -> User:
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        candidate = User(email=invitation.email, full_name=invitation.person.full_name)
        password_validation.validate_password(password, user=candidate)
        return User.objects.create_user(
            email=invitation.email, password=password, full_name=invitation.person.full_name
        )
    if not user.is_active:
        raise InvitationError(
            "Your account has been switched off. Please ask your organization's admin for help."
        )
    if user.has_usable_password():
        if not user.check_password(password):
            raise ExistingPasswordMismatchError(
                "You already have an account with this email. "
                "Type its current password to join this organization too."
            )
        return user
    password_validation.validate_password(password, user=user)
    user.set_password(password)
    if not user.full_name:
        user.full_name = invitation.person.full_name
    user.save(update_fields=["password", "full_name"])
    return user


def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """Withdraw an invitation that hasn't been used; its link stops working at once."""
    with transaction.atomic():
        invitation = Invitation.all_organizations.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise InvitationError(
                "This invitation has already been accepted, so it can't be withdrawn. "
                "You can switch the account off instead."
            )
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
    return invitation
