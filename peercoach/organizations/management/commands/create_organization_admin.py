"""For whoever installs peercoach: create an organization's first admin.

    uv run python manage.py create_organization_admin --organization acme --email it@acme.example \
        --name "Acme Corp"

Prints a link where the admin chooses their password. To set it right away instead, put it in the
PEERCOACH_ADMIN_PASSWORD environment variable, or pass --prompt to type it.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from peercoach.accounts.models import User
from peercoach.organizations.models import Organization
from peercoach.organizations.services import organization_admin_ensure

PASSWORD_VARIABLE = "PEERCOACH_ADMIN_PASSWORD"


class Command(BaseCommand):
    help = "Make an account the admin of an organization (creating both if needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", required=True, help="The organization's slug.")
        parser.add_argument("--email", required=True, help="The admin's email address.")
        parser.add_argument(
            "--name", help="Create the organization with this name if the slug is new."
        )
        parser.add_argument("--prompt", action="store_true", help="Type the password now.")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email!r} is not a valid email address.") from error
        password = self._password(options["prompt"])
        with transaction.atomic():
            organization = self._organization(options["organization"], options["name"])
            membership = organization_admin_ensure(organization=organization, email=email)
            user = membership.user
            if password is not None:
                self._set_password(user, password)
        self.stdout.write(f"{email} is an admin of {organization.name} ({organization.slug}).")
        if password is None:
            self.stdout.write("They choose their password here (the link works for a few days):")
            self.stdout.write(self._password_link(user))

    def _organization(self, slug: str, name: str | None) -> Organization:
        organization = Organization.objects.filter(slug=slug).first()
        if organization is not None:
            return organization
        if not name:
            raise CommandError(
                f"There is no organization {slug!r}. Add --name to create it, e.g. "
                f'--name "Acme Corp".'
            )
        return Organization.objects.create(slug=slug, name=name)

    def _password(self, prompt: bool) -> str | None:
        if os.environ.get(PASSWORD_VARIABLE):
            return os.environ[PASSWORD_VARIABLE]
        if not prompt:
            return None
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords don't match; nothing was changed.")
        return first

    def _set_password(self, user: User, password: str) -> None:
        try:
            password_validation.validate_password(password, user=user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages) + " Nothing was changed.") from error
        user.set_password(password)
        user.save(update_fields=["password"])

    def _password_link(self, user: User) -> str:
        path = reverse(
            "account_reset_password_from_key",
            kwargs={
                "uidb36": user_pk_to_url_str(user),
                "key": default_token_generator.make_token(user),
            },
        )
        return settings.SITE_URL + path
