from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peercoach.programs import matching_adapter as adapter
from peercoach.programs import matching_selectors as selectors
from peercoach.programs import matching_services as services
from peercoach.programs.matching_models import (
    MatchingPlacement,
    MatchingProposal,
    MatchingRun,
    RunStatus,
)
from peercoach.programs.models import InboxMessage, Pairing, ProgramFormat
from peercoach.programs.pairing_models import InboxKind, PairingStatus
from peercoach.programs.pairing_services import pairing_accept
from peercoach.programs.tests.conftest import enroll, invited_pair, membership_of
from peercoach.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def a_run(program, personas, django_capture_on_commit_callbacks) -> MatchingRun:
    """Start a run as pam and let the background task do its work at once."""
    with django_capture_on_commit_callbacks(execute=True):
        run = services.matching_run_start(
            program=program, started_by=membership_of(personas.pam), seed=7
        )
    run.refresh_from_db()
    return run


def people_under(manager, count: int, program, **fields):
    return [
        enroll(program, PersonFactory(organization=program.organization, manager=manager), **fields)
        for _ in range(count)
    ]


def members_of(run: MatchingRun) -> list[set[int]]:
    groups: dict[int, set[int]] = {}
    for proposal_id, person_id in (
        MatchingPlacement.objects.in_organization(run.organization_id)
        .filter(run=run, proposal__isnull=False)
        .values_list("proposal_id", "person_id")
    ):
        groups.setdefault(proposal_id, set()).add(person_id)
    return list(groups.values())


# ---------------------------------------------------------------------------------------------
# The adapter


def test_the_population_holds_the_enrolled_and_every_manager_above_them(personas, program):
    boss = PersonFactory(organization=personas.acme)
    middle = PersonFactory(organization=personas.acme, manager=boss)
    report = enroll(program, PersonFactory(organization=personas.acme, manager=middle))
    other = enroll(program, personas.colleague)

    population = adapter.program_population(program, adapter.looking_enrollments(program))

    by_id = {person.id: person for person in population.people}
    assert by_id[str(report.person_id)].enrolled
    assert by_id[str(other.person_id)].enrolled
    assert not by_id[str(middle.pk)].enrolled
    assert not by_id[str(boss.pk)].enrolled
    assert by_id[str(middle.pk)].manager_id == str(boss.pk)
    assert by_id[str(report.person_id)].hours == (
        report.working_hours_start,
        report.working_hours_end,
    )


def test_people_already_in_a_pairing_are_left_out(personas, program):
    first, second, third = people_under(None, 3, program)
    invited_pair(program, first.person, second.person)

    assert [e.pk for e in adapter.looking_enrollments(program)] == [third.pk]


def test_earlier_active_pairings_become_history(personas, program):
    first, second = people_under(None, 2, program)
    pairing = invited_pair(program, first.person, second.person)
    pairing_accept(pairing=pairing, by=first.person)
    pairing_accept(pairing=pairing, by=second.person)

    population = adapter.program_population(program, [first, second])

    assert {(h.person_a, h.person_b) for h in population.history} == {
        (str(min(first.person_id, second.person_id)), str(max(first.person_id, second.person_id)))
    }


@pytest.mark.parametrize(
    ("program_format", "engine_format", "sizes"),
    [
        (ProgramFormat.RECIPROCAL_PAIRS, "pairs", (2, 2)),
        (ProgramFormat.TRIADS, "triads", (3, 3)),
        (ProgramFormat.GROUPS, "groups", (5, 7)),
        (ProgramFormat.ROTATION_ROUNDS, "rotation", (2, 2)),
        (ProgramFormat.FEEDFORWARD_CIRCLES, "groups", (5, 7)),
    ],
)
def test_the_program_settings_become_engine_parameters(
    program, program_format, engine_format, sizes
):
    program.format = program_format
    program.repeat_window_days = 90
    program.minimum_shared_hours = 3

    params = adapter.program_params(program, seed=11)

    assert (params.format, params.group_min, params.group_max) == (engine_format, *sizes)
    assert (params.repeat_window_days, params.min_overlap_hours, params.seed) == (90, 3.0, 11)


