"""The two ways to a pair, driven through a real browser.

A program manager's pilot: people enroll (one on their own, one nominated), the manager runs
matching, moves someone (and sees a move that breaks a rule refused), publishes, everyone says
yes and the pairs are active. And participants choosing: suggestions, a request, a no, another
request, a yes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from peercoach.organizations.models import Membership, Organization
from peercoach.people.models import Person
from peercoach.programs.matching_models import MatchingPlacement, MatchingRun
from peercoach.programs.models import Enrollment, MatchingMode, Pairing, Program
from peercoach.programs.pairing_models import PairingStatus
from peercoach.testing.factories import (
    PASSWORD,
    EnrollmentFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    # The live server runs background tasks at once: no worker process in a browser test.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


class People:
    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self.chief = PersonFactory(organization=organization, full_name="Carla Chief", level=8)

    def person(self, name: str, manager: Person | None = None) -> Person:
        email = name.split()[0].lower() + "@acme.test"
        person: Person = PersonFactory(
            organization=self.organization,
            full_name=name,
            email=email,
            manager=manager or self.chief,
        )
        return person

    def login(self, email: str, person: Person | None = None, **roles: bool) -> str:
        user = UserFactory(email=email)
        MembershipFactory(organization=self.organization, user=user, person=person, **roles)
        return email


@pytest.fixture
def acme(transactional_db: None) -> People:
    return People(OrganizationFactory(name="Acme", slug="acme"))


@pytest.fixture
def sign_in(browser: Browser, live_server: LiveServer) -> Iterator[Any]:
    """Each person gets their own browser context, as on their own laptop."""
    contexts = []

    def open_as(email: str) -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/")
        page.get_by_label(re.compile(r"^Email")).fill(email)
        page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
        page.get_by_role("button", name=re.compile(r"sign in|log in", re.IGNORECASE)).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
        return page

    yield open_as
    for context in contexts:
        context.close()


def join(page: Page, live_server: LiveServer, program: Program, *, button: str) -> None:
    page.goto(f"{live_server.url}/programs/{program.pk}/")
    page.get_by_role("link", name=button).click()
    page.get_by_label("I want to get better at …").fill("Giving clear feedback")
    page.get_by_label("Topics I can share experience on").fill("Planning projects")
    page.get_by_label("Languages I can coach in").fill("English")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_label("I have read the ground rules and agree to them").check()
    page.get_by_role("button", name="Join the program").click()
    expect(page.locator(".messages")).to_be_visible()


def seeded_enrollment(program: Program, person: Person, like: Enrollment) -> Enrollment:
    """Someone who joined earlier, with the same working hours and languages as `like`."""
    enrollment: Enrollment = EnrollmentFactory(
        program=program,
        person=person,
        timezone=like.timezone,
        languages=like.languages,
        working_hours_start=like.working_hours_start,
        working_hours_end=like.working_hours_end,
    )
    return enrollment


def accept(page: Page, live_server: LiveServer, pairing: Pairing) -> None:
    page.goto(f"{live_server.url}/programs/peers/{pairing.pk}/")
    page.get_by_role("button", name="Yes, let's meet").click()
    expect(page.locator(".messages")).to_contain_text("Thank you for saying yes")


def test_a_manager_pilots_matching_from_enrollment_to_active_pairs(
    acme: People, sign_in: Any, live_server: LiveServer
) -> None:
    pam = acme.login("pam@acme.test", is_program_manager=True)
    acme.login("sid@acme.test", is_sponsor=True)
    sid = Membership.objects.in_organization(acme.organization).get(user__email="sid@acme.test")
    pia = acme.person("Pia Participant")
    nina = acme.person("Nina Nominee")
    lee = acme.person("Lee Lead")
    ray = acme.person("Ray Report", manager=lee)
    sam = acme.person("Sam Someone")
    logins = {p: acme.login(p.email, person=p) for p in (pia, nina, lee, ray, sam)}

    # The manager creates the pilot.
    manager = sign_in(pam)
    manager.goto(f"{live_server.url}/programs/new/")
    manager.get_by_label(re.compile(r"^Name")).fill("Feedback pilot")
    manager.get_by_label(re.compile(r"^Purpose:?$")).select_option("skill_development")
    manager.get_by_label(re.compile(r"^Format")).select_option("reciprocal_pairs")
    today = timezone.localdate()
    manager.get_by_label(re.compile(r"^Starts on")).fill(today.isoformat())
    manager.get_by_label(re.compile(r"^Ends on")).fill((today + timedelta(days=90)).isoformat())
    manager.get_by_label("Executive sponsor").select_option(str(sid.pk))
    manager.get_by_label("This is a pilot").check()
    manager.get_by_label(re.compile(r"^Status")).select_option("open")
    manager.get_by_role("button", name="Save the program").click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text("Feedback pilot")
    program = Program.objects.in_organization(acme.organization).get()
    assert program.is_pilot

    # Pia joins on her own and nominates Nina, who says yes.
    pia_page = sign_in(logins[pia])
    join(pia_page, live_server, program, button="Join this program")
    pia_page.goto(f"{live_server.url}/programs/{program.pk}/nominate/")
    pia_page.get_by_label("Colleague").select_option(str(nina.pk))
    pia_page.get_by_label("Why you thought of them").fill("She gives the kindest feedback.")
    pia_page.get_by_role("button", name="Send the nomination").click()
    expect(pia_page.locator(".messages")).to_be_visible()
    nina_page = sign_in(logins[nina])
    join(nina_page, live_server, program, button="Yes, I'd like to join")
    like = Enrollment.objects.in_organization(acme.organization).get(person=pia)
    for person in (lee, ray, sam):
        seeded_enrollment(program, person, like)

    # The manager runs matching; the run page shows the proposals when it is done.
    manager.goto(f"{live_server.url}/programs/{program.pk}/manage/")
    manager.get_by_role("button", name="Run matching").click()
    expect(manager.get_by_role("heading", name="Proposed groups")).to_be_visible()
    # Five people in pairs: a pair and a three, so that nobody is left out.
    expect(manager.get_by_text("5 of 5")).to_be_visible()
    expect(
        manager.get_by_text(re.compile(r"No matching could score (more|higher)"))
    ).to_be_visible()
    run = MatchingRun.objects.in_organization(acme.organization).get()
    groups: dict[int, set[int]] = {}
    for placement in MatchingPlacement.objects.in_organization(acme.organization).filter(run=run):
        assert placement.proposal is not None
        groups.setdefault(placement.proposal.number, set()).add(placement.person_id)
    assert sorted(len(members) for members in groups.values()) == [2, 3]
    group_of = {person: number for number, members in groups.items() for person in members}

    # Moving Ray into Lee's group is refused: Lee manages Ray.
    move(manager, "Ray Report", group_of[lee.pk])
    expect(manager.locator(".message-error")).to_contain_text(
        f"Ray Report can't join group {group_of[lee.pk]}: they are in the same management chain"
    )

    # Someone from the three joins the pair instead, which is fine.
    three, pair = sorted(groups, key=lambda number: -len(groups[number]))
    mover = next(pk for pk in groups[three] if pk not in (lee.pk, ray.pk))
    mover_name = Person.objects.in_organization(acme.organization).get(pk=mover).full_name
    move(manager, mover_name, pair)
    expect(manager.locator(".message-success")).to_contain_text(
        f"{mover_name} moved to group {pair}"
    )
    expect(manager.get_by_text("5 of 5")).to_be_visible()

    # Publishing asks everyone; publishing twice is refused.
    manager.get_by_role("button", name="Publish and ask everyone").click()
    expect(manager.get_by_text("2 matches sent out")).to_be_visible()
    expect(manager.get_by_role("button", name="Publish and ask everyone")).to_have_count(0)

    # Everyone says yes, and the pairs are active.
    pairings = list(Pairing.objects.in_organization(acme.organization).filter(program=program))
    assert len(pairings) == 2
    pages = {pia: pia_page, nina: nina_page}
    for pairing in pairings:
        for member in pairing.members.select_related("person"):
            page = pages.get(member.person) or sign_in(logins[member.person])
            pages[member.person] = page
            accept(page, live_server, pairing)
    for pairing in pairings:
        pairing.refresh_from_db()
        assert pairing.status == PairingStatus.ACTIVE
    pias = next(p for p in pairings if p.members.filter(person=pia).exists())
    pia_page.goto(f"{live_server.url}/programs/peers/{pias.pk}/")
    expect(pia_page.get_by_role("main").locator(".badge").first).to_have_text("Active")


def move(page: Page, name: str, group: int) -> None:
    # Found by name as they type, whichever page of groups the person is on.
    page.get_by_label("Find someone in this run").fill(name)
    page.get_by_role("radio", name=name).check()
    page.get_by_label("Group number").fill(str(group))
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.locator(".messages")).to_be_visible()


def test_participants_choose_ask_hear_no_ask_again_and_pair(
    acme: People, sign_in: Any, live_server: LiveServer
) -> None:
    program: Program = ProgramFactory(
        organization=acme.organization,
        name="Choose your peer",
        matching_mode=MatchingMode.PARTICIPANTS_CHOOSE,
    )
    pia = acme.person("Pia Participant")
    ola = acme.person("Ola Other")
    ida = acme.person("Ida Idea")
    mine = acme.person("Max Mine", manager=pia)
    for person, offers in ((pia, ["budgets"]), (ola, ["public speaking"]), (ida, ["feedback"])):
        EnrollmentFactory(program=program, person=person, offers=offers, goals=["public speaking"])
    EnrollmentFactory(program=program, person=mine)
    logins = {p: acme.login(p.email, person=p) for p in (pia, ola, ida)}

    pia_page = sign_in(logins[pia])
    pia_page.goto(f"{live_server.url}/programs/{program.pk}/requests/")
    suggestions = pia_page.get_by_role("region", name="Suggested for you")
    expect(suggestions).to_contain_text("Ola Other")
    expect(suggestions).to_contain_text("Ida Idea")
    # Nobody in her own reporting line is suggested.
    expect(suggestions).not_to_contain_text("Max Mine")
    expect(suggestions.get_by_role("listitem").first).to_contain_text("public speaking")

    pia_page.get_by_role("button", name="Send a request to Ola Other").click()
    expect(pia_page.locator(".messages")).to_contain_text("Request sent to Ola Other")

    ola_page = sign_in(logins[ola])
    ola_page.goto(f"{live_server.url}/programs/{program.pk}/requests/")
    ola_page.get_by_role("button", name="No, thank you (Pia Participant)").click()
    expect(ola_page.locator(".messages")).to_contain_text("wasn't taken up")

    pia_page.reload()
    expect(pia_page.get_by_role("region", name="You asked")).to_contain_text("Not taken up")
    # This time she finds Ida by name: the list narrows as she types.
    pia_page.get_by_label("Colleague's name").fill("ida")
    pia_page.get_by_role("radio", name="Ida Idea").check()
    pia_page.get_by_label("A note (optional)").fill("Tuesdays suit me.")
    pia_page.get_by_role("button", name="Send request").click()
    expect(pia_page.locator(".messages")).to_contain_text("Request sent to Ida Idea")

    ida_page = sign_in(logins[ida])
    ida_page.goto(f"{live_server.url}/programs/{program.pk}/requests/")
    ida_page.get_by_role("button", name="Yes, let's be peers (Pia Participant)").click()
    expect(ida_page.locator(".messages")).to_contain_text("you're peers now")

    pia_page.reload()
    expect(pia_page.get_by_role("link", name="Your pairing")).to_be_visible()
    pairing = Pairing.objects.in_organization(acme.organization).get()
    assert pairing.status == PairingStatus.ACTIVE
