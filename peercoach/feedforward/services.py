"""Changes to FeedForward rounds. Every refusal is a FeedForwardError written for the person.

The receiver's only possible answers are "I'll try this" and "thank you": no service here takes
text from the receiver, by design.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.urls import reverse
from django.utils import timezone

from peercoach.core.errors import RefusedError
from peercoach.feedforward import selectors
from peercoach.feedforward.models import (
    MAX_INVITEES_PER_ROUND,
    MAX_SUGGESTIONS_PER_INVITEE,
    SUGGESTION_MAX_LENGTH,
    TOPIC_MAX_LENGTH,
    FeedForwardInvitation,
    FeedForwardRound,
    FeedForwardSuggestion,
    InvitationStatus,
)
from peercoach.feedforward.past_focus import past_focused_phrases
from peercoach.people.models import Person
from peercoach.programs.inbox import inbox_message_send
from peercoach.programs.pairing_models import InboxKind

# Random draws list everyone eligible when the organization's id range is this small; above it,
# they probe random ids (PROBE_ROUNDS batches at most) so a large organization costs a few rows.
LIST_EVERYONE_BELOW = 5_000
PROBE_ROUNDS = 5

# Said the same way whether the id is unknown or belongs to another organization.
COLLEAGUE_NOT_FOUND = "We couldn't find that colleague. Search by name and pick them from the list."


class FeedForwardError(RefusedError):
    pass


class LooksBackError(FeedForwardError):
    """A suggestion reads as feedback about the past. A nudge: sending anyway is allowed."""

    def __init__(self, phrases_by_position: dict[int, list[str]]) -> None:
        super().__init__(
            "One of your ideas looks back at what already happened. FeedForward works best as "
            "a step to try from now on: could you say it that way? If it already reads right "
            "to you, you can send it as it is."
        )
        self.phrases_by_position = phrases_by_position


def colleague_find(*, organization_id: int, person_id: int | None) -> Person:
    """A colleague in the same organization; anyone else reads exactly like nobody at all."""
    found = (
        Person.objects.in_organization(organization_id).filter(pk=person_id).first()
        if person_id is not None
        else None
    )
    if found is None:
        raise FeedForwardError(COLLEAGUE_NOT_FOUND, field="person")
    return found


@transaction.atomic
def feedforward_round_start(
    *,
    person: Person,
    topic: str,
    chosen: Sequence[Person] = (),
    random_count: int = 0,
    seed: int | None = None,
) -> FeedForwardRound:
    topic = topic.strip()
    if not topic:
        raise FeedForwardError("Name the one thing you'd like to get better at.", field="topic")
    if len(topic) > TOPIC_MAX_LENGTH:
        raise FeedForwardError(
            f"Keep it to one thing, in {TOPIC_MAX_LENGTH} characters or fewer.", field="topic"
        )
    round = FeedForwardRound.objects.create(
        organization_id=person.organization_id, person=person, topic=topic
    )
    if chosen or random_count:
        feedforward_invite(round=round, chosen=chosen, random_count=random_count, seed=seed)
    return round


@transaction.atomic
def feedforward_invite(
    *,
    round: FeedForwardRound,
    chosen: Sequence[Person] = (),
    random_count: int = 0,
    seed: int | None = None,
) -> list[FeedForwardInvitation]:
    """Invite chosen colleagues and/or `random_count` drawn at random (`seed` makes tests
    repeatable). Colleagues the person chose may be anyone in the organization who can sign in:
    it's their choice. Random draws never come from the person's management chain."""
    # Locked, so two quick clicks cannot take a round past its limit.
    FeedForwardRound.all_organizations.select_for_update().get(pk=round.pk)
    already = set(round.invitations.values_list("invitee_id", flat=True))
    room = MAX_INVITEES_PER_ROUND - len(already)
    if random_count < 0 or len(chosen) + random_count > room:
        raise FeedForwardError(
            f"A round can have up to {MAX_INVITEES_PER_ROUND} colleagues; "
            f"there's room for {max(room, 0)} more."
        )
    for colleague in chosen:
        _check_chosen(round=round, colleague=colleague, already=already)
        already.add(colleague.pk)
    drawn = _draw(round=round, count=random_count, excluding=already, seed=seed)
    invitations = [
        FeedForwardInvitation.objects.create(
            organization_id=round.organization_id,
            round=round,
            invitee=colleague,
            drawn_at_random=colleague in drawn,
        )
        for colleague in [*chosen, *drawn]
    ]
    for invitation in invitations:
        _tell_invitee(invitation)
    return invitations


def _check_chosen(*, round: FeedForwardRound, colleague: Person, already: set[int]) -> None:
    if colleague.organization_id != round.organization_id:
        raise FeedForwardError(COLLEAGUE_NOT_FOUND, field="person")
    if colleague.pk == round.person_id:
        raise FeedForwardError("Invite colleagues: your own ideas you already have.")
    if colleague.pk in already:
        raise FeedForwardError(f"{colleague.full_name} is already invited to this round.")
    can_sign_in = (
        selectors.people_with_an_account(organization=round.organization_id)
        .filter(pk=colleague.pk)
        .exists()
    )
    if not can_sign_in:
        raise FeedForwardError(
            f"{colleague.full_name} can't sign in to peercoach yet, so they couldn't answer. "
            "Try someone else."
        )


def _draw(
    *, round: FeedForwardRound, count: int, excluding: set[int], seed: int | None
) -> list[Person]:
    if count == 0:
        return []
    rng = random.Random(seed)
    eligible = (
        selectors.eligible_for_random_draw(person=round.person).exclude(pk__in=excluding).order_by()
    )
    picked = _draw_by_probing(eligible, organization_id=round.organization_id, count=count, rng=rng)
    if picked is None:
        everyone = sorted(eligible.values_list("pk", flat=True))
        if len(everyone) < count:
            raise FeedForwardError(
                f"We can only draw {len(everyone)} more {_colleagues(len(everyone))} at random: "
                "people outside your own reporting line who can sign in. Ask for fewer, or "
                "choose colleagues by name.",
                field="random_count",
            )
        picked = rng.sample(everyone, count)
    people = Person.objects.in_organization(round.organization_id).in_bulk(picked)
    return [people[pk] for pk in picked]


def _draw_by_probing(
    eligible: QuerySet[Person], *, organization_id: int, count: int, rng: random.Random
) -> list[int] | None:
    """Draw by trying random ids across the organization's id range, keeping the eligible ones.

    Every eligible id is equally likely, as with listing everyone, but a draw from 100,000
    people reads a few dozen rows instead of all of them. Returns None when the range is small
    or the probes come back short; the caller then lists everyone eligible, which also gives an
    exact count for the "too few" message.
    """
    bounds = Person.objects.in_organization(organization_id).aggregate(
        low=Min("pk"), high=Max("pk")
    )
    low, high = bounds["low"], bounds["high"]
    if low is None or high - low < LIST_EVERYONE_BELOW:
        return None
    found: list[int] = []
    tried: set[int] = set()
    for _ in range(PROBE_ROUNDS):
        probes = dict.fromkeys(rng.randint(low, high) for _ in range(count * 4 + 16))
        candidates = [candidate for candidate in probes if candidate not in tried]
        tried.update(candidates)
        hits = set(eligible.filter(pk__in=candidates).values_list("pk", flat=True))
        found.extend(candidate for candidate in candidates if candidate in hits)
        if len(found) >= count:
            return found[:count]
    return None


def _colleagues(count: int) -> str:
    return "colleague" if count == 1 else "colleagues"


def _tell_invitee(invitation: FeedForwardInvitation) -> None:
    # Emails carry no topic and no suggestions: only that someone asked, and a link.
    asker = invitation.round.person.full_name
    inbox_message_send(
        recipient=invitation.invitee,
        kind=InboxKind.FEEDFORWARD_INVITED,
        subject=f"{asker} would welcome your ideas",
        body=(
            f"{asker} is working on getting better at something and asks a few colleagues for "
            "one or two ideas for the future. It takes a few minutes, and it's fine to say no: "
            "nobody is told."
        ),
        link=reverse("feedforward:invitation", args=[invitation.pk]),
    )


@transaction.atomic
def feedforward_answer(
    *,
    invitation: FeedForwardInvitation,
    by: Person,
    suggestions: Sequence[str],
    send_anyway: bool = False,
) -> FeedForwardInvitation:
    invitation = _lock_open_invitation(invitation=invitation, by=by)
    texts = [text.strip() for text in suggestions if text and text.strip()]
    if not texts:
        raise FeedForwardError("Write one idea for the future, or two if you have them.")
    if len(texts) > MAX_SUGGESTIONS_PER_INVITEE:
        raise FeedForwardError("One or two ideas, please: the fewer, the easier to try.")
    if any(len(text) > SUGGESTION_MAX_LENGTH for text in texts):
        raise FeedForwardError(
            f"Keep each idea to {SUGGESTION_MAX_LENGTH} characters: short ideas are easier to try."
        )
    looks_back = {
        position: phrases
        for position, text in enumerate(texts, start=1)
        if (phrases := past_focused_phrases(text))
    }
    if looks_back and not send_anyway:
        raise LooksBackError(looks_back)
    for position, text in enumerate(texts, start=1):
        FeedForwardSuggestion.objects.create(
            organization_id=invitation.organization_id,
            invitation=invitation,
            position=position,
            text=text,
            sent_despite_nudge=position in looks_back,
        )
    invitation.status = InvitationStatus.ANSWERED
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    round = invitation.round
    inbox_message_send(
        recipient=round.person,
        kind=InboxKind.FEEDFORWARD_ANSWERED,
        subject=f"{by.full_name} sent you ideas for the future",
        body="A colleague answered your FeedForward round. Their ideas are waiting for you.",
        link=reverse("feedforward:round", args=[round.pk]),
    )
    return invitation


@transaction.atomic
def feedforward_decline(*, invitation: FeedForwardInvitation, by: Person) -> FeedForwardInvitation:
    """Silent: nobody is told, and the receiver keeps seeing "waiting"."""
    invitation = _lock_open_invitation(invitation=invitation, by=by)
    invitation.status = InvitationStatus.DECLINED
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    return invitation


def _lock_open_invitation(
    *, invitation: FeedForwardInvitation, by: Person
) -> FeedForwardInvitation:
    locked = (
        FeedForwardInvitation.all_organizations.select_for_update()
        .select_related("round__person")
        .get(pk=invitation.pk)
    )
    if locked.invitee_id != by.pk:
        raise FeedForwardError("Only the colleague who was invited can answer.")
    if locked.status == InvitationStatus.ANSWERED:
        raise FeedForwardError("You've already sent your ideas. Thank you!")
    if locked.status == InvitationStatus.DECLINED:
        raise FeedForwardError("You've already said no to this one, and that's fine.")
    return locked


@transaction.atomic
def feedforward_mark_will_try(
    *, suggestion: FeedForwardSuggestion, by: Person, will_try: bool
) -> FeedForwardSuggestion:
    if suggestion.invitation.round.person_id != by.pk:
        raise FeedForwardError("Only the person who asked can mark the ideas they'll try.")
    FeedForwardSuggestion.all_organizations.filter(pk=suggestion.pk).update(will_try=will_try)
    suggestion.will_try = will_try
    return suggestion


@transaction.atomic
def feedforward_thank(*, invitation: FeedForwardInvitation, by: Person) -> FeedForwardInvitation:
    """The receiver's one reply: thanks, sent once, with no words of their own attached."""
    locked = (
        FeedForwardInvitation.all_organizations.select_for_update()
        .select_related("round__person", "invitee")
        .get(pk=invitation.pk)
    )
    if locked.round.person_id != by.pk:
        raise FeedForwardError("Only the person who asked can say thank you.")
    if locked.status != InvitationStatus.ANSWERED:
        raise FeedForwardError("You can thank a colleague once they've sent their ideas.")
    if locked.thanked_at is not None:
        raise FeedForwardError(f"You've already thanked {locked.invitee.full_name}.")
    locked.thanked_at = timezone.now()
    locked.save(update_fields=["thanked_at"])
    inbox_message_send(
        recipient=locked.invitee,
        kind=InboxKind.FEEDFORWARD_THANKED,
        subject=f"{by.full_name} says thank you",
        body=f"{by.full_name} read your ideas for the future and thanks you for them.",
        link=reverse("feedforward:invitation", args=[locked.pk]),
    )
    return locked
