from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from peercoach.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def reset_link_from(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_forgotten_password_is_reset_by_email_end_to_end(personas):
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": "pam@acme.test"})
    assert response.status_code == 302
    assert "Check your email" in client.get(response["Location"]).content.decode()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["pam@acme.test"]
    assert message.subject == "peercoach: Choose a new password"

    link = reset_link_from(message)
    # allauth moves the key out of the URL into the session before showing the form.
    response = client.get(link, follow=True)
    page = response.content.decode()
    assert "Choose a new password" in page
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Your password is changed" in client.get(response["Location"]).content.decode()

    fresh = Client()
    old = fresh.post("/accounts/login/", {"login": "pam@acme.test", "password": PASSWORD})
    assert old.status_code == 200
    new = fresh.post("/accounts/login/", {"login": "pam@acme.test", "password": NEW_PASSWORD})
    assert new.status_code == 302


def test_a_reset_link_works_only_once(personas):
    client = Client()
    client.post("/accounts/password/reset/", {"email": "pam@acme.test"})
    link = reset_link_from(mail.outbox[0])
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = Client().get(link, follow=True)
    assert "This link doesn" in again.content.decode()


def test_a_weak_new_password_is_refused_next_to_the_field(personas):
    client = Client()
    client.post("/accounts/password/reset/", {"email": "pam@acme.test"})
    response = client.get(reset_link_from(mail.outbox[0]), follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"password1": "123", "password2": "123"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in page
    assert "too short" in page


def test_asking_for_an_unknown_address_reveals_nothing(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@nowhere.test"})
    assert response.status_code == 302  # same answer as for a real account
