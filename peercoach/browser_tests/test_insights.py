"""A sponsor reads a program's group figures, narrows them, and takes them away as a CSV.

Sid signs in, opens Insights and the program's dashboard, chooses a later first month and the
Support department (each change swaps the figures in place), sees the table change, then
downloads the CSV and finds in it exactly the rows the page shows.
"""

from __future__ import annotations

import csv
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from peercoach.browser_tests.console import ConsoleWatcher
from peercoach.insights.tests.built import build, people_in
from peercoach.testing.factories import (
    PASSWORD,
    MembershipFactory,
    OrganizationFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GROUPS = [("Sales", "Berlin", 3, 10), ("Support", "Berlin", 2, 12)]


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def program(transactional_db: None) -> Any:
    acme = OrganizationFactory(name="Acme", slug="acme")
    sid = UserFactory(email="sid@acme.test")
    sponsor = MembershipFactory(organization=acme, user=sid, is_sponsor=True)
    program = ProgramFactory(organization=acme, name="Peer circles", sponsor=sponsor)
    build(program, people_in(acme, GROUPS))
    return program


def sign_in(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_label(re.compile(r"^Email")).fill(email)
    page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"sign in|log in", re.IGNORECASE)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def table_rows(page: Page, metric: str) -> list[tuple[str, str, str]]:
    """(month, value, people) as the page's table for one metric shows them."""
    table = page.get_by_role("table", name=f"{metric} by month")
    # Read every row in one step inside the page: htmx may swap the table in between reading
    # one row and the next, and a row read after it was swapped out has no cells.
    cells: list[list[str]] = table.locator("tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.querySelectorAll('th, td')]"
        ".map(cell => cell.textContent.trim()))"
    )
    return [(row[0], row[1], row[2]) for row in cells]


def test_a_sponsor_filters_the_dashboard_and_downloads_what_it_shows(
    page: Page, live_server: LiveServer, console: ConsoleWatcher, program: Any, tmp_path: Any
) -> None:
    sign_in(page, live_server, "sid@acme.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    page.get_by_role("link", name="Peer circles", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Peer circles")

    # The default period is the program's last twelve months; choose January to March 2026.
    page.get_by_label("From", exact=True).fill("2026-01")
    page.get_by_label("To", exact=True).fill("2026-03")
    page.get_by_role("button", name="Show figures").click()
    expect(page).to_have_url(re.compile(r"last_month=2026-03"))
    enrolled = page.get_by_role("table", name="People enrolled by month")
    expect(enrolled.locator("tbody tr")).to_have_count(3)
    expect(enrolled.locator("tbody tr").first).to_contain_text("January 2026")
    expect(enrolled.locator("tbody tr").first).to_contain_text("22")
    assert table_rows(page, "People enrolled") == [
        ("January 2026", "22", "22"),
        ("February 2026", "22", "22"),
        ("March 2026", "22", "22"),
    ]

    # Each change swaps the figures in place (htmx), and the address keeps the filters.
    page.get_by_label("From", exact=True).fill("2026-02")
    expect(enrolled.locator("tbody tr")).to_have_count(2)
    page.get_by_label("Department", exact=True).select_option("Support")
    expect(page.get_by_role("status")).to_contain_text("Department: Support")
    expect(page).to_have_url(re.compile(r"department=Support"))
    shown = {
        metric: table_rows(page, metric)
        for metric in ("People enrolled", "In a pairing", "Session rating")
    }
    assert shown["People enrolled"] == [("February 2026", "12", "12"), ("March 2026", "12", "12")]

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download these figures (CSV)").click()
    download = download_info.value
    path = tmp_path / "figures.csv"
    download.save_as(path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert ["Program", "Peer circles"] in rows
    assert ["Department", "Support"] in rows
    assert ["From", "2026-02"] in rows
    assert ["Minimum group size", "5"] in rows
    table = rows[rows.index(["Metric", "Month", "Value", "People counted", "Note"]) + 1 :]
    for metric, page_rows in shown.items():
        exported = [(r[1], r[2] or "Withheld", r[3]) for r in table if r[0] == metric]
        assert exported == page_rows

    assert console.page_errors == []
    assert console.csp_violations == []
