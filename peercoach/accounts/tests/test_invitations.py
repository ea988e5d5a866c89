from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peercoach.accounts import services
from peercoach.accounts.models import Invitation, User
from peercoach.organizations.models import Membership, Role
from peercoach.testing.factories import PASSWORD, PersonFactory

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "peer-coaching-rocks-77"


def invite(personas, person=None, **roles):
    return services.invitation_create(
        organization=personas.acme,
        person=person or personas.colleague,
        invited_by=personas.ada,
        **roles,
    )


def token_from_last_email() -> str:
    match = re.search(r"/accounts/invitations/([^/\s]+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def accept_url(token: str) -> str:
    return reverse("invitation_accept", kwargs={"token": token})


def memberships_of(person) -> list[Membership]:
    return list(Membership.all_organizations.filter(person=person))


# Creating


def test_an_invitation_emails_a_link_and_stores_only_the_hash_of_its_token(personas, settings):
    settings.SITE_URL = "https://coach.acme.example"
    invitation = invite(personas, is_program_manager=True)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [personas.colleague.email.lower()]
    assert "Acme" in message.subject
    token = token_from_last_email()
    assert f"https://coach.acme.example/accounts/invitations/{token}/" in message.body
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    assert invitation.expires_at > timezone.now() + timedelta(days=13)


def test_inviting_someone_again_withdraws_the_earlier_link(personas):
    first = invite(personas)
    first_token = token_from_last_email()
    invite(personas)
    first.refresh_from_db()
    assert first.revoked_at is not None
    response = Client().get(accept_url(first_token))
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


def test_people_who_left_cannot_be_invited(personas):
    leaver: Any = PersonFactory(organization=personas.acme, is_active=False, full_name="Lee Ver")
    with pytest.raises(services.InvitationError, match="Lee Ver is marked as having left"):
        invite(personas, person=leaver)
    assert mail.outbox == []
    assert not Invitation.all_organizations.filter(person=leaver).exists()


def test_people_who_already_have_an_account_here_cannot_be_invited(personas):
    with pytest.raises(services.InvitationError, match="already has an account here"):
        invite(personas, person=personas.pia_person)


def test_an_account_with_the_same_email_counts_as_already_having_one(personas):
    person = PersonFactory(organization=personas.acme, email="SID@acme.test")
    with pytest.raises(services.InvitationError, match="already has an account here"):
        invite(personas, person=person)


def test_another_organizations_person_cannot_be_invited(personas):
    with pytest.raises(services.InvitationError, match="not in this organization"):
        invite(personas, person=personas.globex_person)


def test_a_mail_server_failure_leaves_no_invitation_behind(personas):
    with (
        mock.patch.object(services, "send_mail", side_effect=OSError("connection refused")),
        pytest.raises(services.InvitationError, match="couldn't send the invitation email"),
    ):
        invite(personas)
    assert not Invitation.all_organizations.filter(person=personas.colleague).exists()


def test_a_department_is_invited_in_one_go_skipping_members_and_open_invitations(personas):
    for name in ("Dee One", "Dee Two", "Dee Three"):
        PersonFactory(organization=personas.acme, department="Design", full_name=name)
    PersonFactory(organization=personas.acme, department="Design", is_active=False)
    PersonFactory(organization=personas.acme, department="Sales")
    already = PersonFactory(organization=personas.acme, department="Design", full_name="Al Ready")
    invite(personas, person=already)
    mail.outbox.clear()

    result = services.invitations_create_for_department(
        organization=personas.acme, department="Design", invited_by=personas.ada
    )

    assert sorted(p.full_name for p in result.invited) == ["Dee One", "Dee Three", "Dee Two"]
    assert result.refused == []
    assert len(mail.outbox) == 3


# Accepting


def test_accepting_creates_the_account_with_the_granted_roles_and_signs_in(personas):
    invite(personas, is_sponsor=True)
    client = Client()
    url = accept_url(token_from_last_email())
    page = client.get(url).content.decode()
    assert "Join Acme" in page
    assert "invited you" in page
    assert personas.colleague.full_name in page

    response = client.post(
        url, {"password": STRONG_PASSWORD, "password_confirmation": STRONG_PASSWORD}
    )

    assert response.status_code == 302
    user = User.objects.get(email=personas.colleague.email.lower())
    assert user.check_password(STRONG_PASSWORD)
    (membership,) = memberships_of(personas.colleague)
    assert membership.user == user
    assert membership.roles == {Role.PARTICIPANT, Role.SPONSOR}
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    assert "Welcome to Acme!" in home.content.decode()


def test_an_invitation_works_only_once(personas):
    invite(personas)
    token = token_from_last_email()
    services.invitation_accept(token=token, password=STRONG_PASSWORD)
    with pytest.raises(services.InvitationError, match="already been used"):
        services.invitation_accept(token=token, password="another-password-123")
    response = Client().get(accept_url(token))
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert len(memberships_of(personas.colleague)) == 1


def test_an_expired_invitation_changes_nothing(personas):
    invitation = invite(personas)
    token = token_from_last_email()
    Invitation.all_organizations.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(services.InvitationError, match="expired"):
        services.invitation_accept(token=token, password=STRONG_PASSWORD)
    response = Client().post(
        accept_url(token), {"password": STRONG_PASSWORD, "password_confirmation": STRONG_PASSWORD}
    )
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email=personas.colleague.email.lower()).exists()
    assert memberships_of(personas.colleague) == []


