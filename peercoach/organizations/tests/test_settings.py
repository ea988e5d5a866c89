"""Organization settings: the smallest group a figure may describe (issue 7's k)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peercoach.insights.models import InsightsBuild
from peercoach.organizations import services
from peercoach.organizations.models import Organization

pytestmark = pytest.mark.django_db

SETTINGS = reverse("organizations:settings")


def test_an_admin_raises_the_minimum_and_a_check_of_the_figures_is_queued(
    personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = personas.client_for(personas.ada).post(
            SETTINGS, {"minimum_reporting_size": "8"}, follow=True
        )
    assert response.redirect_chain == [(SETTINGS, 302)]
    personas.acme.refresh_from_db()
    assert personas.acme.minimum_reporting_size == 8
    build = InsightsBuild.objects.in_organization(personas.acme).get()
    assert build.requested_at is not None
    assert len(queued) == 1
    page = response.content.decode()
    assert "groups of at least 8 people" in page
    assert 'value="8"' in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2", "It can&#x27;t be below 3: smaller groups could point at someone."),
        ("51", "It can&#x27;t be above 50."),
        ("five", "Enter a whole number of people, such as 5."),
        ("", "Enter a number of people."),
    ],
)
def test_a_size_out_of_bounds_is_refused_and_nothing_changes(personas, typed, message):
    response = personas.client_for(personas.ada).post(SETTINGS, {"minimum_reporting_size": typed})
    assert response.status_code == 400
    assert message in response.content.decode()
    personas.acme.refresh_from_db()
    assert personas.acme.minimum_reporting_size == 5


def test_the_service_refuses_a_size_below_the_floor_even_without_the_form(personas):
    with pytest.raises(services.SettingRefused, match="between 3 and 50"):
        services.organization_reporting_size_set(organization=personas.acme, size=1)
    assert Organization.objects.get(pk=personas.acme.pk).minimum_reporting_size == 5


def test_another_organization_is_untouched(personas):
    personas.client_for(personas.ada).post(SETTINGS, {"minimum_reporting_size": "9"})
    assert Organization.objects.get(pk=personas.globex.pk).minimum_reporting_size == 5


def test_only_admins_see_the_settings_link(personas):
    assert "Settings" in personas.client_for(personas.ada).get("/").content.decode()
    assert f'href="{SETTINGS}"' not in personas.client_for(personas.pam).get("/").content.decode()
