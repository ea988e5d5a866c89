"""FeedForward rounds: one thing a person wants to get better at, and peers' ideas for the future.

A round belongs to the person asking. Each invited colleague answers with one or two suggestions
or declines silently; the person reads the suggestions, marks the ones they will try, and can
answer only with thanks. There is deliberately no field where the receiver writes back.

Authors are shown to the receiver: FeedForward is a conversation between named colleagues, and
a thank-you needs someone to go to. Invitees read only their own suggestions, never others'.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from peercoach.organizations.models import Organization
from peercoach.organizations.scoping import OrganizationScopedManager
from peercoach.people.models import Person

MAX_INVITEES_PER_ROUND = 8
MAX_SUGGESTIONS_PER_INVITEE = 2
TOPIC_MAX_LENGTH = 200
SUGGESTION_MAX_LENGTH = 600


class FeedForwardRound(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="feedforward_rounds"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="feedforward_rounds")
    topic = models.CharField(max_length=TOPIC_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationScopedManager["FeedForwardRound"]()
    all_organizations = models.Manager["FeedForwardRound"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"FeedForward round {self.pk}"


class InvitationStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ANSWERED = "answered", "Answered"
    # Silent: the receiver sees a declined invitation exactly like one not answered yet.
    DECLINED = "declined", "Declined"


class FeedForwardInvitation(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="feedforward_invitations"
    )
    round = models.ForeignKey(
        FeedForwardRound, on_delete=models.CASCADE, related_name="invitations"
    )
    invitee = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="feedforward_invitations"
    )
    drawn_at_random = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.INVITED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    thanked_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager["FeedForwardInvitation"]()
    all_organizations = models.Manager["FeedForwardInvitation"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "invitee"], name="feedforward_invitation_once_per_round"
            ),
            models.CheckConstraint(
                condition=Q(thanked_at__isnull=True) | Q(status="answered"),
                name="feedforward_thanks_only_for_answers",
            ),
        ]
        indexes = [models.Index(fields=["invitee", "status"])]

    def __str__(self) -> str:
        return f"FeedForward invitation {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == InvitationStatus.INVITED


class FeedForwardSuggestion(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="feedforward_suggestions"
    )
    invitation = models.ForeignKey(
        FeedForwardInvitation, on_delete=models.CASCADE, related_name="suggestions"
    )
    position = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=SUGGESTION_MAX_LENGTH)
    # The writer was shown the looking-back nudge and chose to send it as it was.
    sent_despite_nudge = models.BooleanField(default=False)
    will_try = models.BooleanField(default=False)

    objects = OrganizationScopedManager["FeedForwardSuggestion"]()
    all_organizations = models.Manager["FeedForwardSuggestion"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["invitation_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "position"], name="feedforward_suggestion_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1) & Q(position__lte=MAX_SUGGESTIONS_PER_INVITEE),
                name="feedforward_one_or_two_suggestions",
            ),
        ]

    def __str__(self) -> str:
        return f"FeedForward suggestion {self.pk}"
