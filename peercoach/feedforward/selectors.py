"""Reads for FeedForward, always from one person's point of view within their organization.

A round and its suggestions are read by the person who asked; an invitation and its suggestions
by the invitee. Everyone else, whatever their role, gets 404 as if nothing were there.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from peercoach.feedforward.models import (
    FeedForwardInvitation,
    FeedForwardRound,
    FeedForwardSuggestion,
    InvitationStatus,
)
from peercoach.organizations.models import Organization
from peercoach.people import management_path
from peercoach.people.models import Person

COLLEAGUE_SEARCH_LIMIT = 10
COLLEAGUE_SEARCH_MIN_LENGTH = 2


def people_with_an_account(*, organization: Organization | int) -> QuerySet[Person]:
    """Active people who can sign in, so could read and answer an invitation."""
    return Person.objects.in_organization(organization).filter(
        is_active=True, membership__isnull=False, membership__user__is_active=True
    )


def eligible_for_random_draw(*, person: Person) -> QuerySet[Person]:
    """Colleagues who may be drawn at random for `person`: never anyone in their management
    chain, above or below at any depth, and never the person themself."""
    path = person.management_path
    return (
        people_with_an_account(organization=person.organization_id)
        .exclude(pk=person.pk)
        .exclude(pk__in=management_path.ancestor_ids(path))
        .exclude(
            management_path__gt=path,
            management_path__lt=management_path.subtree_upper_bound(path),
        )
    )


def colleague_search(*, person: Person, text: str) -> list[Person]:
    """A few colleagues whose name matches, for choosing whom to invite: never a whole list."""
    text = text.strip()
    if len(text) < COLLEAGUE_SEARCH_MIN_LENGTH:
        return []
    people = (
        people_with_an_account(organization=person.organization_id)
        .exclude(pk=person.pk)
        .filter(full_name__icontains=text)
        .order_by("full_name", "pk")
    )
    return list(people[:COLLEAGUE_SEARCH_LIMIT])


def rounds_mine(*, person: Person) -> QuerySet[FeedForwardRound]:
    return FeedForwardRound.objects.in_organization(person.organization_id).filter(person=person)


def round_for_owner(*, person: Person, round_id: int) -> FeedForwardRound:
    found = rounds_mine(person=person).filter(pk=round_id).first()
    if found is None:
        raise Http404("No such round.")
    return found


def invitations_to_me(*, person: Person) -> QuerySet[FeedForwardInvitation]:
    return (
        FeedForwardInvitation.objects.in_organization(person.organization_id)
        .filter(invitee=person)
        .select_related("round__person")
        .order_by("-created_at", "-pk")
    )


def invitation_for_invitee(*, person: Person, invitation_id: int) -> FeedForwardInvitation:
    found = invitations_to_me(person=person).filter(pk=invitation_id).first()
    if found is None:
        raise Http404("No such invitation.")
    return found


def suggestion_for_owner(*, person: Person, suggestion_id: int) -> FeedForwardSuggestion:
    """A suggestion made to `person` (the round's owner); nobody else may mark it."""
    found = (
        FeedForwardSuggestion.objects.in_organization(person.organization_id)
        .filter(pk=suggestion_id, invitation__round__person=person)
        .select_related("invitation__round")
        .first()
    )
    if found is None:
        raise Http404("No such suggestion.")
    return found


@dataclass(frozen=True)
class AuthorSuggestions:
    invitation: FeedForwardInvitation
    author: Person
    suggestions: list[FeedForwardSuggestion]
    thanked: bool


@dataclass(frozen=True)
class RoundView:
    """What the receiver sees: who was invited, and the ideas that came back, by author.

    Declined and unanswered invitations look alike: "waiting" is all the receiver ever learns.
    """

    round: FeedForwardRound
    invited: list[Person]
    answered: list[AuthorSuggestions]
    waiting_count: int


def round_view(round: FeedForwardRound) -> RoundView:
    invitations = list(
        round.invitations.select_related("invitee")
        .prefetch_related(
            Prefetch("suggestions", queryset=FeedForwardSuggestion.all_organizations.all())
        )
        .order_by("answered_at", "pk")
    )
    answered = [
        AuthorSuggestions(
            invitation=invitation,
            author=invitation.invitee,
            suggestions=list(invitation.suggestions.all()),
            thanked=invitation.thanked_at is not None,
        )
        for invitation in invitations
        if invitation.status == InvitationStatus.ANSWERED
    ]
    return RoundView(
        round=round,
        invited=sorted((i.invitee for i in invitations), key=lambda p: p.full_name),
        answered=answered,
        waiting_count=len(invitations) - len(answered),
    )