def test_reasons_for_managers_never_name_what_someone_wants_to_learn(personas, program):
    enroll(program, personas.pia_person, goals=["handling conflict"], offers=["budgeting"])
    enroll(program, personas.colleague, goals=["budgeting"], offers=["handling conflict"])

    result, population = adapter.program_match(program)
    reason = adapter.manager_reason(
        result.groups[0].reason, [person for person in population.people if person.enrolled]
    )

    assert "handling conflict" in result.groups[0].reason  # the engine sees it
    assert "handling conflict" not in reason
    assert "budgeting" not in reason
    assert "help each other" in reason


# ---------------------------------------------------------------------------------------------
# Running in the background


def test_a_run_matches_everyone_it_can_and_never_a_manager_with_their_report(
    personas, program, django_capture_on_commit_callbacks
):
    lead = PersonFactory(organization=personas.acme, manager=personas.ceo)
    enroll(program, lead)
    team = people_under(lead, 3, program)
    outsiders = people_under(None, 4, program)

    run = a_run(program, personas, django_capture_on_commit_callbacks)

    assert run.status == RunStatus.FINISHED
    assert run.progress_percent == 100
    assert run.summary["enrolled"] == 8
    assert run.summary["matched"] + run.summary["unmatched"] == 8
    for group in members_of(run):
        assert not (lead.pk in group and group & {e.person_id for e in team})
    assert MatchingPlacement.objects.in_organization(personas.acme).filter(run=run).count() == 8
    assert outsiders  # everyone is placed: in a group or unmatched with a reason
    for placement in MatchingPlacement.objects.in_organization(personas.acme).filter(
        run=run, proposal__isnull=True
    ):
        assert placement.unmatched_reason


def test_a_second_run_is_refused_while_one_is_under_way(personas, program):
    people_under(None, 2, program)
    services.matching_run_start(program=program, started_by=None)

    with pytest.raises(services.MatchingError, match="already under way"):
        services.matching_run_start(program=program, started_by=None)


def test_a_run_that_breaks_stores_a_plain_message_and_no_technical_details(
    personas, program, django_capture_on_commit_callbacks, monkeypatch
):
    people_under(None, 2, program)

    def broken(*args, **kwargs):
        raise ValueError("internal detail nobody should see")

    monkeypatch.setattr(services, "match", broken)
    run = a_run(program, personas, django_capture_on_commit_callbacks)

    assert run.status == RunStatus.FAILED
    assert "Something went wrong" in run.error_message
    assert "internal detail" not in run.error_message
    page = personas.client_for(personas.pam).get(reverse("programs:matching_run", args=[run.pk]))
    assert "Something went wrong" in page.text
    assert "internal detail" not in page.text
    assert "Traceback" not in page.text


def test_a_claimed_run_is_not_run_twice(personas, program, django_capture_on_commit_callbacks):
    people_under(None, 2, program)
    run = a_run(program, personas, django_capture_on_commit_callbacks)

    assert services.matching_run_execute(run_id=run.pk) is None
    assert MatchingProposal.objects.in_organization(personas.acme).filter(run=run).count() == 1


# ---------------------------------------------------------------------------------------------
# Moving people


@pytest.fixture
def reviewed_run(personas, program, django_capture_on_commit_callbacks):
    """Two pairs: a lead with someone outside their team, and two other outsiders."""
    lead = enroll(program, PersonFactory(organization=personas.acme, full_name="Lee Lead"))
    report = enroll(
        program,
        PersonFactory(organization=personas.acme, full_name="Ray Report", manager=lead.person),
    )
    people_under(None, 2, program)
    run = a_run(program, personas, django_capture_on_commit_callbacks)
    return run, lead, report


def _group_of(run: MatchingRun, person_id: int) -> MatchingProposal | None:
    return (
        MatchingPlacement.objects.in_organization(run.organization_id)
        .get(run=run, person_id=person_id)
        .proposal
    )


def test_moving_someone_into_their_managers_group_is_refused_in_plain_words(reviewed_run):
    run, lead, report = reviewed_run
    lead_group = _group_of(run, lead.person_id)
    assert lead_group is not None
    assert lead_group != _group_of(run, report.person_id)

    with pytest.raises(services.MatchingError) as refused:
        services.matching_move(run=run, person_id=report.person_id, to_number=lead_group.number)

    assert refused.value.message == (
        f"Ray Report can't join group {lead_group.number}: they are in the same management chain."
    )
    assert _group_of(run, report.person_id) != lead_group


