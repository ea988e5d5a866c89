from __future__ import annotations

import pytest
from django.test import Client

from peercoach.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADMIN = "/django-admin/"
ADMIN_PAGES = [
    ADMIN,
    "/django-admin/accounts/user/",
    "/django-admin/accounts/invitation/",
    "/django-admin/organizations/organization/",
    "/django-admin/organizations/membership/",
    "/django-admin/people/person/",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_a_superuser_opens_djangos_admin(db, page):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    assert client.get(page).status_code == 200


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_staff_who_are_not_superusers_are_kept_out(db, page):
    staff = UserFactory(is_staff=True)
    client = Client()
    client.force_login(staff)
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/django-admin/login/")
    login_page = client.get(response["Location"])
    assert "This area is for superusers" in login_page.content.decode()


@pytest.mark.parametrize("persona", ["ada", "pam", "sid", "pia", "otto"])
def test_no_organization_role_opens_djangos_admin(personas, persona):
    client = personas.client_for(getattr(personas, persona))
    response = client.get(ADMIN, follow=True)
    assert "This area is for superusers" in response.content.decode()
    assert "Site administration" not in response.content.decode()


def test_signing_in_to_the_admin_goes_through_the_throttled_sign_in_page(db):
    response = Client().get("/django-admin/login/?next=/django-admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=/django-admin/accounts/user/" in response["Location"]


def test_a_superuser_signs_in_and_lands_in_the_admin(db):
    UserFactory(email="root@example.test", is_staff=True, is_superuser=True)
    client = Client()
    response = client.post(
        "/accounts/login/?next=/django-admin/",
        {"login": "root@example.test", "password": PASSWORD, "next": "/django-admin/"},
    )
    assert response["Location"] == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200


def test_posting_a_password_to_the_admin_login_does_not_sign_in(db):
    UserFactory(email="root@example.test", is_staff=True, is_superuser=True)
    client = Client()
    client.post("/django-admin/login/", {"username": "root@example.test", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
