"""A newcomer's first minutes in the demo organization, driven through a real browser."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from peercoach.browser_tests.console import ConsoleWatcher
from peercoach.browser_tests.demo import Demo, demo_build
from peercoach.people import selectors
from peercoach.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL_LABEL = re.compile(r"^Email")
PASSWORD_LABEL = re.compile(r"^Password")
SIGN_IN_BUTTON = re.compile(r"sign in|log in", re.IGNORECASE)


@pytest.fixture
def demo(transactional_db: None) -> Demo:
    return demo_build()


def sign_in(page: Page, live_server: LiveServer, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_label(EMAIL_LABEL).fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_role("button", name=SIGN_IN_BUTTON).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_a_participant_signs_in_and_finds_a_colleague_in_the_directory(
    page: Page, live_server: LiveServer, demo: Demo, console: ConsoleWatcher
) -> None:
    sign_in(page, live_server, demo.participant_email, demo.password)
    expect(page.locator(".site-header")).to_contain_text("Northwind Demo")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Directory").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory")
    _save_screenshot(page, "directory.png")

    # Typing searches through htmx: only the results are swapped, the page is not reloaded.
    name = demo.colleague.full_name
    matches = selectors.directory_search(organization=demo.organization, text=name).count()
    with page.expect_response(
        lambda response: (
            "q=" in response.url and response.request.headers.get("hx-request") == "true"
        )
    ):
        page.get_by_role("searchbox", name="Search").fill(name)
    results = page.locator("#results")
    expect(results).to_contain_text(f"{matches} {'person' if matches == 1 else 'people'}")
    expect(results.locator("tbody tr")).to_have_count(matches)
    expect(page).to_have_url(re.compile(r"\?.*q="))
    _save_screenshot(page, "directory-search.png")
    _save_screenshot(page, "directory-search-phone.png", width=390)

    results.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    manager = demo.colleague.manager
    assert manager is not None
    expect(page.get_by_role("link", name=manager.full_name, exact=True)).to_be_visible()

    assert console.csp_violations == []
    assert console.page_errors == []


def test_a_program_manager_previews_an_hr_file_and_sees_its_bad_row(
    page: Page, live_server: LiveServer, demo: Demo, console: ConsoleWatcher
) -> None:
    people_before = Person.objects.in_organization(demo.organization).count()
    hr_file = (
        "Employee ID,Name,Email,Manager ID,Department,Title,Time zone\n"
        "N-1,Nadia Newcomer,nadia@northwind.example,,Sales,Head of Sales,Europe/Paris\n"
        "N-2,Omar Onboard,omar@northwind.example,N-1,Sales,Account executive,Europe/Paris\n"
        "N-3,Mara Mistake,mara@northwind.example,N-1,Sales,Account executive,Mars/Olympus\n"
    )
    sign_in(page, live_server, demo.program_manager_email, demo.password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="HR import").click()

    page.get_by_label("HR export").set_input_files(
        files=[{"name": "northwind.csv", "mimeType": "text/csv", "buffer": hr_file.encode()}]
    )
    page.get_by_role("button", name="Preview the import").click()

    problems = page.get_by_role("region", name="Rows with problems")
    expect(problems).to_be_visible()
    bad_rows = problems.locator("tbody tr")
    expect(bad_rows).to_have_count(1)
    # Line 4: the header is line 1, so Mara's is the file's fourth line.
    expect(bad_rows.locator("td").nth(0)).to_have_text("4")
    expect(bad_rows).to_contain_text("Mara Mistake")
    expect(bad_rows).to_contain_text("Mars/Olympus")
    expect(bad_rows).to_contain_text(re.compile("time zone", re.IGNORECASE))
    _save_screenshot(page, "import-preview.png")

    # Confirming without choosing "only the valid rows" imports nothing.
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Nothing was imported")
    assert Person.objects.in_organization(demo.organization).count() == people_before
    assert console.csp_violations == []


def test_the_sign_in_form_works_with_the_keyboard_alone(
    page: Page, live_server: LiveServer, demo: Demo
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")

    _tab_until_focused(page, page.get_by_label(EMAIL_LABEL))
    page.keyboard.type(demo.participant_email)
    _tab_until_focused(page, page.get_by_label(PASSWORD_LABEL))
    page.keyboard.type(demo.password)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_pages_raise_no_content_security_policy_violations(
    page: Page, live_server: LiveServer, demo: Demo, console: ConsoleWatcher
) -> None:
    sign_in(page, live_server, demo.admin_email, demo.password)
    paths = [
        "/",
        "/people/",
        "/people/?q=a",
        f"/people/{demo.colleague.pk}/",
        "/people/imports/",
        "/people/imports/new/",
        "/organization/members/",
    ]
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.ok, f"{path} answered {response.status}"
        # The header's border comes from site.css: the stylesheet loaded under the policy.
        expect(page.locator(".site-header")).to_have_css("border-bottom-style", "solid")

    assert console.csp_violations == []
    assert console.page_errors == []


def test_the_console_watcher_notices_a_violation(
    page: Page, live_server: LiveServer, console: ConsoleWatcher
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    # An inline style attribute is exactly what our policy forbids.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")

    for _ in range(20):
        if console.csp_violations:
            break
        page.wait_for_timeout(100)

    assert console.csp_violations != []


def _tab_until_focused(page: Page, target: Locator, most: int = 15) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"Tab never reached {target} in {most} presses")


def _save_screenshot(page: Page, name: str, width: int | None = None) -> None:
    """Screenshots for a human to look at, only when asked: BROWSER_SCREENSHOTS=/some/dir."""
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    if width is not None and viewport is not None:
        page.set_viewport_size({"width": width, "height": viewport["height"]})
    page.screenshot(path=str(Path(folder) / name), full_page=True)
    if viewport is not None:
        page.set_viewport_size(viewport)