def test_a_pair_takes_at_most_a_third_person(personas, reviewed_run):
    run, lead, report = reviewed_run
    report_group = _group_of(run, report.person_id)
    lead_group = _group_of(run, lead.person_id)
    assert report_group is not None
    assert lead_group is not None
    partner_id = _partner_of(run, report.person_id)
    services.matching_move(run=run, person_id=partner_id, to_number=lead_group.number)
    # The report is on their own now; the lead's group already has three people.

    with pytest.raises(services.MatchingError, match="more than 3 people"):
        services.matching_move(run=run, person_id=report.person_id, to_number=lead_group.number)


def _partner_of(run: MatchingRun, person_id: int) -> int:
    return int(
        MatchingPlacement.objects.in_organization(run.organization_id)
        .filter(proposal=_group_of(run, person_id))
        .exclude(person_id=person_id)
        .values_list("person_id", flat=True)
        .get()
    )


def test_a_move_leaves_the_partner_waiting_and_removes_the_empty_group(personas, reviewed_run):
    run, _, report = reviewed_run
    report_group = _group_of(run, report.person_id)
    assert report_group is not None

    result = services.matching_move(
        run=run, person_id=_partner_of(run, report.person_id), to_number=None
    )

    assert result.target is None
    assert result.left_alone == ["Ray Report"]
    assert _group_of(run, report.person_id) is None
    assert (
        not MatchingProposal.objects.in_organization(personas.acme)
        .filter(pk=report_group.pk)
        .exists()
    )


def test_moving_an_unmatched_person_into_a_pair_makes_a_three(personas, reviewed_run):
    run, lead, report = reviewed_run
    report_group = _group_of(run, report.person_id)
    assert report_group is not None
    partner_id = _partner_of(run, report.person_id)
    services.matching_move(run=run, person_id=partner_id, to_number=None)
    lead_group = _group_of(run, lead.person_id)
    assert lead_group is not None

    result = services.matching_move(run=run, person_id=partner_id, to_number=lead_group.number)

    assert result.target == lead_group
    lead_group.refresh_from_db()
    assert lead_group.placements.count() == 3
    assert lead_group.score > 0
    assert lead_group.reason


# ---------------------------------------------------------------------------------------------
# Publishing


def publish(run: MatchingRun, django_capture_on_commit_callbacks) -> MatchingRun:
    with django_capture_on_commit_callbacks(execute=True):
        services.matching_run_publish_start(run=run)
    run.refresh_from_db()
    return run


def test_publishing_invites_every_member_once_in_the_background(
    personas, reviewed_run, django_capture_on_commit_callbacks
):
    run, _, _ = reviewed_run

    run = publish(run, django_capture_on_commit_callbacks)

    assert run.status == RunStatus.PUBLISHED
    assert run.summary["published"] == 2
    pairings = Pairing.objects.in_organization(personas.acme).filter(program=run.program)
    assert [p.status for p in pairings] == [PairingStatus.INVITED, PairingStatus.INVITED]
    invitations = InboxMessage.objects.in_organization(personas.acme).filter(
        kind=InboxKind.INVITATION
    )
    assert invitations.count() == 4
    with pytest.raises(services.MatchingError, match="already published"):
        services.matching_run_publish_start(run=run)
    with pytest.raises(services.MatchingError, match="already published"):
        services.matching_move(run=run, person_id=_any_person(run), to_number=None)
    assert pairings.count() == 2


def test_publishing_again_after_a_stop_sends_only_the_rest(
    personas, reviewed_run, django_capture_on_commit_callbacks
):
    run, _, _ = reviewed_run
    services.matching_run_publish_start(run=run)  # queued; the task never ran
    first = MatchingProposal.objects.in_organization(personas.acme).filter(run=run).first()
    assert first is not None
    services.matching_run_publish(run_id=run.pk)
    first.refresh_from_db()
    # As if the server stopped after the first group: forget the second group's pairing.
    MatchingProposal.objects.in_organization(personas.acme).filter(run=run).exclude(
        pk=first.pk
    ).update(pairing=None)
    Pairing.objects.in_organization(personas.acme).exclude(pk=first.pairing_id or 0).delete()
    MatchingRun.objects.in_organization(personas.acme).filter(pk=run.pk).update(
        status=RunStatus.PUBLISHING
    )

    assert services.matching_run_publish(run_id=run.pk) == 1
    assert Pairing.objects.in_organization(personas.acme).count() == 2


