from __future__ import annotations

import json

from peercoach.runner import services
from peercoach.runner.tests.conftest import login_for


def _url(group, suffix: str = "") -> str:
    return f"/api/v1/sessions/{group.session.pk}/run{suffix}"


def test_members_read_where_the_session_is_but_not_what_was_written(personas, pair) -> None:
    pia = personas.client_for(personas.pia)
    assert pia.get(_url(pair)).status_code == 409  # not started yet
    run = services.run_start(session=pair.session, by=pair.people[0])
    state = pia.get(_url(pair)).json()
    assert state["position"] == 0
    assert state["step_title"] == "Where did we get to?"
    assert state["version"] == run.version
    assert "options" not in state


def test_a_move_from_a_stale_step_does_not_skip_ahead(personas, pair, cole) -> None:
    services.run_start(session=pair.session, by=pair.people[0])
    body = json.dumps({"position": 0})
    pia = personas.client_for(personas.pia)
    first = pia.post(_url(pair, "/move"), body, content_type="application/json")
    second = personas.client_for(cole).post(
        _url(pair, "/move"), body, content_type="application/json"
    )
    assert first.json()["position"] == second.json()["position"] == 1


def test_moving_past_the_promise_too_early_is_refused_with_a_reason(personas, pair) -> None:
    services.run_start(session=pair.session, by=pair.people[0])
    pia = personas.client_for(personas.pia)
    pia.post(_url(pair, "/move"), json.dumps({"position": 0}), content_type="application/json")
    refused = pia.post(
        _url(pair, "/move"), json.dumps({"position": 1}), content_type="application/json"
    )
    assert refused.status_code == 409
    assert "everyone has ticked" in refused.json()["detail"]
    missing = pia.post(_url(pair, "/move"), "{}", content_type="application/json")
    assert missing.status_code == 400


def test_people_outside_the_pairing_get_not_found(personas, pair, triad) -> None:
    services.run_start(session=pair.session, by=pair.people[0])
    outsider = personas.client_for(login_for(triad.people[2]))
    assert outsider.get(_url(pair)).status_code == 404
    assert personas.client_for(personas.pam).get(_url(pair)).status_code == 403
