"""Feedback by permission and advice by consent, driven through a real browser.

Pia invites Ola's feedback (found by typing her name), Ola sends some, Pia reads it and says
thank you. Then Ida offers Pia advice twice: Pia declines one and accepts the other; Ida sees
only "Not taken up" for the first, and Pia reads the second.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from peercoach.browser_tests.console import ConsoleWatcher
from peercoach.organizations.models import Organization
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
def acme(transactional_db: None) -> Organization:
    organization: Organization = OrganizationFactory(name="Acme", slug="acme")
    return organization


def colleague(organization: Organization, name: str) -> Person:
    email = name.split()[0].lower() + "@acme.test"
    person: Person = PersonFactory(organization=organization, full_name=name, email=email)
    MembershipFactory(organization=organization, user=UserFactory(email=email), person=person)
    return person


@pytest.fixture
def sign_in(browser: Browser, live_server: LiveServer) -> Iterator[Any]:
    contexts = []

    def open_as(person: Person) -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/")
        page.get_by_label(re.compile(r"^Email")).fill(person.email)
        page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
        page.get_by_role("button", name=re.compile(r"sign in|log in", re.IGNORECASE)).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
        return page

    yield open_as
    for context in contexts:
        context.close()


def pick_colleague(page: Page, name: str) -> None:
    """Type part of the name, then choose them from what the search found."""
    page.get_by_label("Find a colleague").fill(name.split()[0][:3])
    page.get_by_role("radio", name=name).check()


def offer_advice(page: Page, live_server: LiveServer, topic: str, advice: str) -> None:
    page.goto(f"{live_server.url}/feedback/advice/")
    pick_colleague(page, "Pia Participant")
    page.get_by_label("Would you like some advice on …").fill(topic)
    page.get_by_label("Your advice").fill(advice)
    page.get_by_role("button", name="Ask if they'd like it").click()
    expect(page.locator(".messages")).to_contain_text("It's up to Pia Participant now")


def test_feedback_flows_once_permission_is_given_and_is_thanked(
    acme: Organization, sign_in: Any, live_server: LiveServer, console: ConsoleWatcher
) -> None:
    pia = colleague(acme, "Pia Participant")
    ola = colleague(acme, "Ola Other")

    # Without an invitation, Ola can't send Pia feedback.
    ola_page = sign_in(ola)
    ola_page.goto(f"{live_server.url}/feedback/send/")
    expect(ola_page.get_by_text("Nobody has invited your feedback right now")).to_be_visible()

    # Pia invites Ola's feedback on presenting.
    pia_page = sign_in(pia)
    pia_page.get_by_role("link", name="Feedback").click()
    pia_page.get_by_role("link", name="Choose who may give me feedback").click()
    pick_colleague(pia_page, "Ola Other")
    pia_page.get_by_label("Only on these topics (optional)").fill("Presenting")
    pia_page.get_by_role("button", name="Invite their feedback").click()
    expect(pia_page.locator(".messages")).to_contain_text("Ola Other may now give you feedback")

    # Ola sends it; a topic Pia didn't ask about is refused with the reason.
    ola_page.goto(f"{live_server.url}/feedback/")
    ola_page.get_by_role("link", name="Give feedback to Pia Participant").click()
    ola_page.get_by_label("Topic").fill("Email style")
    ola_page.get_by_label("Your feedback").fill("Your demo opened with the customer's problem.")
    ola_page.get_by_role("button", name="Send feedback").click()
    expect(ola_page.locator(".errorlist")).to_contain_text("welcomes feedback on Presenting")
    ola_page.get_by_label("Topic").fill("presenting")
    ola_page.get_by_role("button", name="Send feedback").click()
    expect(ola_page.locator(".messages")).to_contain_text("Only Pia Participant can read it")

    # Pia reads it and says thank you; Ola sees the thanks.
    pia_page.goto(f"{live_server.url}/feedback/")
    pia_page.get_by_role("link", name="From Ola Other").click()
    expect(pia_page.locator(".feedback-text")).to_contain_text("customer's problem")
    pia_page.get_by_role("button", name="Say thank you").click()
    expect(pia_page.locator(".messages")).to_contain_text("grateful")
    ola_page.goto(f"{live_server.url}/feedback/")
    expect(ola_page.get_by_text("Thanked you")).to_be_visible()
    assert console.csp_violations == []


def test_an_advice_offer_declined_and_another_accepted(
    acme: Organization, sign_in: Any, live_server: LiveServer, console: ConsoleWatcher
) -> None:
    pia = colleague(acme, "Pia Participant")
    ida = colleague(acme, "Ida Idea")

    ida_page = sign_in(ida)
    offer_advice(ida_page, live_server, "your slides", "Cut each slide to one idea.")

    pia_page = sign_in(pia)
    pia_page.goto(f"{live_server.url}/feedback/advice/")
    expect(pia_page.get_by_text("Cut each slide")).to_have_count(0)
    pia_page.get_by_role("button", name="No, thank you (your slides)").click()
    expect(pia_page.locator(".messages")).to_contain_text("Nobody is told you said no")

    ida_page.goto(f"{live_server.url}/feedback/advice/")
    sent = ida_page.get_by_role("region", name="You offered")
    expect(sent).to_contain_text("Not taken up")
    expect(sent).not_to_contain_text("Declined")
    offer_advice(ida_page, live_server, "running meetings", "End five minutes early.")

    pia_page.goto(f"{live_server.url}/feedback/advice/")
    pia_page.get_by_role("button", name="Yes, please (running meetings)").click()
    expect(pia_page.locator(".advice-text")).to_contain_text("End five minutes early.")
    expect(pia_page.get_by_text("Cut each slide")).to_have_count(0)
    ida_page.goto(f"{live_server.url}/feedback/advice/")
    expect(ida_page.get_by_role("region", name="You offered")).to_contain_text("Accepted")
    assert console.csp_violations == []