def test_a_group_that_cannot_start_any_more_is_skipped_and_listed(
    personas, reviewed_run, django_capture_on_commit_callbacks
):
    run, _, report = reviewed_run
    report.status = "left"
    report.save()

    run = publish(run, django_capture_on_commit_callbacks)

    assert run.summary["published"] == 1
    assert run.summary["publish_skipped"] == [
        f"Group {_group_of(run, report.person_id).number} wasn't sent: "  # type: ignore[union-attr]
        "Ray Report isn't taking part right now."
    ]
    page = personas.client_for(personas.pam).get(reverse("programs:matching_run", args=[run.pk]))
    assert "Ray Report isn&#x27;t taking part right now." in page.text


def _any_person(run: MatchingRun) -> int:
    return int(
        MatchingPlacement.objects.in_organization(run.organization_id)
        .filter(run=run)
        .values_list("person_id", flat=True)
        .first()
        or 0
    )


# ---------------------------------------------------------------------------------------------
# Pages


def test_the_run_page_shows_groups_reasons_figures_and_the_unmatched(personas, reviewed_run):
    run, _, _ = reviewed_run
    page = personas.client_for(personas.pam).get(reverse("programs:matching_run", args=[run.pk]))

    assert page.status_code == 200
    assert "Proposed groups" in page.text
    assert "4 of 4" in page.text
    assert "shared working time" in page.text
    assert "Publish and ask everyone" in page.text


def test_a_run_in_progress_polls_with_htmx_and_has_a_refresh_link(personas, program):
    people_under(None, 2, program)
    run = services.matching_run_start(program=program, started_by=None)
    client = personas.client_for(personas.pam)

    page = client.get(reverse("programs:matching_run", args=[run.pk]))
    fragment = client.get(
        reverse("programs:matching_run", args=[run.pk]), headers={"HX-Request": "true"}
    )

    assert 'hx-trigger="every 2s"' in page.text
    assert "Refresh" in page.text
    assert "<html" not in fragment.text
    assert 'hx-trigger="every 2s"' in fragment.text


def test_a_finished_run_tells_the_polling_page_to_reload(personas, reviewed_run):
    run, _, _ = reviewed_run
    fragment = personas.client_for(personas.pam).get(
        reverse("programs:matching_run", args=[run.pk]), headers={"HX-Request": "true"}
    )

    assert fragment["HX-Refresh"] == "true"


def test_a_refused_move_is_explained_on_the_page(personas, reviewed_run):
    run, lead, report = reviewed_run
    lead_group = _group_of(run, lead.person_id)
    assert lead_group is not None
    client = personas.client_for(personas.pam)

    response = client.post(
        reverse("programs:matching_move", args=[run.pk]),
        {"person": report.person_id, "to_group": lead_group.number},
        follow=True,
    )

    assert "they are in the same management chain" in response.text


def test_the_proposals_page_uses_the_same_number_of_queries_however_many_groups(
    personas, program, django_capture_on_commit_callbacks
):
    people_under(None, 4, program)
    small = a_run(program, personas, django_capture_on_commit_callbacks)
    people_under(None, 40, program)
    large = a_run(program, personas, django_capture_on_commit_callbacks)
    client = personas.client_for(personas.pam)

    def queries_for(run: MatchingRun) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("programs:matching_run", args=[run.pk])).status_code == 200
        return len(captured)

    assert large.summary["groups"] > small.summary["groups"]
    assert queries_for(large) == queries_for(small)


def test_managers_can_start_a_run_from_the_manage_page(
    personas, program, django_capture_on_commit_callbacks
):
    people_under(None, 2, program)
    client = personas.client_for(personas.pam)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("programs:matching_start", args=[program.pk]))

    run = MatchingRun.objects.in_organization(personas.acme).get()
    assert response["Location"] == reverse("programs:matching_run", args=[run.pk])
    assert "Run matching" in client.get(reverse("programs:manage", args=[program.pk])).text


# ---------------------------------------------------------------------------------------------
# Finding anyone in the run to move, and the quality figures in plain words


def test_the_move_search_finds_anyone_in_the_run_on_any_page(personas, reviewed_run):
    run, lead, report = reviewed_run
    client = personas.client_for(personas.pam)
    run_url = reverse("programs:matching_run", args=[run.pk])

    fragment = client.get(run_url, {"find": "ray"}, headers={"HX-Request": "true"})
    page = client.get(run_url, {"find": "RAY", "page": "1"})

    assert "<html" not in fragment.text
    assert f'name="person" value="{report.person_id}"' in fragment.text
    assert "Lee Lead" not in fragment.text
    assert f'name="person" value="{report.person_id}"' in page.text  # without JavaScript too
    assert 'value="RAY"' in page.text


