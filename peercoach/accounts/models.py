from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from peercoach.organizations.models import Organization, Role
from peercoach.organizations.scoping import OrganizationScopedManager


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An account needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login account. People in the directory need not have one (most never log in)."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]


class Invitation(models.Model):
    """An email invitation for someone in the directory to activate their account.

    Only a hash of the token is stored: the raw token exists in the email link alone, so a copy of
    the database cannot be used to accept invitations. An invitation is used once; accepting,
    revoking or letting it expire ends it.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(help_text="Where the invitation was sent (the person's email then).")
    is_program_manager = models.BooleanField(default=False)
    is_sponsor = models.BooleanField(default=False)
    is_organization_admin = models.BooleanField(default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager["Invitation"]()
    all_organizations = models.Manager["Invitation"]()

    class Meta:
        default_manager_name = "all_organizations"
        constraints = [
            # Inviting someone again replaces their open invitation, so at most one is open.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_both_accepted_and_revoked",
            ),
        ]
        indexes = [models.Index(fields=["organization", "accepted_at", "revoked_at"])]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organization_id}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        """Can still be accepted."""
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    @property
    def granted_role_labels(self) -> list[str]:
        labels = [Role.PARTICIPANT.label]
        if self.is_program_manager:
            labels.append(Role.PROGRAM_MANAGER.label)
        if self.is_sponsor:
            labels.append(Role.SPONSOR.label)
        if self.is_organization_admin:
            labels.append(Role.ORGANIZATION_ADMIN.label)
        return labels
