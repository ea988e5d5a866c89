from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from peercoach.accounts.models import User
from peercoach.organizations.models import Membership, Organization

pytestmark = pytest.mark.django_db

PASSWORD = "installing-peercoach-2026"


def run(*args: str) -> str:
    out = StringIO()
    call_command("create_organization_admin", *args, stdout=out)
    return out.getvalue()


def test_it_creates_the_organization_and_prints_a_link_to_choose_a_password(monkeypatch):
    monkeypatch.delenv("PEERCOACH_ADMIN_PASSWORD", raising=False)
    output = run("--organization", "acme", "--email", "IT@Acme.example", "--name", "Acme Corp")

    organization = Organization.objects.get(slug="acme")
    user = User.objects.get(email="it@acme.example")
    assert not user.has_usable_password()
    membership = Membership.objects.in_organization(organization).get(user=user)
    assert membership.is_organization_admin

    link = re.search(r"https?://\S+(/accounts/password/reset/key/\S+)", output)
    assert link, output
    client = Client()
    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(form_url, {"password1": PASSWORD, "password2": PASSWORD})
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_it_sets_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("PEERCOACH_ADMIN_PASSWORD", PASSWORD)
    output = run("--organization", "acme", "--email", "it@acme.example", "--name", "Acme")
    assert "http" not in output
    assert User.objects.get(email="it@acme.example").check_password(PASSWORD)


def test_a_weak_password_changes_nothing(monkeypatch):
    monkeypatch.setenv("PEERCOACH_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="Nothing was changed"):
        run("--organization", "acme", "--email", "it@acme.example", "--name", "Acme")
    assert not Organization.objects.filter(slug="acme").exists()
    assert not User.objects.filter(email="it@acme.example").exists()


def test_an_unknown_organization_without_a_name_is_explained():
    with pytest.raises(CommandError, match="Add --name to create it"):
        run("--organization", "nope", "--email", "it@acme.example")


def test_running_it_again_for_an_existing_member_only_grants_the_admin_role(personas, monkeypatch):
    monkeypatch.delenv("PEERCOACH_ADMIN_PASSWORD", raising=False)
    run("--organization", "acme", "--email", "pam@acme.test")
    pam = Membership.objects.in_organization(personas.acme).get(user=personas.pam)
    assert pam.is_organization_admin
    assert pam.is_program_manager
    assert Membership.all_organizations.filter(user=personas.pam).count() == 1