def test_the_move_search_names_where_each_person_stands(personas, reviewed_run):
    run, lead, _ = reviewed_run
    group = _group_of(run, lead.person_id)
    assert group is not None
    # "lee lead", not "lee": random names from the factories (Ashlee, Kathleen…) contain "lee".
    found = selectors.placements_named(run=run, text="lee lead")
    assert [p.person_id for p in found] == [lead.person_id]
    fragment = personas.client_for(personas.pam).get(
        reverse("programs:matching_run", args=[run.pk]),
        {"find": "lee lead"},
        headers={"HX-Request": "true"},
    )
    assert f"in group {group.number}" in fragment.text


def test_the_move_search_shows_at_most_a_short_page(personas, program, reviewed_run):
    run, _, _ = reviewed_run
    assert len(selectors.placements_named(run=run, text="e", limit=2)) == 2
    assert selectors.placements_named(run=run, text="  ") == []


def test_the_move_search_never_reaches_another_organizations_run(personas, reviewed_run):
    run, _, _ = reviewed_run
    response = personas.client_for(personas.otto).get(
        reverse("programs:matching_run", args=[run.pk]),
        {"find": "ray"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 404


def test_a_refused_move_keeps_the_search_and_says_why(personas, reviewed_run):
    run, lead, report = reviewed_run
    lead_group = _group_of(run, lead.person_id)
    assert lead_group is not None
    client = personas.client_for(personas.pam)
    response = client.post(
        reverse("programs:matching_move", args=[run.pk]),
        {"person": report.person_id, "to_group": lead_group.number, "find": "Ray", "page": "1"},
    )
    assert response["Location"].endswith("?page=1&find=Ray")
    page = client.get(response["Location"])
    assert "they are in the same management chain" in page.text
    assert f'name="person" value="{report.person_id}"' in page.text


@pytest.mark.parametrize(
    ("objective", "bound", "note"),
    [
        (97.0, 100.0, "No matching could score more than 100; this one reaches 97% of that."),
        (99.99, 100.0, "No matching could score more than 100; this one reaches 99% of that."),
        (100.0, 100.0, "No matching could score higher than this one."),
        (5.0, None, "We couldn't work out how high a matching of this program could score"),
    ],
)
def test_the_quality_note_is_in_plain_words(objective, bound, note):
    figures = selectors.RunFigures(
        enrolled=4,
        matched=4,
        groups=2,
        objective=objective,
        upper_bound=bound,
        bound_note="LP relaxation of the blossom bound",
        seconds=1.0,
    )
    assert figures.quality_note.startswith(note)
    for jargon in ("bound", "LP", "relaxation", "objective", "optimum", "gap"):
        assert jargon not in figures.quality_note


def test_the_run_page_shows_the_plain_quality_note_and_no_engine_wording(personas, reviewed_run):
    run, _, _ = reviewed_run
    page = personas.client_for(personas.pam).get(reverse("programs:matching_run", args=[run.pk]))
    assert "No matching could score" in page.text
    assert str(run.summary.get("bound_note")) not in page.text
    assert "upper bound" not in page.text


def test_a_run_in_progress_shows_its_progress_and_stops_polling_when_done(
    personas, program, django_capture_on_commit_callbacks
):
    people_under(None, 2, program)
    run = services.matching_run_start(program=program, started_by=None)
    MatchingRun.objects.in_organization(personas.acme).filter(pk=run.pk).update(
        progress_percent=40, progress_text="Scoring candidates"
    )
    client = personas.client_for(personas.pam)
    run_url = reverse("programs:matching_run", args=[run.pk])

    during = client.get(run_url)
    assert '<progress max="100" value="40"' in during.text
    assert "Scoring candidates" in during.text
    assert 'hx-trigger="every 2s"' in during.text

    with django_capture_on_commit_callbacks(execute=True):
        services.matching_run_execute(run_id=run.pk)
    after = client.get(run_url)
    polled = client.get(run_url, headers={"HX-Request": "true"})
    assert "<progress" not in after.text
    assert 'hx-trigger="every 2s"' not in after.text
    assert 'hx-trigger="every 2s"' not in polled.text
    assert polled["HX-Refresh"] == "true"
