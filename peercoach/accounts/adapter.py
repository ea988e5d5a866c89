"""How allauth fits peercoach: people join by invitation, and messages sound like us.

Single sign-on plugs in here too (docs/decisions/0002-accounts-and-sso.md): an SSO identity is
matched to an existing account by its email, which invitations and the directory already use.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """People join by invitation from their organization, never by open sign-up."""

    error_messages: dict[str, Any] = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": (
            "That email and password don't match an account. Check both and try again."
        ),
        "too_many_login_attempts": (
            "Too many attempts to sign in. To keep your account safe, please wait a few "
            "minutes before trying again, or reset your password."
        ),
        "account_inactive": "This account is switched off. Please ask your organization's admin.",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def format_email_subject(self, subject: str) -> str:
        return f"peercoach: {subject}"
