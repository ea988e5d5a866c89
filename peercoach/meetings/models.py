"""Meetings of an active pairing, as a calendar sees them and as the members live them.

A `Meeting` is one calendar event: a single time, or a recurring series following the program's
cadence (an RFC 5545 rule). It owns the iCalendar UID; every change or cancellation raises its
sequence so calendars replace the old copy instead of adding a second one.

A `CoachingSession` is one occurrence of a meeting: the thing members actually hold, run with
the guided script, mark as held or missed, and whose action plans are reviewed at the next one.
Occurrences of a recurring meeting are materialized a few at a time, so "the next session" is a
plain query.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from peercoach.organizations.models import Organization
from peercoach.organizations.scoping import OrganizationScopedManager
from peercoach.people.models import Person


class MeetingStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    CONFIRMED = "confirmed", "Confirmed"
    CANCELLED = "cancelled", "Cancelled"


def new_calendar_uid() -> str:
    return f"{uuid.uuid4()}@peercoach"


class Meeting(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="meetings"
    )
    pairing = models.ForeignKey(
        "programs.Pairing", on_delete=models.CASCADE, related_name="meetings"
    )
    proposed_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="meetings_proposed"
    )
    status = models.CharField(
        max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PROPOSED
    )
    # The first occurrence, in UTC; `timezone` is the proposer's zone, in which the recurrence
    # rule is expanded so "every other Tuesday at 10:00" stays at 10:00 across summer time.
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    timezone = models.CharField(max_length=64, default="UTC")
    recurrence_rule = models.CharField(max_length=255, blank=True)
    calendar_uid = models.CharField(max_length=120, unique=True, default=new_calendar_uid)
    calendar_sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager["Meeting"]()
    all_organizations = models.Manager["Meeting"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["pairing", "status"])]

    def __str__(self) -> str:
        return f"Meeting {self.pk} of pairing {self.pairing_id}"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    FINISHED = "finished", "Finished"
    CANCELLED = "cancelled", "Cancelled"


class CoachingSession(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="coaching_sessions"
    )
    pairing = models.ForeignKey(
        "programs.Pairing", on_delete=models.CASCADE, related_name="coaching_sessions"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager["CoachingSession"]()
    all_organizations = models.Manager["CoachingSession"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "starts_at"], name="coaching_session_once_per_occurrence"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="coaching_session_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["pairing", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"Session {self.pk} of pairing {self.pairing_id} at {self.starts_at:%Y-%m-%d %H:%M}"


class AttendanceOutcome(models.TextChoices):
    HELD = "held", "We met"
    RESCHEDULED = "rescheduled", "We moved it"
    MISSED = "missed", "We didn't meet"


class SessionAttendance(models.Model):
    """One member's private account of a session: did it happen, and how useful was it.

    Ratings are never shown per person or per session to anyone else; insights only read
    them as group-level figures.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="session_attendances"
    )
    session = models.ForeignKey(
        CoachingSession, on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendances")
    outcome = models.CharField(max_length=16, choices=AttendanceOutcome.choices)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField()

    objects = OrganizationScopedManager["SessionAttendance"]()
    all_organizations = models.Manager["SessionAttendance"]()

    class Meta:
        default_manager_name = "all_organizations"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"], name="session_attendance_once_per_person"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="session_attendance_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} at session {self.session_id}: {self.outcome}"


class MeetingConfirmation(models.Model):
    """One member's yes to a proposed time. A meeting is confirmed once every member said yes:
    a time binds everyone it invites, so nobody is booked without agreeing."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="meeting_confirmations"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="confirmations")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="meeting_confirmations"
    )
    confirmed_at = models.DateTimeField()

    objects = OrganizationScopedManager["MeetingConfirmation"]()
    all_organizations = models.Manager["MeetingConfirmation"]()

    class Meta:
        default_manager_name = "all_organizations"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="meeting_confirmation_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} confirmed meeting {self.meeting_id}"
