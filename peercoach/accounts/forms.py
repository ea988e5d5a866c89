from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from peercoach.accounts.models import Invitation, User


class InvitationAcceptForm(forms.Form):
    """Choose a password for a new account, or confirm the password of an existing one."""

    password = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirmation = forms.CharField(
        label="Type it again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(
        self, *args: Any, invitation: Invitation, existing_user: User | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.existing_user = existing_user
        if self.confirms_existing_password:
            del self.fields["password_confirmation"]
            self.fields["password"].label = "Your current password"
            self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        else:
            self.fields[
                "password"
            ].help_text = password_validation.password_validators_help_text_html()

    @property
    def confirms_existing_password(self) -> bool:
        return self.existing_user is not None and self.existing_user.has_usable_password()

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        if self.confirms_existing_password:
            return cleaned
        password = cleaned.get("password")
        confirmation = cleaned.get("password_confirmation")
        if password and confirmation and password != confirmation:
            self.add_error("password_confirmation", "The two passwords don't match.")
        elif password:
            user = self.existing_user or User(
                email=self.invitation.email, full_name=self.invitation.person.full_name
            )
            try:
                password_validation.validate_password(password, user=user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned
