from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peercoach.programs.matching_adapter import program_suggestions
from peercoach.programs.models import MatchingMode
from peercoach.programs.pairing_models import PairingRequest
from peercoach.programs.request_services import request_send
from peercoach.programs.suggestions import suggestion_candidates, suggestions_for
from peercoach.programs.tests.conftest import enroll
from peercoach.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def choosing(program):
    program.matching_mode = MatchingMode.PARTICIPANTS_CHOOSE
    program.save()
    return program


def test_suggestions_are_ranked_with_reasons_about_what_the_colleague_offers(personas, choosing):
    pia = enroll(choosing, personas.pia_person, goals=["public speaking"], offers=["budgets"])
    helpful = enroll(
        choosing, personas.colleague, goals=["secret worry"], offers=["public speaking"]
    )
    enroll(choosing, PersonFactory(organization=personas.acme), goals=[], offers=["gardening"])

    suggestions = suggestions_for(enrollment=pia)

    assert suggestions[0][0] == helpful
    reason = suggestions[0][1]
    assert "public speaking, which you want" in reason
    assert "secret worry" not in reason  # the colleague's goals stay theirs


def test_nobody_in_the_management_chain_is_ever_suggested_even_if_offered_as_a_candidate(
    personas, choosing
):
    boss = PersonFactory(organization=personas.acme)
    me = enroll(choosing, PersonFactory(organization=personas.acme, manager=boss))
    manager = enroll(choosing, boss)
    report = enroll(choosing, PersonFactory(organization=personas.acme, manager=me.person))
    peer = enroll(choosing, PersonFactory(organization=personas.acme, manager=boss))

    suggested = program_suggestions(choosing, me, [manager, report, peer])

    assert [enrollment for enrollment, _ in suggested] == [peer]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(managers=st.lists(st.integers(min_value=-1, max_value=10), min_size=3, max_size=12))
def test_suggestions_never_cross_a_reporting_line_in_any_hierarchy(personas, choosing, managers):
    people = []
    for wanted in managers:
        manager = people[wanted].person if 0 <= wanted < len(people) else None
        people.append(enroll(choosing, PersonFactory(organization=personas.acme, manager=manager)))
    me = people[-1]

    suggested = program_suggestions(choosing, me, people[:-1], top=len(people))

    for enrollment, _ in suggested:
        assert not me.person.is_in_management_chain_of(enrollment.person)


def test_someone_already_asked_is_not_suggested_again(personas, choosing):
    pia = enroll(choosing, personas.pia_person)
    colleague = enroll(choosing, personas.colleague)
    request_send(requester=pia, recipient=colleague)

    assert suggestions_for(enrollment=pia) == []


def test_the_requests_page_offers_a_send_button_for_each_suggestion(personas, choosing):
    enroll(choosing, personas.pia_person)
    colleague = enroll(choosing, personas.colleague)
    client = personas.client_for(personas.pia)

    page = client.get(reverse("programs:requests", args=[choosing.pk]))
    assert "Suggested for you" in page.text
    assert "Send a request" in page.text
    assert "Cole League" in page.text

    client.post(reverse("programs:requests", args=[choosing.pk]), {"recipient": colleague.pk})

    assert PairingRequest.objects.in_organization(personas.acme).get().recipient == colleague


def test_no_suggestions_where_the_manager_matches(personas, program):
    enroll(program, personas.pia_person)
    enroll(program, personas.colleague)

    page = personas.client_for(personas.pia).get(reverse("programs:requests", args=[program.pk]))

    assert "Suggested for you" not in page.text


def test_the_api_lists_suggestions_for_the_participant(personas, choosing):
    enroll(choosing, personas.pia_person)
    colleague = enroll(choosing, personas.colleague)

    response = personas.client_for(personas.pia).get(f"/api/v1/programs/{choosing.pk}/suggestions")

    assert response.status_code == 200
    assert [item["person_id"] for item in response.json()] == [colleague.person_id]


def test_the_clearly_best_peer_is_still_suggested_first_among_many(personas, choosing):
    pia = enroll(choosing, personas.pia_person, goals=["public speaking", "budgets"])
    for _ in range(12):
        enroll(choosing, PersonFactory(organization=personas.acme), offers=["gardening"])
    best = enroll(choosing, personas.colleague, offers=["public speaking", "budgets"])

    suggestions = suggestions_for(enrollment=pia)

    assert suggestions[0][0] == best


def test_colleagues_who_could_never_be_matched_are_left_out_before_ranking(personas, choosing):
    pia = enroll(
        choosing,
        personas.pia_person,
        languages=["English"],
        timezone="Europe/Berlin",
        working_hours_start=9,
        working_hours_end=17,
    )
    no_shared_language = enroll(choosing, languages=["Japanese"], timezone="Europe/Berlin")
    no_shared_hours = enroll(
        choosing,
        languages=["English"],
        timezone="Pacific/Auckland",
        working_hours_start=9,
        working_hours_end=17,
    )
    fits = enroll(choosing, languages=["english "], timezone="Europe/London")

    candidates = suggestion_candidates(enrollment=pia)

    assert fits in candidates
    assert no_shared_language not in candidates
    assert no_shared_hours not in candidates


def test_the_reporting_line_is_left_out_before_ranking_too(personas, choosing):
    boss = PersonFactory(organization=personas.acme)
    me = enroll(choosing, PersonFactory(organization=personas.acme, manager=boss))
    enroll(choosing, boss)
    enroll(choosing, PersonFactory(organization=personas.acme, manager=me.person))
    peer = enroll(choosing, PersonFactory(organization=personas.acme, manager=boss))

    assert suggestion_candidates(enrollment=me) == [peer]


def test_only_the_best_fitting_few_hundred_are_ranked(personas, choosing):
    pia = enroll(choosing, personas.pia_person, goals=["public speaking"])
    best = enroll(choosing, personas.colleague, offers=["public speaking"])
    for _ in range(3):
        enroll(choosing)

    assert suggestion_candidates(enrollment=pia, limit=1) == [best]


def test_without_languages_of_their_own_a_colleague_counts_with_their_directory_ones(
    personas, choosing
):
    pia = enroll(choosing, personas.pia_person, languages=["English"])
    speaks_japanese = PersonFactory(organization=personas.acme, languages=["Japanese"])
    speaks_english = PersonFactory(organization=personas.acme, languages=["English"])
    left_out = enroll(choosing, speaks_japanese, languages=[])
    kept = enroll(choosing, speaks_english, languages=[])

    candidates = suggestion_candidates(enrollment=pia)

    assert kept in candidates
    assert left_out not in candidates