def test_a_withdrawn_invitation_changes_nothing(personas):
    invitation = invite(personas)
    token = token_from_last_email()
    services.invitation_revoke(invitation=invitation)
    with pytest.raises(services.InvitationError, match="withdrawn"):
        services.invitation_accept(token=token, password=STRONG_PASSWORD)
    assert memberships_of(personas.colleague) == []


def test_an_unknown_token_answers_not_found_with_a_helpful_page(db):
    response = Client().get(accept_url("made-up"))
    assert response.status_code == 404
    assert "isn&#x27;t valid" in response.content.decode()


def test_a_weak_password_is_refused_next_to_the_field_and_nothing_is_created(personas):
    invite(personas)
    url = accept_url(token_from_last_email())
    response = Client().post(url, {"password": "password", "password_confirmation": "password"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'aria-describedby="id_password_helptext id_password_error"' in page
    assert "too common" in page
    assert memberships_of(personas.colleague) == []


def test_mismatched_passwords_are_refused(personas):
    invite(personas)
    url = accept_url(token_from_last_email())
    response = Client().post(
        url, {"password": STRONG_PASSWORD, "password_confirmation": STRONG_PASSWORD + "x"}
    )
    assert response.status_code == 400
    assert "don&#x27;t match" in response.content.decode()


def test_the_service_checks_passwords_too(personas):
    invite(personas)
    with pytest.raises(ValidationError, match="too short"):
        services.invitation_accept(token=token_from_last_email(), password="Ab1")
    assert memberships_of(personas.colleague) == []


def test_someone_with_an_account_elsewhere_joins_with_their_current_password(personas):
    otto_in_acme = PersonFactory(organization=personas.acme, email=personas.otto.email)
    invite(personas, person=otto_in_acme)
    url = accept_url(token_from_last_email())
    client = Client()
    assert "Your current password" in client.get(url).content.decode()

    wrong = client.post(url, {"password": "not-my-password"})
    assert wrong.status_code == 400
    assert "already have an account" in wrong.content.decode()
    assert memberships_of(otto_in_acme) == []

    right = client.post(url, {"password": PASSWORD})
    assert right.status_code == 302
    assert {m.organization.slug for m in personas.otto.memberships.all()} == {"acme", "globex"}
    assert client.session["peercoach_organization_id"] == personas.acme.pk


def test_guessing_an_existing_accounts_password_is_throttled_like_sign_in(personas):
    otto_in_acme = PersonFactory(organization=personas.acme, email=personas.otto.email)
    invite(personas, person=otto_in_acme)
    url = accept_url(token_from_last_email())
    client = Client()
    for _ in range(5):
        assert "already have an account" in client.post(url, {"password": "guess"}).content.decode()
    response = client.post(url, {"password": PASSWORD})
    assert "Too many attempts" in response.content.decode()
    assert memberships_of(otto_in_acme) == []


def test_an_account_without_a_password_chooses_one_when_accepting(personas):
    User.objects.create_user(email=personas.colleague.email.lower(), password=None)
    invite(personas)
    user = services.invitation_accept(token=token_from_last_email(), password=STRONG_PASSWORD)
    assert user.check_password(STRONG_PASSWORD)
    assert user.full_name == personas.colleague.full_name


def test_a_switched_off_account_cannot_accept(personas):
    User.objects.create_user(
        email=personas.colleague.email.lower(), password=PASSWORD, is_active=False
    )
    invite(personas)
    with pytest.raises(services.InvitationError, match="switched off"):
        services.invitation_accept(token=token_from_last_email(), password=PASSWORD)
    assert memberships_of(personas.colleague) == []


def test_revoking_an_accepted_invitation_is_refused(personas):
    invitation = invite(personas)
    services.invitation_accept(token=token_from_last_email(), password=STRONG_PASSWORD)
    with pytest.raises(services.InvitationError, match="already been accepted"):
        services.invitation_revoke(invitation=invitation)
