"""A whole reciprocal session in two browsers, then the next session's review.

Pia (on a phone-sized screen) and Cole (on a laptop) each open the guided session. Whatever one
of them does shows up on the other's page by itself: the promise, the steps, the options with
their pros and cons, the plan saved, the switch of roles, the end. At the next session, Pia's
plan is waiting for her under review.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from peercoach.browser_tests.console import ConsoleWatcher
from peercoach.meetings.models import CoachingSession, SessionStatus
from peercoach.organizations.models import Organization
from peercoach.people.models import Person
from peercoach.plans.models import ActionPlan
from peercoach.testing.coaching import active_pairing, confirmed_session
from peercoach.testing.factories import (
    PASSWORD,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
# Polling runs every two seconds; a change must show on the other screen well within this.
SYNC_TIMEOUT_MS = 8000


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def acme(transactional_db: None) -> Organization:
    organization: Organization = OrganizationFactory(name="Acme", slug="acme")
    return organization


def colleague(organization: Organization, name: str, manager: Person | None = None) -> Person:
    email = name.split()[0].lower() + "@acme.test"
    person: Person = PersonFactory(
        organization=organization, full_name=name, email=email, manager=manager
    )
    user = UserFactory(email=email)
    MembershipFactory(organization=organization, user=user, person=person)
    return person


@pytest.fixture
def screens(browser: Browser, live_server: LiveServer) -> Iterator[Any]:
    """Each person signs in on their own device; the browsers must stay free of errors."""
    contexts = []
    watchers: list[ConsoleWatcher] = []

    def sign_in(person: Person, viewport: dict[str, int]) -> Page:
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        watcher = ConsoleWatcher()
        page.on("console", watcher.on_console)
        page.on("pageerror", watcher.on_page_error)
        watchers.append(watcher)
        page.goto(f"{live_server.url}/")
        page.get_by_label(re.compile(r"^Email")).fill(person.email)
        page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
        page.get_by_role("button", name=re.compile(r"sign in|log in", re.IGNORECASE)).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
        return page

    yield sign_in
    for watcher in watchers:
        assert watcher.page_errors == []
        assert watcher.csp_violations == []
    for context in contexts:
        context.close()


def step_title(page: Page) -> Any:
    return expect(page.locator("#step-title"))


def next_step(page: Page) -> None:
    page.get_by_role("button", name="Next", exact=True).click()


def test_two_people_run_a_whole_reciprocal_session_and_review_it_next_time(
    acme: Organization, screens: Any, live_server: LiveServer
) -> None:
    chief = PersonFactory(organization=acme, full_name="Carla Chief", level=8)
    pia = colleague(acme, "Pia Participant", chief)
    cole = colleague(acme, "Cole League", chief)
    program = ProgramFactory(organization=acme, name="Grow together", format="reciprocal_pairs")
    pairing = active_pairing(program, [pia, cole])
    session = confirmed_session(pairing, starts_at=timezone.now().replace(microsecond=0))

    pia_page = screens(pia, PHONE)
    cole_page = screens(cole, LAPTOP)

    # Cole opens the guided session first; Pia starts it from the session page, and Cole's
    # page follows without a reload.
    cole_page.goto(f"{live_server.url}/guided/sessions/{session.pk}/")
    expect(cole_page.get_by_role("button", name="Start the guided session")).to_be_visible()
    pia_page.goto(f"{live_server.url}/meetings/sessions/{session.pk}/")
    pia_page.get_by_role("link", name="Start the guided session").click()
    pia_page.get_by_role("button", name="Start the guided session").click()
    step_title(pia_page).to_have_text("Where did we get to?")
    expect(pia_page.get_by_text("Nothing open from earlier sessions")).to_be_visible()
    step_title(cole_page).to_have_text("Where did we get to?", timeout=SYNC_TIMEOUT_MS)

    # The promise: the session only goes on once both have ticked.
    next_step(pia_page)
    step_title(cole_page).to_have_text("Our promise to each other", timeout=SYNC_TIMEOUT_MS)
    cole_page.get_by_role("button", name=re.compile("I agree")).click()
    expect(pia_page.get_by_text("Cole agreed")).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    expect(pia_page.get_by_role("button", name="Next", exact=True)).to_have_count(0)
    pia_page.get_by_role("button", name=re.compile("I agree")).click()
    next_step(cole_page)

    # First half: Pia is the client, the timer runs, Cole is prompted step by step.
    step_title(pia_page).to_have_text("What's on your mind?", timeout=SYNC_TIMEOUT_MS)
    expect(pia_page.locator(".runner-roles")).to_contain_text("Pia (you)")
    expect(pia_page.locator(".runner-progress")).to_contain_text("first half")
    expect(pia_page.locator(".countdown").first).to_have_text(re.compile(r"^\d+:\d\d left$"))
    expect(cole_page.locator(".countdown").first).to_have_text(re.compile(r"^\d+:\d\d left$"))
    next_step(cole_page)
    step_title(pia_page).to_have_text("What's been going on?", timeout=SYNC_TIMEOUT_MS)
    expect(cole_page.locator(".prompt")).to_contain_text("Cole, ask open questions")
    next_step(cole_page)
    step_title(pia_page).to_have_text("What have you tried?", timeout=SYNC_TIMEOUT_MS)
    next_step(cole_page)

    # Options with pros and cons, written by one and seen by the other.
    step_title(cole_page).to_have_text("What else could you do?")
    cole_page.get_by_label("Option:", exact=True).fill("Ask Sam for a weekly check-in")
    cole_page.get_by_label("What speaks for it").fill("Regular and light")
    cole_page.get_by_label("What speaks against it").fill("Sam is very busy")
    cole_page.get_by_role("button", name="Add this option").click()
    options_on_phone = pia_page.locator(".option-list")
    expect(options_on_phone).to_contain_text(
        "Ask Sam for a weekly check-in", timeout=SYNC_TIMEOUT_MS
    )
    expect(options_on_phone).to_contain_text("Regular and light")
    expect(options_on_phone).to_contain_text("Sam is very busy")
    pia_page.get_by_label("Option:", exact=True).fill("Write a one-page proposal")
    pia_page.get_by_label("What speaks for it").fill("I think best in writing")
    pia_page.get_by_role("button", name="Add this option").click()
    expect(cole_page.locator(".option-list")).to_contain_text(
        "Write a one-page proposal", timeout=SYNC_TIMEOUT_MS
    )
    next_step(pia_page)

    # The half ends with Pia's action plan.
    step_title(pia_page).to_have_text("What will you do?")
    expect(cole_page.get_by_text("Pia is writing their plan")).to_be_visible(
        timeout=SYNC_TIMEOUT_MS
    )
    pia_page.get_by_label("Your goal").fill("Get steady support for the launch")
    pia_page.get_by_label("Step 1:", exact=True).fill("Send Sam the one-page proposal")
    due = (date.today() + timedelta(days=7)).isoformat()
    pia_page.get_by_label("By when (step 1)").fill(due)
    pia_page.get_by_role("button", name="Save my plan").click()
    expect(pia_page.locator(".messages")).to_contain_text("Your plan is saved")
    expect(cole_page.get_by_text("Pia's plan is saved")).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    next_step(cole_page)

    # Roles switch: Cole is the client for the second half.
    expect(pia_page.locator(".runner-progress")).to_contain_text(
        "second half", timeout=SYNC_TIMEOUT_MS
    )
    expect(cole_page.locator(".runner-roles")).to_contain_text("Cole (you)")
    expect(pia_page.locator(".runner-roles")).to_contain_text("Pia (you)")
    expect(pia_page.locator(".prompt")).to_contain_text("Cole, describe what you")
    for title in ("What's been going on?", "What have you tried?", "What else could you do?"):
        next_step(pia_page)
        step_title(cole_page).to_have_text(title, timeout=SYNC_TIMEOUT_MS)
    next_step(pia_page)
    step_title(cole_page).to_have_text("What will you do?", timeout=SYNC_TIMEOUT_MS)
    cole_page.get_by_label("Your goal").fill("Delegate the weekly report")
    cole_page.get_by_label("Step 1:", exact=True).fill("Show Ana how I build it")
    cole_page.get_by_role("button", name="Save my plan").click()
    expect(pia_page.get_by_text("Cole's plan is saved")).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    next_step(pia_page)

    # The end, for both.
    step_title(cole_page).to_have_text("Thank you", timeout=SYNC_TIMEOUT_MS)
    cole_page.get_by_role("button", name="Finish the session").click()
    step_title(pia_page).to_have_text("Session finished", timeout=SYNC_TIMEOUT_MS)
    expect(pia_page.get_by_role("link", name="Say how it went")).to_be_visible()
    session.refresh_from_db()
    assert session.status == SessionStatus.FINISHED
    assert ActionPlan.all_organizations.filter(owner=pia, session=session).count() == 1

    # Next time: the session opens with Pia's plan under review.
    later = confirmed_session(pairing, starts_at=session.starts_at + timedelta(days=14))
    assert CoachingSession.all_organizations.filter(pairing=pairing).count() == 2
    pia_page.goto(f"{live_server.url}/guided/sessions/{later.pk}/")
    pia_page.get_by_role("button", name="Start the guided session").click()
    step_title(pia_page).to_have_text("Where did we get to?")
    review = pia_page.locator(".review-owner").filter(has_text="Your actions")
    expect(review).to_contain_text("Get steady support for the launch")
    expect(review).to_contain_text("Send Sam the one-page proposal")
    review.get_by_role("button", name="Done").click()
    expect(pia_page.locator(".messages")).to_contain_text("Marked done")
