"""What the browser reports while a test runs: console messages and uncaught page errors."""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import ConsoleMessage, Error


@dataclass
class ConsoleWatcher:
    """Collects what the browser reports, so a test can insist the pages stayed clean."""

    messages: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        self.messages.append(f"[{message.type}] {message.text}")

    def on_page_error(self, error: Error) -> None:
        self.page_errors.append(str(error))

    @property
    def csp_violations(self) -> list[str]:
        return [text for text in self.messages if "Content Security Policy" in text]
