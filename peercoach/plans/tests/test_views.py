from __future__ import annotations

from typing import Any

from peercoach.plans.models import Action, ActionPlan, ActionStatus, Note
from peercoach.plans.services import ActionDraft, action_plan_create, note_create
from peercoach.testing.factories import MembershipFactory, UserFactory


def _cole_client(personas: Any) -> Any:
    cole = UserFactory(email="cole@acme.test")
    MembershipFactory(organization=personas.acme, user=cole, person=personas.colleague)
    return personas.client_for(cole)


def _plan(coaching: Any, **kwargs: Any) -> ActionPlan:
    return action_plan_create(
        owner=coaching.pia,
        session=coaching.session,
        goal="Run shorter meetings",
        actions=[ActionDraft("Agenda in the invite")],
        **kwargs,
    )


def test_my_plans_page_lists_my_plans(personas: Any, coaching: Any) -> None:
    _plan(coaching)
    response = personas.client_for(personas.pia).get("/plans/")
    assert response.status_code == 200
    assert "Run shorter meetings" in response.content.decode()


def test_starting_a_plan_from_the_page(personas: Any, coaching: Any) -> None:
    response = personas.client_for(personas.pia).post(
        "/plans/new/",
        {"pairing": coaching.pairing.pk, "goal": "Ask for help sooner", "first_action": "Ask Kim"},
    )
    plan = ActionPlan.all_organizations.get()
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{plan.pk}/"
    assert plan.goal == "Ask for help sooner"
    assert [a.text for a in plan.actions.all()] == ["Ask Kim"]


def test_a_plan_without_a_goal_keeps_what_was_typed(personas: Any, coaching: Any) -> None:
    response = personas.client_for(personas.pia).post(
        "/plans/new/", {"pairing": coaching.pairing.pk, "goal": "", "first_action": "Ask Kim"}
    )
    assert response.status_code == 400
    assert "Ask Kim" in response.content.decode()
    assert not ActionPlan.all_organizations.exists()


def test_adding_an_action_with_htmx_returns_the_list_only(personas: Any, coaching: Any) -> None:
    plan = _plan(coaching)
    response = personas.client_for(personas.pia).post(
        f"/plans/{plan.pk}/actions/",
        {"text": "Cancel one recurring meeting", "due_on": "2030-05-01"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Cancel one recurring meeting" in body
    assert "<html" not in body
    assert plan.actions.count() == 2


def test_marking_an_action_done(personas: Any, coaching: Any) -> None:
    action = _plan(coaching).actions.get()
    client = personas.client_for(personas.pia)
    response = client.post(f"/plans/actions/{action.pk}/status/", {"status": "done"})
    assert response.status_code == 302
    assert Action.all_organizations.get(pk=action.pk).status == ActionStatus.DONE


def test_a_bad_status_is_explained_and_changes_nothing(personas: Any, coaching: Any) -> None:
    action = _plan(coaching).actions.get()
    client = personas.client_for(personas.pia)
    response = client.post(
        f"/plans/actions/{action.pk}/status/", {"status": "maybe"}, headers={"HX-Request": "true"}
    )
    assert "Choose done, dropped or to do" in response.content.decode()
    assert Action.all_organizations.get(pk=action.pk).status == ActionStatus.OPEN


def test_a_check_in_from_the_page(personas: Any, coaching: Any) -> None:
    action = _plan(coaching).actions.get()
    personas.client_for(personas.pia).post(
        f"/plans/actions/{action.pk}/check-ins/", {"text": "Did it on Tuesday"}
    )
    assert [c.text for c in action.check_ins.all()] == ["Did it on Tuesday"]


def test_my_partner_gets_404_until_i_share_then_reads_without_changing(
    personas: Any, coaching: Any
) -> None:
    plan = _plan(coaching)
    cole = _cole_client(personas)
    assert cole.get(f"/plans/{plan.pk}/").status_code == 404
    personas.client_for(personas.pia).post(f"/plans/{plan.pk}/share/", {"shared": "on"})
    page = cole.get(f"/plans/{plan.pk}/")
    assert page.status_code == 200
    assert "Run shorter meetings" in page.content.decode()
    assert "Add the action" not in page.content.decode()
    cole.post(f"/plans/{plan.pk}/goal/", {"goal": "hijacked"})
    assert ActionPlan.all_organizations.get(pk=plan.pk).goal == "Run shorter meetings"


def test_notes_for_a_pairing(personas: Any, coaching: Any) -> None:
    client = personas.client_for(personas.pia)
    url = f"/plans/notes/pairing/{coaching.pairing.pk}/"
    assert client.post(url, {"body": "Remember to ask about Q3"}).status_code == 302
    note = Note.all_organizations.get()
    assert not note.shared_with_pairing
    assert "Remember to ask about Q3" in client.get(url).content.decode()
    assert "Remember to ask about Q3" not in _cole_client(personas).get(url).content.decode()


def test_a_shared_note_shows_to_the_partner(personas: Any, coaching: Any) -> None:
    note_create(
        owner=coaching.pia, pairing=coaching.pairing, body="For both", shared_with_pairing=True
    )
    page = _cole_client(personas).get(f"/plans/notes/pairing/{coaching.pairing.pk}/")
    assert "For both" in page.content.decode()


def test_editing_and_deleting_a_note(personas: Any, coaching: Any) -> None:
    note = note_create(owner=coaching.pia, pairing=coaching.pairing, body="draft")
    client = personas.client_for(personas.pia)
    client.post(f"/plans/notes/{note.pk}/", {"body": "final", "shared_with_pairing": "on"})
    note.refresh_from_db()
    assert note.body == "final"
    assert note.shared_with_pairing
    client.post(f"/plans/notes/{note.pk}/delete/")
    assert not Note.all_organizations.exists()


def test_the_home_page_counts_open_actions(personas: Any, coaching: Any) -> None:
    _plan(coaching)
    page = personas.client_for(personas.pia).get("/")
    assert "You have 1 open action" in page.content.decode()
    assert "Run shorter meetings" not in page.content.decode()
