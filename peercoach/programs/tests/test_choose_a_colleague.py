"""The requests page's "choose a colleague": a search by name, as you type or as a plain form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peercoach.programs.models import MatchingMode
from peercoach.programs.pairing_models import PairingRequest
from peercoach.programs.pairing_selectors import (
    COLLEAGUE_SEARCH_LIMIT,
    request_candidates_named,
)
from peercoach.programs.request_services import request_accept, request_send
from peercoach.programs.tests.conftest import enroll
from peercoach.testing.factories import PersonFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def choosing(program):
    program.matching_mode = MatchingMode.PARTICIPANTS_CHOOSE
    program.save()
    return program


@pytest.fixture
def pia(personas, choosing):
    return enroll(choosing, personas.pia_person)


def requests_url(program) -> str:
    return reverse("programs:requests", args=[program.pk])


def names(found) -> list[str]:
    return [enrollment.person.full_name for enrollment in found]


def someone(personas, program, name: str, **fields):
    return enroll(program, PersonFactory(organization=personas.acme, full_name=name, **fields))


def test_the_search_finds_colleagues_by_any_part_of_their_name(personas, choosing, pia):
    someone(personas, choosing, "Sam Smith")
    someone(personas, choosing, "Alex Goldsmith")
    someone(personas, choosing, "Robin Jones")
    assert names(request_candidates_named(enrollment=pia, text="smith")) == [
        "Alex Goldsmith",
        "Sam Smith",
    ]


def test_only_colleagues_who_may_be_asked_are_found(personas, choosing, pia):
    enroll(choosing, personas.ceo)  # pia's manager
    report = someone(personas, choosing, "Sam Report", manager=personas.pia_person)
    someone(personas, ProgramFactory(organization=personas.acme), "Sam Elsewhere")
    first, second = someone(personas, choosing, "Sam Paired"), someone(personas, choosing, "Sid")
    request_accept(request=request_send(requester=first, recipient=second), by=second.person)
    asked = someone(personas, choosing, "Sam Asked")
    request_send(requester=pia, recipient=asked)
    free = someone(personas, choosing, "Sam Free")
    found = request_candidates_named(enrollment=pia, text="sam")
    assert names(found) == ["Sam Free"]
    assert report not in found
    assert free in found
    assert request_candidates_named(enrollment=pia, text="Carla") == []
    assert request_candidates_named(enrollment=pia, text="Pia") == []  # not oneself


def test_the_search_shows_at_most_a_short_page(personas, choosing, pia):
    for number in range(COLLEAGUE_SEARCH_LIMIT + 5):
        someone(personas, choosing, f"Kim {number:02}")
    found = request_candidates_named(enrollment=pia, text="kim")
    assert len(found) == COLLEAGUE_SEARCH_LIMIT
    page = personas.client_for(personas.pia).get(requests_url(choosing), {"q": "kim"})
    assert "Type more of the name" in page.content.decode()


def test_an_empty_search_lists_nobody(personas, choosing, pia):
    someone(personas, choosing, "Sam Smith")
    assert request_candidates_named(enrollment=pia, text="   ") == []
    page = personas.client_for(personas.pia).get(requests_url(choosing)).content.decode()
    assert 'name="recipient" value=' not in page.replace('type="hidden" name="recipient"', "")


def test_typing_returns_only_the_list_of_colleagues_found(personas, choosing, pia):
    sam = someone(personas, choosing, "Sam Smith")
    response = personas.client_for(personas.pia).get(
        requests_url(choosing), {"q": "sam"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="colleague-matches"')
    assert f'value="{sam.pk}"' in html
    assert "<html" not in html


def test_without_javascript_the_search_form_reloads_the_page_with_the_choices(
    personas, choosing, pia
):
    sam = someone(personas, choosing, "Sam Smith")
    page = personas.client_for(personas.pia).get(requests_url(choosing), {"q": "Sam"})
    html = page.content.decode()
    assert "<html" in html
    assert f'<input type="radio" name="recipient" value="{sam.pk}"' in html
    assert 'value="Sam"' in html  # the search box keeps what was typed


def test_nobody_found_says_so_plainly(personas, choosing, pia):
    page = personas.client_for(personas.pia).get(requests_url(choosing), {"q": "zz"})
    assert "Nobody by that name can be asked" in page.content.decode()


def test_asking_someone_in_the_reporting_line_explains_why_and_keeps_the_note(
    personas, choosing, pia
):
    boss = enroll(choosing, personas.ceo)
    response = personas.client_for(personas.pia).post(
        requests_url(choosing), {"recipient": boss.pk, "message": "Coffee soon?"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "in your reporting line" in html
    assert "Coffee soon?" in html
    assert not PairingRequest.objects.in_organization(personas.acme).exists()


def test_a_colleague_from_another_program_cannot_be_asked(personas, choosing, pia):
    elsewhere = someone(personas, ProgramFactory(organization=personas.acme), "Sam Elsewhere")
    response = personas.client_for(personas.pia).post(
        requests_url(choosing), {"recipient": elsewhere.pk, "message": "Hi"}
    )
    assert response.status_code == 400
    assert "be asked right now" in response.content.decode()


def test_a_colleague_of_another_organization_is_never_found_or_asked(personas, choosing, pia):
    globex_program = ProgramFactory(organization=personas.globex)
    stranger = enroll(globex_program, PersonFactory(organization=personas.globex, full_name="Sam"))
    assert request_candidates_named(enrollment=pia, text="Sam") == []
    response = personas.client_for(personas.pia).post(
        requests_url(choosing), {"recipient": stranger.pk}
    )
    assert response.status_code == 400
    assert not PairingRequest.all_organizations.exists()


def test_a_refused_request_keeps_the_colleague_chosen(personas, choosing, pia):
    sam = someone(personas, choosing, "Sam Smith")
    choosing.open_requests_limit = 1
    choosing.save()
    request_send(requester=pia, recipient=someone(personas, choosing, "Robin"))
    response = personas.client_for(personas.pia).post(
        requests_url(choosing), {"recipient": sam.pk, "message": "Hello"}
    )
    html = response.content.decode()
    assert "the most at once" in html
    assert f'value="{sam.pk}" checked' in html
