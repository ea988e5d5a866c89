from __future__ import annotations

from django.urls import reverse

from peercoach.meetings.models import SessionStatus
from peercoach.plans.models import ActionPlan
from peercoach.runner import services
from peercoach.runner.models import SessionRun, SessionScript
from peercoach.runner.scripts import StepKind
from peercoach.runner.tests.conftest import login_for
from peercoach.testing.factories import PersonFactory


def _url(name: str, group) -> str:
    return reverse(f"runner:{name}", kwargs={"session_id": group.session.pk})


def _position_of(run: SessionRun, kind: str, turn: int | None = None) -> int:
    return next(
        slot.position
        for slot in services.run_slots(run)
        if slot.step.kind == kind and (turn is None or slot.turn == turn)
    )


def _jump(group, kind: str, turn: int | None = None) -> SessionRun:
    run = SessionRun.all_organizations.get(session=group.session)
    run.position = _position_of(run, kind, turn)
    run.save(update_fields=["position"])
    return run


def test_before_the_start_the_page_shows_the_steps_and_a_start_button(personas, pair) -> None:
    page = personas.client_for(personas.pia).get(_url("run", pair))
    assert page.status_code == 200
    assert "Start the guided session" in page.text
    assert "Our promise to each other" in page.text


def test_participants_outside_the_pairing_get_not_found(personas, triad, pair) -> None:
    outsider = login_for(triad.people[2])
    client = personas.client_for(outsider)
    assert client.get(_url("run", pair)).status_code == 404
    assert client.post(_url("start", pair)).status_code == 404
    assert not SessionRun.all_organizations.exists()


def test_managers_sponsors_and_admins_are_turned_away(personas, pair) -> None:
    services.run_start(session=pair.session, by=pair.people[0])
    for user in (personas.pam, personas.sid, personas.ada):
        assert personas.client_for(user).get(_url("run", pair)).status_code == 403


def test_a_whole_half_through_the_pages(personas, pair, cole) -> None:
    pia = personas.client_for(personas.pia)
    partner = personas.client_for(cole)
    assert pia.post(_url("start", pair)).status_code == 302
    run = SessionRun.all_organizations.get(session=pair.session)

    page = partner.get(_url("run", pair))
    assert "Where did we get to?" in page.text
    assert "Nothing open from earlier" in page.text
    partner.post(_url("advance", pair), {"position": 0, "direction": "next"})

    refused = pia.post(_url("advance", pair), {"position": 1}, follow=True)
    assert "wait until everyone has ticked" in refused.text
    pia.post(_url("agree", pair))
    partner.post(_url("agree", pair))
    pia.post(_url("advance", pair), {"position": 1})
    page = partner.get(_url("run", pair))
    assert "What&#x27;s on your mind?" in page.text
    assert "Pia, describe what you" in page.text
    assert 'data-countdown-until="' in page.text

    _jump(pair, StepKind.OPTIONS, turn=0)
    partner.post(
        _url("option_add", pair),
        {"option-text": "Ask the team lead", "option-pros": "Quick", "option-cons": "Awkward"},
    )
    seen_by_pia = pia.get(_url("run", pair)).text
    assert "Ask the team lead" in seen_by_pia
    assert "Quick" in seen_by_pia
    assert "Awkward" in seen_by_pia

    _jump(pair, StepKind.ACTION_PLAN, turn=0)
    assert "is writing their plan" in partner.get(_url("run", pair)).text
    saved = pia.post(
        _url("plan_save", pair),
        {"plan-goal": "Speak up", "plan-action_1": "One idea on Monday", "plan-due_1": ""},
        follow=True,
    )
    assert "Your plan is saved" in saved.text
    assert ActionPlan.all_organizations.get().goal == "Speak up"

    pia.post(_url("advance", pair), {"position": _position_of(run, StepKind.ACTION_PLAN, 0)})
    second_half = partner.get(_url("run", pair)).text
    assert "second half" in second_half
    assert "Cole (you)" in second_half


def test_bad_input_gets_a_clear_message_and_no_stack_trace(personas, pair) -> None:
    pia = personas.client_for(personas.pia)
    not_started = pia.post(_url("agree", pair), follow=True)
    assert "hasn&#x27;t started yet" in not_started.text
    pia.post(_url("start", pair))
    _jump(pair, StepKind.OPTIONS, turn=0)
    empty = pia.post(_url("option_add", pair), {"option-text": ""}, follow=True)
    assert empty.status_code == 200
    assert "Option: This field is required." in empty.text
    stale = pia.post(_url("advance", pair), {"position": "soon"}, follow=True)
    assert "out of date" in stale.text


def test_polling_answers_nothing_new_until_someone_changes_something(personas, pair, cole) -> None:
    pia = personas.client_for(personas.pia)
    pia.post(_url("start", pair))
    run = SessionRun.all_organizations.get(session=pair.session)
    poll = {"HTTP_HX_REQUEST": "true"}
    unchanged = pia.get(_url("run", pair), {"v": run.version}, **poll)
    assert unchanged.status_code == 204
    personas.client_for(cole).post(_url("advance", pair), {"position": 0})
    changed = pia.get(_url("run", pair), {"v": run.version}, **poll)
    assert changed.status_code == 200
    assert 'id="live"' in changed.text
    assert "<html" not in changed.text
    assert 'hx-trigger="every 2s"' in changed.text


