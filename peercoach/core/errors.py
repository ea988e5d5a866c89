"""The one shape of a refusal that services raise and views turn into a message."""

from __future__ import annotations


class RefusedError(Exception):
    """A change was refused; `message` is written for the person who asked.

    `field`, when given, names the form field at fault so a view can show the message inline.
    Each domain subclasses this (InvitationError, PairingError, …) so callers catch only theirs.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
