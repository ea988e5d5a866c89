"""A FeedForward round through a real browser.

Pia names one thing she wants to get better at and finds Ben by typing his name. Ben's first
idea looks back ("last time you…"): the form asks him, kindly, to turn it into a next step, and
he does. Pia marks the idea she will try and says thank you, the only reply there is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from peercoach.browser_tests.console import ConsoleWatcher
from peercoach.feedforward.models import FeedForwardInvitation, FeedForwardSuggestion
from peercoach.people.models import Person
from peercoach.testing.factories import (
    PASSWORD,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def colleagues(transactional_db: None) -> dict[str, Person]:
    acme = OrganizationFactory(name="Acme", slug="acme")
    chief = PersonFactory(organization=acme, full_name="Carla Chief")
    people = {}
    for name in ("Pia Participant", "Ben Bright", "Bea Busy"):
        person: Person = PersonFactory(
            organization=acme,
            full_name=name,
            email=f"{name.split()[0].lower()}@acme.test",
            manager=chief,
        )
        MembershipFactory(organization=acme, user=UserFactory(email=person.email), person=person)
        people[name.split()[0].lower()] = person
    return people


@pytest.fixture
def sign_in(browser: Browser, live_server: LiveServer) -> Iterator[Any]:
    contexts = []

    def open_as(email: str, console: ConsoleWatcher) -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.on("console", console.on_console)
        page.on("pageerror", console.on_page_error)
        page.goto(f"{live_server.url}/")
        page.get_by_label(re.compile(r"^Email")).fill(email)
        page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
        page.get_by_role("button", name=re.compile(r"sign in|log in", re.IGNORECASE)).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_a_feedforward_round_with_a_looking_back_idea_rephrased_and_thanks(
    colleagues: dict[str, Person], sign_in: Any, live_server: LiveServer
) -> None:
    console = ConsoleWatcher()

    # Pia starts a round and finds Ben by typing part of his name.
    pia = sign_in("pia@acme.test", console)
    pia.get_by_role("navigation", name="Main").get_by_role("link", name="FeedForward").click()
    pia.get_by_role("link", name="Start a round").click()
    pia.get_by_label("One thing I'd like to get better at").fill("Keeping my updates short")
    pia.get_by_label("Colleagues to draw at random").fill("0")
    pia.get_by_role("button", name="Start the round").click()
    expect(pia.locator(".messages")).to_contain_text("Your round has started")
    pia.get_by_label("Colleague's name").press_sequentially("Be")
    results = pia.locator("#colleagues")
    expect(results).to_contain_text("Ben Bright")
    expect(results).to_contain_text("Bea Busy")
    pia.get_by_label("Colleague's name").press_sequentially("n")
    expect(results).not_to_contain_text("Bea Busy")
    results.get_by_role("button", name="Invite Ben Bright").click()
    expect(pia.locator(".messages")).to_contain_text("Invited: Ben Bright")

    # Ben hears through his inbox and answers; his first idea looks back.
    ben = sign_in("ben@acme.test", console)
    ben.get_by_role("link", name=re.compile("Inbox")).click()
    expect(
        ben.get_by_role("heading", name="Pia Participant would welcome your ideas")
    ).to_be_visible()
    ben.get_by_role("button", name=re.compile("Open")).first.click()
    expect(ben.get_by_role("heading", level=1)).to_have_text("Ideas for Pia Participant")
    expect(ben.locator("blockquote.topic")).to_have_text("Keeping my updates short")
    idea = ben.get_by_label("An idea for the future")
    idea.fill("Last time you went on for twenty minutes in the meeting.")
    # As he types, a note under the field already says it looks back.
    expect(ben.locator("#suggestion_1_looks_back")).to_contain_text(
        "This looks back at what already happened (“Last time”, “you went”)"
    )
    ben.get_by_role("button", name="Send my ideas").click()
    nudge = ben.locator(".nudge")
    expect(nudge).to_contain_text("This looks back rather than forward")
    expect(nudge).to_contain_text("Last time")
    expect(ben.get_by_role("button", name="Send as it is")).to_be_visible()
    expect(idea).to_have_value("Last time you went on for twenty minutes in the meeting.")
    assert not FeedForwardSuggestion.all_organizations.exists()

    idea.fill("Next time, open with the one decision you need from us, then the details.")
    ben.get_by_role("button", name="Send my ideas").click()
    expect(ben.locator(".messages")).to_contain_text("Sent. Thank you")

    # Pia reads the idea, marks it to try (htmx swaps just that idea) and says thank you.
    round_url = pia.url.split("?")[0]
    pia.goto(round_url)
    card = pia.locator("li.card", has_text="From Ben Bright")
    expect(card).to_contain_text("open with the one decision you need from us")
    card.get_by_role("button", name="I'll try this").click()
    expect(card.locator(".suggestion.will-try")).to_be_visible()
    expect(card.get_by_role("button", name="Unmark")).to_be_visible()
    card.get_by_role("button", name=re.compile("^Thank you")).click()
    expect(pia.locator(".messages")).to_contain_text("We've told Ben Bright you said thank you.")
    expect(pia.locator("li.card", has_text="From Ben Bright")).to_contain_text("Thanked")
    # No box to write back in: thanks is the whole reply.
    expect(pia.locator("li.card textarea")).to_have_count(0)

    [suggestion] = FeedForwardSuggestion.all_organizations.all()
    assert suggestion.will_try
    assert not suggestion.sent_despite_nudge
    assert FeedForwardInvitation.all_organizations.get().thanked_at is not None

    ben.goto(f"{live_server.url}/inbox/")
    expect(ben.get_by_role("heading", name="Pia Participant says thank you")).to_be_visible()
    assert console.page_errors == []
    assert console.csp_violations == []
