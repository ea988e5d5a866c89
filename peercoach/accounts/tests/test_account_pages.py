"""Every allauth page a person can reach renders in our layout, with labelled fields."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from peercoach.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/inactive/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/password/reset/key/done/",
    "/accounts/password/reset/key/zz-not-a-real-key/",
]
SIGNED_IN_PAGES = ["/accounts/password/change/", "/accounts/logout/", "/accounts/email/"]


def assert_uses_our_layout_with_labelled_fields(response) -> None:
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html
    assert "<h1>" in html
    assert " style=" not in html
    assert "<script>" not in html
    for field_id in re.findall(
        r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*id="([^"]+)"', html
    ):
        assert f'<label for="{field_id}"' in html, f"no label for #{field_id}"


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_account_pages_use_our_layout(page):
    assert_uses_our_layout_with_labelled_fields(Client().get(page, follow=True))


@pytest.mark.parametrize("page", SIGNED_IN_PAGES)
def test_signed_in_account_pages_use_our_layout(personas, page):
    assert_uses_our_layout_with_labelled_fields(personas.client_for(personas.pia).get(page))


def test_a_member_changes_their_password(personas):
    client = personas.client_for(personas.pia)
    new = "a-fresh-passphrase-91"
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    personas.pia.refresh_from_db()
    assert personas.pia.check_password(new)


def test_a_wrong_current_password_is_shown_next_to_its_field(personas):
    response = personas.client_for(personas.pia).post(
        "/accounts/password/change/",
        {"oldpassword": "nope", "password1": "x-y-z-123456", "password2": "x-y-z-123456"},
    )
    html = response.content.decode()
    assert 'aria-describedby="id_oldpassword_helptext id_oldpassword_error"' in html
    assert 'id="id_oldpassword_error"' in html
