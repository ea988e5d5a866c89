from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from peercoach.accounts.models import Invitation
from peercoach.organizations import services
from peercoach.organizations.models import Membership, Role
from peercoach.testing.factories import (
    InvitationFactory,
    MembershipFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MEMBERS = reverse("organizations:members")


def open_invitation(organization, person):
    return InvitationFactory(organization=organization, person=person)


def membership_of(user) -> Membership:
    return Membership.all_organizations.get(user=user)


def test_the_members_page_lists_members_with_their_roles_and_open_invitations(personas):
    open_invitation(personas.acme, personas.colleague)
    page = personas.client_for(personas.ada).get(MEMBERS).content.decode()
    for email in ("ada@acme.test", "pam@acme.test", "sid@acme.test", "pia@acme.test"):
        assert email in page
    assert "otto@globex.test" not in page
    assert "Executive sponsor" in page
    assert personas.colleague.full_name in page  # the open invitation, and nobody else's


def test_the_invite_list_offers_only_people_without_an_account(personas):
    page = personas.client_for(personas.ada).get(MEMBERS).content.decode()
    assert f'<option value="{personas.colleague.pk}"' in page
    assert f'<option value="{personas.pia_person.pk}"' not in page
    assert f'<option value="{personas.globex_person.pk}"' not in page


def test_people_invited_already_are_marked_as_such(personas):
    open_invitation(personas.acme, personas.colleague)
    page = personas.client_for(personas.ada).get(MEMBERS).content.decode()
    assert "Cole League · person" in page
    assert "invited already" in page.split("Cole League", 1)[1].split("</option>", 1)[0]
    assert "invited already" not in page.split("Carla Chief", 1)[1].split("</option>", 1)[0]


def test_the_directory_search_narrows_the_people_to_invite(personas):
    client = personas.client_for(personas.ada)
    page = client.get(MEMBERS, {"q": "Cole"}).content.decode()
    assert f'<option value="{personas.colleague.pk}"' in page
    assert f'<option value="{personas.ceo.pk}"' not in page


def test_with_htmx_the_search_returns_only_the_list_of_people(personas):
    client = personas.client_for(personas.ada)
    response = client.get(
        MEMBERS, {"q": "Carla", "fragment": "candidates"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="invite-candidates"')
    assert f'<option value="{personas.ceo.pk}"' in page


def test_an_admin_invites_someone_with_roles(personas):
    client = personas.client_for(personas.ada)
    response = client.post(
        reverse("organizations:invitation_create"),
        {"person": personas.colleague.pk, "is_program_manager": "on"},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.in_organization(personas.acme).get(person=personas.colleague)
    assert invitation.is_program_manager
    assert not invitation.is_organization_admin
    assert invitation.invited_by == personas.ada
    assert len(mail.outbox) == 1
    assert "Invitation sent to Cole League" in client.get(MEMBERS).content.decode()


def test_inviting_without_choosing_a_person_explains_what_is_missing(personas):
    response = personas.client_for(personas.ada).post(
        reverse("organizations:invitation_create"), {"is_sponsor": "on"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose the person to invite." in page
    assert 'aria-invalid="true"' in page
    assert 'name="is_sponsor" checked' in page  # what was ticked is kept


def test_inviting_another_organizations_person_is_refused(personas):
    response = personas.client_for(personas.ada).post(
        reverse("organizations:invitation_create"), {"person": personas.globex_person.pk}
    )
    assert response.status_code == 400
    assert "can&#x27;t be invited" in response.content.decode()
    assert not Invitation.all_organizations.exists()


def test_an_admin_invites_a_whole_department(personas):
    PersonFactory(organization=personas.acme, department="Design")
    PersonFactory(organization=personas.acme, department="Design")
    client = personas.client_for(personas.ada)
    response = client.post(
        reverse("organizations:invitation_create_for_department"), {"department": "Design"}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert "Invited 2 people from Design" in client.get(MEMBERS).content.decode()


def test_an_unknown_department_is_refused_with_a_clear_message(personas):
    response = personas.client_for(personas.ada).post(
        reverse("organizations:invitation_create_for_department"), {"department": "Nowhere"}
    )
    assert response.status_code == 400
    assert "isn&#x27;t in the directory" in response.content.decode()


def test_an_admin_withdraws_an_invitation(personas):
    invitation = open_invitation(personas.acme, personas.colleague)
    client = personas.client_for(personas.ada)
    client.post(reverse("organizations:invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_another_organizations_invitation_answers_not_found(personas):
    invitation = open_invitation(personas.globex, personas.globex_person)
    response = personas.client_for(personas.ada).post(
        reverse("organizations:invitation_revoke", args=[invitation.pk])
    )
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_an_admin_changes_a_members_roles(personas):
    pia = membership_of(personas.pia)
    personas.client_for(personas.ada).post(
        reverse("organizations:member_roles", args=[pia.pk]),
        {"is_program_manager": "on", "is_sponsor": "on"},
    )
    pia.refresh_from_db()
    assert pia.roles == {Role.PARTICIPANT, Role.PROGRAM_MANAGER, Role.SPONSOR}


def test_the_last_admin_cannot_give_up_the_admin_role(personas):
    ada = membership_of(personas.ada)
    client = personas.client_for(personas.ada)
    response = client.post(reverse("organizations:member_roles", args=[ada.pk]), {}, follow=True)
    ada.refresh_from_db()
    assert ada.is_organization_admin
    assert "the only organization admin" in response.content.decode()


def test_an_admin_can_step_down_once_someone_else_is_admin(personas):
    Membership.all_organizations.filter(user=personas.pam).update(is_organization_admin=True)
    ada = membership_of(personas.ada)
    response = personas.client_for(personas.ada).post(
        reverse("organizations:member_roles", args=[ada.pk]), {}
    )
    ada.refresh_from_db()
    assert not ada.is_organization_admin
    assert response["Location"] == reverse("core:home")


def test_a_switched_off_admin_does_not_count_as_the_other_admin(personas):
    Membership.all_organizations.filter(user=personas.pam).update(is_organization_admin=True)
    personas.pam.is_active = False
    personas.pam.save()
    ada = membership_of(personas.ada)
    personas.client_for(personas.ada).post(reverse("organizations:member_roles", args=[ada.pk]), {})
    ada.refresh_from_db()
    assert ada.is_organization_admin


def test_changing_roles_of_another_organizations_member_answers_not_found(personas):
    otto = membership_of(personas.otto)
    response = personas.client_for(personas.ada).post(
        reverse("organizations:member_roles", args=[otto.pk]), {}
    )
    assert response.status_code == 404
    otto.refresh_from_db()
    assert otto.is_organization_admin


def test_switching_an_account_off_stops_it_and_on_again_restores_it(personas):
    pia = membership_of(personas.pia)
    pia_client = personas.client_for(personas.pia)
    admin = personas.client_for(personas.ada)
    url = reverse("organizations:member_active", args=[pia.pk])

    admin.post(url, {"active": "0"})
    personas.pia.refresh_from_db()
    assert not personas.pia.is_active
    assert pia_client.get(reverse("people:directory")).status_code == 302  # signed out
    assert "Switched off" in admin.get(MEMBERS).content.decode()

    admin.post(url, {"active": "1"})
    personas.pia.refresh_from_db()
    assert personas.pia.is_active


def test_admins_cannot_switch_off_their_own_account(personas):
    ada = membership_of(personas.ada)
    response = personas.client_for(personas.ada).post(
        reverse("organizations:member_active", args=[ada.pk]), {"active": "0"}, follow=True
    )
    personas.ada.refresh_from_db()
    assert personas.ada.is_active
    assert "can&#x27;t switch off your own account" in response.content.decode()


def test_an_account_shared_with_another_organization_is_not_switched_off_from_here(personas):
    MembershipFactory(organization=personas.globex, user=personas.pam)
    pam = Membership.objects.in_organization(personas.acme).get(user=personas.pam)
    response = personas.client_for(personas.ada).post(
        reverse("organizations:member_active", args=[pam.pk]), {"active": "0"}, follow=True
    )
    personas.pam.refresh_from_db()
    assert personas.pam.is_active
    assert "also belongs to another organization" in response.content.decode()


def test_the_last_active_admin_cannot_be_switched_off(personas):
    # A second admin whose account is switched off doesn't count: ada is the last active one.
    other: Any = UserFactory(email="second@acme.test", is_active=False)
    MembershipFactory(organization=personas.acme, user=other, is_organization_admin=True)
    with pytest.raises(services.MembershipError, match="only organization admin"):
        services.membership_set_active(
            membership=membership_of(personas.ada),
            active=False,
            by=Membership.all_organizations.get(user=other),
        )


@pytest.mark.parametrize("persona", ["pam", "sid", "pia", "otto"])
def test_only_organization_admins_open_the_members_page(personas, persona):
    response = personas.client_for(getattr(personas, persona)).get(MEMBERS)
    expected = 200 if persona == "otto" else 403  # otto is admin of his own organization
    assert response.status_code == expected
    if persona == "otto":
        assert "ada@acme.test" not in response.content.decode()
