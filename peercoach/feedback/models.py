"""Permission before advice: feedback grants, feedback, requests for help and offers of advice.

Everything here is personal. It is read by the people it is between and by nobody else: no
pages, API, exports, emails with content or admin registrations for managers, sponsors or admins.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q

from peercoach.organizations.models import Organization
from peercoach.organizations.scoping import OrganizationScopedManager
from peercoach.people.models import Person

MAX_TOPIC_LENGTH = 120
MAX_TEXT_LENGTH = 4000


def normalized_topic(topic: str) -> str:
    """Topics compare without regard to case or stray spaces: "Meetings " is "meetings"."""
    return " ".join(topic.split()).casefold()


class FeedbackGrant(models.Model):
    """The grantor invites the grantee to give them feedback, maybe on some topics, for a while."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="feedback_grants"
    )
    grantor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="grants_given")
    grantee = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="grants_held")
    # Empty means any topic.
    topics = models.JSONField(default=list, blank=True)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager["FeedbackGrant"]()
    all_organizations = models.Manager["FeedbackGrant"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(grantor=models.F("grantee")), name="feedback_grant_not_to_self"
            ),
            # Granting again replaces the standing grant, so there is one to revoke, never two.
            models.UniqueConstraint(
                fields=["grantor", "grantee"],
                condition=Q(revoked_at__isnull=True),
                name="feedback_grant_one_standing_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lt=models.F("valid_until")),
                name="feedback_grant_period_in_order",
            ),
        ]
        indexes = [models.Index(fields=["grantee", "grantor", "revoked_at"])]

    def __str__(self) -> str:
        return f"Feedback grant {self.pk}"

    def is_current(self, *, at: datetime) -> bool:
        if self.revoked_at is not None:
            return False
        if self.valid_from is not None and at < self.valid_from:
            return False
        return self.valid_until is None or at < self.valid_until

    def covers(self, topic: str) -> bool:
        if not self.topics:
            return True
        return normalized_topic(topic) in {normalized_topic(t) for t in self.topics}


class Feedback(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="feedback"
    )
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="feedback_sent")
    recipient = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="feedback_received"
    )
    # The grant it was sent under: proof that it was invited at that moment.
    grant = models.ForeignKey(FeedbackGrant, on_delete=models.PROTECT, related_name="feedback")
    topic = models.CharField(max_length=MAX_TOPIC_LENGTH, blank=True)
    text = models.TextField()
    sent_at = models.DateTimeField()
    thanked_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager["Feedback"]()
    all_organizations = models.Manager["Feedback"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["-sent_at", "-pk"]
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(
                condition=~Q(author=models.F("recipient")), name="feedback_not_to_self"
            )
        ]

    def __str__(self) -> str:
        return f"Feedback {self.pk}"


class HelpAudience(models.TextChoices):
    PEERS = "peers", "Colleagues I choose"
    PAIRING = "pairing", "My pair or group"
    PROGRAM = "program", "Everyone in a program"


class HelpRequest(models.Model):
    """ "Could I use some help with …?" posted to chosen peers, a pairing, or a program."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="help_requests"
    )
    requester = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="help_requests")
    topic = models.CharField(max_length=MAX_TOPIC_LENGTH)
    text = models.TextField(blank=True)
    audience = models.CharField(max_length=16, choices=HelpAudience.choices)
    # Chosen peers and the pairing's members are written down when the request is posted; a
    # program's audience is whoever takes part in it at the time they look.
    peers = models.ManyToManyField(Person, related_name="help_requests_to_me", blank=True)
    pairing = models.ForeignKey(
        "programs.Pairing", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager["HelpRequest"]()
    all_organizations = models.Manager["HelpRequest"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["program", "closed_at"])]

    def __str__(self) -> str:
        return f"Help request {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class HelpReply(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="help_replies"
    )
    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="help_replies")
    text = models.TextField()
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    thanked_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager["HelpReply"]()
    all_organizations = models.Manager["HelpReply"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["created_at", "pk"]
        verbose_name_plural = "help replies"

    def __str__(self) -> str:
        return f"Help reply {self.pk}"


class OfferStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"


class AdviceOffer(models.Model):
    """ "Would you like some advice on …?" The advice stays hidden until the answer is yes."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="advice_offers"
    )
    offerer = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="advice_offered")
    recipient = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="advice_offers_received"
    )
    topic = models.CharField(max_length=MAX_TOPIC_LENGTH)
    advice = models.TextField()
    status = models.CharField(
        max_length=16, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager["AdviceOffer"]()
    all_organizations = models.Manager["AdviceOffer"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(offerer=models.F("recipient")), name="advice_offer_not_to_self"
            )
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"Advice offer {self.pk}"

    def status_at(self, at: datetime) -> str:
        """The status, counting an unanswered offer past its date as expired before the sweep."""
        if self.status == OfferStatus.PENDING and at >= self.expires_at:
            return OfferStatus.EXPIRED
        return self.status

    def status_for_offerer(self, at: datetime) -> str:
        """What the offerer sees: a no and a silence read the same, "not taken up"."""
        status = self.status_at(at)
        if status in (OfferStatus.DECLINED, OfferStatus.EXPIRED):
            return "not_taken_up"
        return status
