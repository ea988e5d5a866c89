"""Pairings (pairs, triads, groups), the requests participants send each other, and the inbox.

A pairing is a small set of enrolled people who meet. It is proposed (by matching, not yet shown
to anyone but the program manager), then invited (every member is asked), and active only once
everyone said yes. `pairing_states.py` holds every allowed change of status.

"One current pairing per person per program" is enforced by the database: a member row carries
the program and person, and `is_current` is set while the pairing is active or paused, but only in
programs that don't allow several pairings. A partial unique index does the rest.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q

from peercoach.organizations.models import Organization
from peercoach.organizations.scoping import OrganizationScopedManager
from peercoach.people.models import Person


class PairingStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    INVITED = "invited", "Waiting for answers"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Didn't go ahead"
    EXPIRED = "expired", "Didn't go ahead"


# Pairings whose members are spoken for: the database allows one per person per program.
CURRENT_STATUSES = (PairingStatus.ACTIVE, PairingStatus.PAUSED)
# Pairings a member sees and may act on.
OPEN_STATUSES = (PairingStatus.INVITED, PairingStatus.ACTIVE, PairingStatus.PAUSED)


class PairingKind(models.TextChoices):
    PAIR = "pair", "Pair"
    TRIAD = "triad", "Triad"
    GROUP = "group", "Group"


class PairingSource(models.TextChoices):
    MANAGER = "manager", "Matched by the program manager"
    REQUEST = "request", "Chosen by the participants"
    ROTATION = "rotation", "Rotation round"


class MemberResponse(models.TextChoices):
    PENDING = "pending", "Not answered yet"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Pairing(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="pairings"
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="pairings"
    )
    status = models.CharField(max_length=16, choices=PairingStatus.choices)
    kind = models.CharField(max_length=8, choices=PairingKind.choices, default=PairingKind.PAIR)
    source = models.CharField(
        max_length=16, choices=PairingSource.choices, default=PairingSource.MANAGER
    )
    proposed_at = models.DateTimeField()
    invited_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Set by the meetings work when the members meet; until then time since activation counts.
    last_met_at = models.DateTimeField(null=True, blank=True)
    last_resumed_at = models.DateTimeField(null=True, blank=True)
    # Paused because a member paused their place in the program, not by a member's choice here:
    # it picks up again by itself once every member is back.
    paused_with_enrollment = models.BooleanField(default=False)
    # When the sweep last nudged the members, or offered a new match, so each happens once a gap.
    nudged_at = models.DateTimeField(null=True, blank=True)
    rematch_offered_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager["Pairing"]()
    all_organizations = models.Manager["Pairing"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["-proposed_at", "pk"]
        indexes = [
            models.Index(fields=["program", "status"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} in {self.program_id}"

    @property
    def quiet_since(self) -> datetime | None:
        """Since when the members haven't met: the latest of activation, meeting and resuming."""
        moments = [m for m in (self.activated_at, self.last_met_at, self.last_resumed_at) if m]
        return max(moments) if moments else None


class PairingMember(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="pairing_members"
    )
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="members")
    enrollment = models.ForeignKey(
        "programs.Enrollment", on_delete=models.CASCADE, related_name="pairing_memberships"
    )
    # Copied from the enrollment so that the database can enforce one current pairing.
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="pairing_members"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="pairing_members")
    response = models.CharField(
        max_length=16, choices=MemberResponse.choices, default=MemberResponse.PENDING
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    is_current = models.BooleanField(default=False)

    objects = OrganizationScopedManager["PairingMember"]()
    all_organizations = models.Manager["PairingMember"]()

    class Meta:
        default_manager_name = "all_organizations"
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "person"], name="pairing_member_once_per_pairing"
            ),
            models.UniqueConstraint(
                fields=["program", "person"],
                condition=Q(is_current=True),
                name="pairing_member_one_current_per_program",
            ),
        ]
        indexes = [models.Index(fields=["person", "program"])]

    def __str__(self) -> str:
        return f"{self.person} in pairing {self.pairing_id}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Not taken up"
    EXPIRED = "expired", "Not taken up"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PairingRequest(models.Model):
    """ "I'll coach you if you'll coach me": one participant asks another to pair up."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="pairing_requests"
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="pairing_requests"
    )
    requester = models.ForeignKey(
        "programs.Enrollment", on_delete=models.CASCADE, related_name="requests_sent"
    )
    recipient = models.ForeignKey(
        "programs.Enrollment", on_delete=models.CASCADE, related_name="requests_received"
    )
    message = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    pairing = models.ForeignKey(
        Pairing, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )

    objects = OrganizationScopedManager["PairingRequest"]()
    all_organizations = models.Manager["PairingRequest"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(requester=models.F("recipient")), name="pairing_request_not_to_self"
            ),
            models.UniqueConstraint(
                fields=["requester", "recipient"],
                condition=Q(status="pending"),
                name="pairing_request_one_pending_per_pair",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"Request {self.pk} in {self.program_id}"


class InboxKind(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    PAIRING_ACTIVE = "pairing_active", "Pairing active"
    DID_NOT_GO_AHEAD = "did_not_go_ahead", "Match didn't go ahead"
    PAIRING_PAUSED = "pairing_paused", "Pairing paused"
    PAIRING_RESUMED = "pairing_resumed", "Pairing active again"
    PAIRING_ENDED = "pairing_ended", "Pairing ended"
    PAIRING_COMPLETED = "pairing_completed", "Pairing completed"
    NUDGE = "nudge", "Nudge"
    REMATCH_OFFER = "rematch_offer", "New match offered"
    REQUEST_RECEIVED = "request_received", "Request received"
    REQUEST_NOT_TAKEN_UP = "request_not_taken_up", "Request not taken up"
    MEETING_PROPOSED = "meeting_proposed", "Meeting time proposed"
    SESSION_REMINDER = "session_reminder", "Session reminder"
    ACTION_OVERDUE = "action_overdue", "Action past its date"
    FEEDBACK_INVITED = "feedback_invited", "Invited to give feedback"
    FEEDBACK_RECEIVED = "feedback_received", "Feedback received"
    FEEDBACK_THANKED = "feedback_thanked", "Thanks for feedback"
    HELP_REQUESTED = "help_requested", "Asked for help"
    HELP_ANSWERED = "help_answered", "Help offered"
    HELP_THANKED = "help_thanked", "Thanks for help"
    ADVICE_OFFERED = "advice_offered", "Advice offered"
    ADVICE_ACCEPTED = "advice_accepted", "Advice accepted"
    FEEDFORWARD_INVITED = "feedforward_invited", "Invited to a FeedForward round"
    FEEDFORWARD_ANSWERED = "feedforward_answered", "FeedForward ideas received"
    FEEDFORWARD_THANKED = "feedforward_thanked", "Thanks for FeedForward ideas"
    SURVEY_REQUESTED = "survey_requested", "Program feedback asked for"


class InboxMessage(models.Model):
    """A message for one person, shown in their inbox and also sent by email in the background."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="inbox_messages"
    )
    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="inbox_messages")
    kind = models.CharField(max_length=32, choices=InboxKind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager["InboxMessage"]()
    all_organizations = models.Manager["InboxMessage"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
