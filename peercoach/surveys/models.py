"""Program feedback: each participant's rating of a program and what to keep or change.

One answer per person per program, editable until the program ends. Answers are stored with the
person only so that they can edit their own; nobody else ever reads an answer on its own: program
managers and sponsors see group-level figures (selectors.program_feedback_summary).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from peercoach.organizations.models import Organization
from peercoach.organizations.scoping import OrganizationScopedManager
from peercoach.people.models import Person

RATING_CHOICES = [
    (1, "1 · Not useful"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5 · Very useful"),
]
TEXT_MAX_LENGTH = 2000


class ProgramFeedback(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="program_feedback"
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="feedback_answers"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="program_feedback")
    rating = models.PositiveSmallIntegerField(choices=RATING_CHOICES)
    keep = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    change = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager["ProgramFeedback"]()
    all_organizations = models.Manager["ProgramFeedback"]()

    class Meta:
        default_manager_name = "all_organizations"
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person"], name="program_feedback_once_per_person"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="program_feedback_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        # Never the person or the text: this string can end up in logs.
        return f"Program feedback {self.pk}"


class FeedbackRequest(models.Model):
    """That a participant was asked for their feedback on a program: so nobody is asked twice."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="program_feedback_requests"
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="feedback_requests"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="program_feedback_requests"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationScopedManager["FeedbackRequest"]()
    all_organizations = models.Manager["FeedbackRequest"]()

    class Meta:
        default_manager_name = "all_organizations"
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person"], name="program_feedback_request_once"
            )
        ]

    def __str__(self) -> str:
        return f"Feedback request {self.pk}"
