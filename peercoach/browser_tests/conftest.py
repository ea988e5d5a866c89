"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Playwright never downloads a browser here; the machine's Chromium (`apt-get install chromium`)
is used instead. Without it the tests are skipped on a laptop and fail under CI, where a missing
browser must never pass silently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from peercoach.browser_tests.console import ConsoleWatcher

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
UNDER_CI = os.environ.get("CI", "").lower() == "true"
MISSING_CHROMIUM = (
    f"Chromium is not installed at {CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)"
)

# Running as root needs --no-sandbox; the rest keeps Chromium from calling out to a network it
# does not have (updates, sync, QUIC probes) and from relying on a GPU or a large /dev/shm.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists() or UNDER_CI:
        return
    skip = pytest.mark.skip(reason=MISSING_CHROMIUM)
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_calls_beside_playwright() -> Iterator[None]:
    # Playwright's synchronous API keeps an event loop running in the test thread from the first
    # browser test on; Django would then refuse the ORM calls tests make to arrange data, though
    # nothing here is really async. Autouse here means: only once a browser test runs.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        pytest.fail(MISSING_CHROMIUM)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}, "locale": "en-GB"}


@pytest.fixture
def console(page: Page) -> Iterator[ConsoleWatcher]:
    watcher = ConsoleWatcher()
    page.on("console", watcher.on_console)
    page.on("pageerror", watcher.on_page_error)
    yield watcher
    page.remove_listener("console", watcher.on_console)
    page.remove_listener("pageerror", watcher.on_page_error)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # On SQLite, Django's test database is shared-cache memory, where a write from one of the
    # live server's request threads makes a concurrent request fail at once with "database table
    # is locked" (two browsers polling the session runner hit it). A file database in WAL mode
    # makes the second writer wait for the busy timeout instead, as it does in production.
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        test_settings = database.setdefault("TEST", {})
        test_settings["NAME"] = str(tmp_path_factory.mktemp("database") / "browser.sqlite3")
