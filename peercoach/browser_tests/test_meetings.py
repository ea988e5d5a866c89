"""Two peers agree on a time in their own browsers, and both get it for their calendars."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from peercoach.browser_tests.console import ConsoleWatcher
from peercoach.meetings.models import CoachingSession, Meeting, MeetingStatus
from peercoach.people.models import Person
from peercoach.testing.coaching import active_pairing
from peercoach.testing.factories import (
    PASSWORD,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def sign_in(browser: Browser, live_server: LiveServer) -> Iterator[Any]:
    """Each person in their own browser context, as on their own laptop."""
    contexts = []

    def open_as(email: str) -> tuple[Page, ConsoleWatcher]:
        context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
        contexts.append(context)
        page = context.new_page()
        watcher = ConsoleWatcher()
        page.on("console", watcher.on_console)
        page.on("pageerror", watcher.on_page_error)
        page.goto(f"{live_server.url}/")
        page.get_by_label(re.compile(r"^Email")).fill(email)
        page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
        page.get_by_role("button", name=re.compile(r"sign in|log in", re.IGNORECASE)).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
        return page, watcher

    yield open_as
    for context in contexts:
        context.close()


def test_two_peers_agree_on_a_recurring_time_and_mark_how_it_went(
    sign_in: Any, live_server: LiveServer
) -> None:
    acme = OrganizationFactory(name="Acme", slug="acme")
    chief = PersonFactory(organization=acme, full_name="Carla Chief")
    pia: Person = PersonFactory(organization=acme, full_name="Pia Participant", manager=chief)
    cole: Person = PersonFactory(organization=acme, full_name="Cole League", manager=chief)
    for person in (pia, cole):
        user = UserFactory(email=person.email)
        MembershipFactory(organization=acme, user=user, person=person)
    program = ProgramFactory(organization=acme, name="Feedback pilot")
    pairing = active_pairing(program, [pia, cole])

    # Pia opens her pairing, follows the link to its meetings and suggests the first time offered.
    pia_page, pia_console = sign_in(pia.email)
    pia_page.goto(f"{live_server.url}/programs/peers/{pairing.pk}/")
    pia_page.get_by_role("link", name="Plan your meetings").click()
    expect(pia_page.get_by_role("heading", level=1)).to_have_text("Meetings")
    when = pia_page.get_by_label("When")
    first_offered = when.locator("option").nth(1)
    expect(first_offered).to_contain_text("(Europe/Berlin)")
    when.select_option(index=1)
    pia_page.get_by_label("Repeat on the program's rhythm until it ends").check()
    pia_page.get_by_role("button", name="Suggest this time").click()
    expect(pia_page.locator(".messages")).to_contain_text("Time suggested")
    expect(pia_page.get_by_text("Waiting for Cole League")).to_be_visible()

    # Cole sees it in his inbox and confirms it.
    cole_page, cole_console = sign_in(cole.email)
    cole_page.goto(f"{live_server.url}/inbox/")
    expect(
        cole_page.get_by_role("heading", name=re.compile("Pia Participant suggested a time"))
    ).to_be_visible()
    cole_page.goto(f"{live_server.url}/meetings/peers/{pairing.pk}/")
    cole_page.get_by_role("button", name="Confirm this time").click()
    expect(cole_page.locator(".messages")).to_contain_text("Thank you")
    expect(cole_page.get_by_text("Confirmed", exact=True)).to_be_visible()

    # Pia's home says what is next; the calendar file is there to download.
    pia_page.goto(f"{live_server.url}/")
    expect(pia_page.get_by_text("Your next session:")).to_be_visible()
    pia_page.goto(f"{live_server.url}/meetings/peers/{pairing.pk}/")
    link = pia_page.get_by_role("link", name="Add to my calendar (.ics)")
    ics = pia_page.request.get(live_server.url + str(link.get_attribute("href")))
    meeting = Meeting.objects.in_organization(acme).get()
    assert meeting.status == MeetingStatus.CONFIRMED
    [event] = Calendar.from_ical(ics.body()).walk("VEVENT")
    assert str(event["UID"]) == meeting.calendar_uid

    # Once the first session has started, Pia says it happened, without leaving the page (htmx).
    session = CoachingSession.objects.in_organization(acme).order_by("starts_at").first()
    assert session is not None
    started = timezone.now() - timedelta(minutes=5)
    CoachingSession.objects.in_organization(acme).filter(pk=session.pk).update(
        starts_at=started, ends_at=started + timedelta(hours=1)
    )
    pia_page.goto(f"{live_server.url}/meetings/sessions/{session.pk}/")
    pia_page.get_by_label("We met").check()
    pia_page.get_by_label(re.compile(r"^How useful was it")).select_option("4")
    pia_page.get_by_role("button", name="Save").click()
    expect(pia_page.get_by_text("Thank you. Only you can see this.")).to_be_visible()
    pairing.refresh_from_db()
    assert pairing.last_met_at == started

    for console in (pia_console, cole_console):
        assert console.page_errors == []
        assert console.csp_violations == []
