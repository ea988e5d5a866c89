from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peercoach.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"


def sign_in(client: Client, email: str, password: str):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def test_the_login_page_uses_our_layout_and_labels_every_field(client):
    response = client.get(LOGIN_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html
    assert '<label for="id_login"' in html
    assert '<label for="id_password"' in html
    assert "Forgot your password?" in html
    assert "sign up" not in html.lower()


def test_the_login_page_has_no_inline_script_or_style_under_the_csp(client):
    response = client.get(LOGIN_URL)
    html = response.content.decode()
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    assert " style=" not in html
    assert "<style" not in html
    for script in re.findall(r"<script[^>]*>", html):
        nonce = re.search(r'nonce="([^"]+)"', script)
        assert "src=" in script or (nonce and f"'nonce-{nonce.group(1)}'" in policy), script


def test_a_member_signs_in_with_email_and_password(personas):
    client = Client()
    response = sign_in(client, "ada@acme.test", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("organizations:members")).status_code == 200


def test_the_email_is_not_case_sensitive(personas):
    response = sign_in(Client(), "ADA@Acme.test", PASSWORD)
    assert response.status_code == 302


def test_a_wrong_password_gets_a_clear_error_and_no_session(personas):
    client = Client()
    response = sign_in(client, "ada@acme.test", "not-the-password")
    html = response.content.decode()
    assert response.status_code == 200
    assert "That email and password don&#x27;t match an account" in html
    assert 'role="alert"' in html
    assert "_auth_user_id" not in client.session


def test_a_missing_email_is_shown_next_to_the_field(client):
    response = client.post(LOGIN_URL, {"login": "", "password": "x"})
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_login_error"' in html
    assert 'id="id_login_error"' in html


def test_after_five_failed_logins_further_attempts_are_refused_even_with_the_right_password(
    personas,
):
    client = Client()
    for _ in range(5):
        assert "match an account" in sign_in(client, "ada@acme.test", "wrong").content.decode()
    response = sign_in(client, "ada@acme.test", PASSWORD)
    assert "Too many attempts to sign in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failed_logins_for_one_account_do_not_lock_out_another_from_elsewhere(personas):
    for _ in range(5):
        sign_in(Client(REMOTE_ADDR="10.0.0.1"), "ada@acme.test", "wrong")
    response = sign_in(Client(REMOTE_ADDR="10.0.0.2"), "pam@acme.test", PASSWORD)
    assert response.status_code == 302


def test_sign_up_is_closed_and_explains_invitations(client):
    response = client.get("/accounts/signup/")
    assert "Accounts are by invitation" in response.content.decode()
    response = client.post(
        "/accounts/signup/", {"email": "new@x.test", "password1": "Zx9!long-pass"}
    )
    assert "Accounts are by invitation" in response.content.decode()
    from peercoach.accounts.models import User

    assert not User.objects.filter(email="new@x.test").exists()


def test_a_switched_off_account_cannot_sign_in(personas):
    personas.pam.is_active = False
    personas.pam.save()
    client = Client()
    sign_in(client, "pam@acme.test", PASSWORD)
    assert "_auth_user_id" not in client.session


def test_a_signed_in_session_lasts_the_configured_cookie_age_and_ends_with_the_browser(
    personas, settings
):
    client = Client()
    response = sign_in(client, "ada@acme.test", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""  # a browser-session cookie: closing the browser ends it
    session = Session.objects.get(session_key=cookie.value)
    expected = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs(session.expire_date - expected) < timedelta(minutes=1)
    assert settings.SESSION_COOKIE_AGE <= 60 * 60 * 12


def test_activity_pushes_the_expiry_back(personas):
    client = Client()
    sign_in(client, "ada@acme.test", PASSWORD)
    session_key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=session_key).update(
        expire_date=timezone.now() + timedelta(minutes=5)
    )
    client.get(reverse("organizations:members"))
    session = Session.objects.get(session_key=session_key)
    assert session.expire_date > timezone.now() + timedelta(hours=1)


def test_an_expired_session_is_sent_to_the_login_page(personas):
    client = Client()
    sign_in(client, "ada@acme.test", PASSWORD)
    Session.objects.filter(session_key=client.cookies["sessionid"].value).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(reverse("organizations:members"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_signing_out_ends_the_session(personas):
    client = personas.client_for(personas.ada)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get(reverse("organizations:members")).status_code == 302


def test_the_logout_page_uses_our_layout(personas):
    response = personas.client_for(personas.ada).get("/accounts/logout/")
    assert 'class="site-header"' in response.content.decode()


def test_people_cannot_add_email_addresses_to_their_account(personas):
    client = personas.client_for(personas.pia)
    response = client.get("/accounts/email/")
    assert "the address your organization" in response.content.decode()
    response = client.post(
        "/accounts/email/", {"email": "someone-else@acme.test", "action_add": ""}
    )
    assert response.status_code == 405