def test_finishing_marks_the_session_finished_and_links_to_attendance(personas, pair) -> None:
    pia = personas.client_for(personas.pia)
    pia.post(_url("start", pair))
    finished = pia.post(_url("finish", pair), follow=True)
    assert "Session finished" in finished.text
    assert reverse("meetings:session", kwargs={"session_id": pair.session.pk}) in finished.text
    assert 'hx-trigger="every 2s"' not in finished.text
    pair.session.refresh_from_db()
    assert pair.session.status == SessionStatus.FINISHED


def test_in_a_circle_the_client_gets_only_a_thank_you_button(personas, circle) -> None:
    pia = personas.client_for(personas.pia)
    pia.post(_url("start", circle))
    _jump(circle, StepKind.FEEDFORWARD, turn=0)
    page = pia.get(_url("run", circle)).text
    assert "Thank you</button>" in page
    assert 'value="next"' not in page
    pia.post(_url("thank", circle))
    assert "said thank you 1 time" in pia.get(_url("run", circle)).text


def test_a_manager_edits_the_script_for_their_program(personas, pair) -> None:
    manager = personas.client_for(personas.pam)
    url = reverse("runner:script_edit", kwargs={"program_id": pair.program.pk})
    page = manager.get(url)
    assert page.status_code == 200
    assert "standard script" in page.text
    steps = services.program_steps(pair.program)
    data = {
        "form-TOTAL_FORMS": len(steps) + 1,
        "form-INITIAL_FORMS": len(steps),
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 40,
    }
    for number, step in enumerate(steps):
        for key, value in step.as_data().items():
            data[f"form-{number}-{key}"] = value
        data[f"form-{number}-ORDER"] = number + 1
    data["form-0-title"] = "Last time"
    data["form-1-DELETE"] = "on"
    response = manager.post(url, data)
    assert response.status_code == 302
    script = SessionScript.all_organizations.get(program=pair.program)
    assert script.steps[0]["title"] == "Last time"
    assert len(script.steps) == len(steps) - 1

    reset = manager.post(reverse("runner:script_reset", kwargs={"program_id": pair.program.pk}))
    assert reset.status_code == 302
    assert not SessionScript.all_organizations.exists()


def test_a_broken_script_post_shows_the_form_again(personas, pair) -> None:
    manager = personas.client_for(personas.pam)
    url = reverse("runner:script_edit", kwargs={"program_id": pair.program.pk})
    response = manager.post(
        url,
        {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 0,
            "form-0-part": "opening",
            "form-0-kind": "agreement",
            "form-0-title": "Only a promise",
            "form-0-minutes": 2,
            "form-0-speaker": "everyone",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "each person&#x27;s turn" in response.text
    assert not SessionScript.all_organizations.exists()


def test_the_observer_gets_a_checklist_and_notes_only_the_coach_also_reads(
    personas, triad, cole
) -> None:
    pia, _, tess = triad.people
    tess_client = personas.client_for(login_for(tess))
    tess_client.post(_url("start", triad))
    _jump(triad, StepKind.OPTIONS, turn=0)
    observer_page = tess_client.get(_url("run", triad)).text
    assert "Do they ask questions rather than give advice?" in observer_page
    tess_client.post(_url("note_add", triad), {"note-text": "NOTE-MARKER: lovely summary"})

    run = _jump(triad, StepKind.OBSERVER_CHECKLIST, turn=0)
    assert "NOTE-MARKER" in personas.client_for(cole).get(_url("run", triad)).text
    assert "NOTE-MARKER" not in personas.client_for(personas.pia).get(_url("run", triad)).text
    run.position = _position_of(run, StepKind.OPTIONS, turn=1)
    run.save(update_fields=["position"])
    assert "NOTE-MARKER" not in tess_client.get(_url("run", triad)).text  # a new round


def test_in_a_group_someone_offers_to_keep_time(personas, circle) -> None:
    pia = personas.client_for(personas.pia)
    pia.post(_url("start", circle))
    assert "Nobody is keeping time yet." in pia.get(_url("run", circle)).text
    pia.post(_url("keep_time", circle))
    assert "Keeping time: you" in pia.get(_url("run", circle)).text


def test_nothing_written_in_a_session_reaches_anyone_outside_it(personas, triad, pair) -> None:
    pia, cole, tess = triad.people
    services.run_start(session=triad.session, by=pia)
    run = _jump(triad, StepKind.OPTIONS, turn=0)
    services.option_add(run=run, by=cole, text="OPTION-MARKER", pros="PRO-MARKER")
    services.observer_note_add(run=run, by=tess, text="NOTE-MARKER")
    outsider = login_for(PersonFactory(organization=personas.acme, full_name="Olga Outsider"))
    urls = [
        _url("run", triad),
        reverse("runner:script_edit", kwargs={"program_id": triad.program.pk}),
        reverse("meetings:session", kwargs={"session_id": triad.session.pk}),
        "/api/v1/openapi.json",
    ]
    for user in (personas.pam, personas.sid, personas.ada, personas.otto, outsider):
        client = personas.client_for(user)
        for url in urls:
            body = client.get(url, follow=True).content.decode()
            assert "MARKER" not in body, f"{url} as {user}"


def test_a_page_opened_before_the_start_switches_to_the_session_once_it_starts(
    personas, pair, cole
) -> None:
    partner = personas.client_for(cole)
    poll = {"HTTP_HX_REQUEST": "true"}
    waiting = partner.get(_url("run", pair)).text
    assert f"{_url('run', pair)}?v=0" in waiting
    assert partner.get(_url("run", pair), {"v": 0}, **poll).status_code == 204
    personas.client_for(personas.pia).post(_url("start", pair))
    live = partner.get(_url("run", pair), {"v": 0}, **poll)
    assert live.status_code == 200
    assert "Where did we get to?" in live.text
