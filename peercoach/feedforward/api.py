"""FeedForward in the JSON API, from the caller's point of view only.

The receiver's only writes are "will try" (a yes/no) and thanks (no body text): no operation here
accepts free text from the person who asked. Colleagues are named by person id within the
caller's organization; an id from another organization reads exactly like an unknown one.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from peercoach.feedforward import selectors, services
from peercoach.feedforward.models import (
    MAX_INVITEES_PER_ROUND,
    FeedForwardInvitation,
    FeedForwardRound,
    FeedForwardSuggestion,
)
from peercoach.feedforward.services import FeedForwardError, LooksBackError
from peercoach.organizations.models import Membership, Role
from peercoach.people.models import Person

router = Router(tags=["feedforward"])


class ColleagueOut(Schema):
    id: int
    full_name: str
    job_title: str
    department: str


class SuggestionOut(Schema):
    id: int
    text: str
    will_try: bool


class AuthorOut(Schema):
    invitation_id: int
    author: str
    thanked: bool
    suggestions: list[SuggestionOut]


class RoundOut(Schema):
    id: int
    topic: str
    created_at: datetime
    invited: list[str]
    waiting_count: int
    answered: list[AuthorOut]


class RoundSummaryOut(Schema):
    id: int
    topic: str
    created_at: datetime


class RoundIn(Schema):
    topic: str = Field("", description="The one thing you'd like to get better at.")
    person_ids: list[int] = []
    random_count: int = Field(0, ge=0, le=MAX_INVITEES_PER_ROUND)


class InviteIn(Schema):
    person_ids: list[int] = []
    random_count: int = Field(0, ge=0, le=MAX_INVITEES_PER_ROUND)


class ThanksIn(Schema):
    invitation_id: int | None = None


class WillTryIn(Schema):
    will_try: bool | None = None


class InvitationOut(Schema):
    id: int
    asked_by: str
    topic: str
    status: str
    thanked: bool
    my_suggestions: list[str]


class AnswerIn(Schema):
    suggestions: list[str] = Field([], description="One or two ideas for the future.")
    send_anyway: bool = Field(
        False, description="Send even if an idea looks back at the past (you were asked once)."
    )


def _member(request: HttpRequest) -> Membership:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    return membership


def _participant(request: HttpRequest) -> Person:
    membership = _member(request)
    if membership.person is None or not membership.has_any_role(Role.PARTICIPANT):
        raise HttpError(403, "FeedForward needs a link to your entry in the directory.")
    return membership.person


def _refused(error: FeedForwardError) -> HttpError:
    # Unknown colleagues answer 400, like bad input: never a 404 that would tell another
    # organization's people apart from people who don't exist.
    return HttpError(400, error.message)


def _round_out(round: FeedForwardRound) -> RoundOut:
    view = selectors.round_view(round)
    return RoundOut(
        id=round.pk,
        topic=round.topic,
        created_at=round.created_at,
        invited=[person.full_name for person in view.invited],
        waiting_count=view.waiting_count,
        answered=[
            AuthorOut(
                invitation_id=item.invitation.pk,
                author=item.author.full_name,
                thanked=item.thanked,
                suggestions=[
                    SuggestionOut(id=s.pk, text=s.text, will_try=s.will_try)
                    for s in item.suggestions
                ],
            )
            for item in view.answered
        ],
    )


def _invitation_out(invitation: FeedForwardInvitation) -> InvitationOut:
    return InvitationOut(
        id=invitation.pk,
        asked_by=invitation.round.person.full_name,
        topic=invitation.round.topic,
        status=invitation.status,
        thanked=invitation.thanked_at is not None,
        my_suggestions=[s.text for s in invitation.suggestions.all()],
    )


def _colleagues(person: Person, person_ids: list[int]) -> list[Person]:
    return [
        services.colleague_find(organization_id=person.organization_id, person_id=person_id)
        for person_id in person_ids
    ]


@router.get("/feedforward/rounds", response=list[RoundSummaryOut], summary="My FeedForward rounds")
def rounds_list(request: HttpRequest) -> list[FeedForwardRound]:
    person = _member(request).person
    return list(selectors.rounds_mine(person=person)[:200]) if person else []


@router.post(
    "/feedforward/rounds", response={201: RoundOut}, summary="Start a round and invite colleagues"
)
def round_start(request: HttpRequest, payload: RoundIn) -> Status[RoundOut]:
    person = _participant(request)
    try:
        round = services.feedforward_round_start(
            person=person,
            topic=payload.topic,
            chosen=_colleagues(person, payload.person_ids),
            random_count=payload.random_count,
        )
    except FeedForwardError as error:
        raise _refused(error) from error
    return Status(201, _round_out(round))


@router.get(
    "/feedforward/rounds/{feedforward_round_id}", response=RoundOut, summary="One of my rounds"
)
def round_detail(request: HttpRequest, feedforward_round_id: int) -> RoundOut:
    person = _participant(request)
    return _round_out(selectors.round_for_owner(person=person, round_id=feedforward_round_id))


@router.post(
    "/feedforward/rounds/{feedforward_round_id}/invitations",
    response=RoundOut,
    summary="Invite more colleagues, chosen or drawn at random",
)
def round_invite(request: HttpRequest, feedforward_round_id: int, payload: InviteIn) -> RoundOut:
    person = _participant(request)
    round = selectors.round_for_owner(person=person, round_id=feedforward_round_id)
    try:
        services.feedforward_invite(
            round=round,
            chosen=_colleagues(person, payload.person_ids),
            random_count=payload.random_count,
        )
    except FeedForwardError as error:
        raise _refused(error) from error
    return _round_out(round)


@router.post(
    "/feedforward/rounds/{feedforward_round_id}/thanks",
    response=RoundOut,
    summary="Say thank you to a colleague for their ideas (the only reply there is)",
)
def round_thank(request: HttpRequest, feedforward_round_id: int, payload: ThanksIn) -> RoundOut:
    person = _participant(request)
    round = selectors.round_for_owner(person=person, round_id=feedforward_round_id)
    if payload.invitation_id is None:
        raise HttpError(400, "Say which colleague to thank (invitation_id).")
    invitation = round.invitations.filter(pk=payload.invitation_id).first()
    if invitation is None:
        raise HttpError(404, "Not Found")
    try:
        services.feedforward_thank(invitation=invitation, by=person)
    except FeedForwardError as error:
        raise HttpError(409, error.message) from error
    return _round_out(round)


@router.post(
    "/feedforward/suggestions/{feedforward_suggestion_id}/will-try",
    response=SuggestionOut,
    summary="Mark an idea I'll try, or unmark it",
)
def suggestion_will_try(
    request: HttpRequest, feedforward_suggestion_id: int, payload: WillTryIn
) -> FeedForwardSuggestion:
    person = _participant(request)
    suggestion = selectors.suggestion_for_owner(
        person=person, suggestion_id=feedforward_suggestion_id
    )
    if payload.will_try is None:
        raise HttpError(400, "Say whether you'll try it (will_try: true or false).")
    return services.feedforward_mark_will_try(
        suggestion=suggestion, by=person, will_try=payload.will_try
    )


@router.get(
    "/feedforward/invitations",
    response=list[InvitationOut],
    summary="Colleagues' rounds I'm invited to",
)
def invitations_list(request: HttpRequest) -> list[InvitationOut]:
    person = _member(request).person
    if person is None:
        return []
    invitations = selectors.invitations_to_me(person=person).prefetch_related("suggestions")
    return [_invitation_out(invitation) for invitation in invitations[:200]]


@router.get(
    "/feedforward/invitations/{feedforward_invitation_id}",
    response=InvitationOut,
    summary="One invitation to me",
)
def invitation_detail(request: HttpRequest, feedforward_invitation_id: int) -> InvitationOut:
    person = _participant(request)
    return _invitation_out(
        selectors.invitation_for_invitee(person=person, invitation_id=feedforward_invitation_id)
    )


@router.post(
    "/feedforward/invitations/{feedforward_invitation_id}/answer",
    response=InvitationOut,
    summary="Send one or two ideas for the future",
    description="An idea that looks back at the past is refused once with 422 and the phrases "
    "found; send again with send_anyway=true to keep it as written.",
)
def invitation_answer(
    request: HttpRequest, feedforward_invitation_id: int, payload: AnswerIn
) -> InvitationOut:
    person = _participant(request)
    invitation = selectors.invitation_for_invitee(
        person=person, invitation_id=feedforward_invitation_id
    )
    try:
        services.feedforward_answer(
            invitation=invitation,
            by=person,
            suggestions=payload.suggestions,
            send_anyway=payload.send_anyway,
        )
    except LooksBackError as nudge:
        raise HttpError(
            422, f"{nudge.message} Looking back: {_phrases(nudge.phrases_by_position)}"
        ) from nudge
    except FeedForwardError as error:
        raise HttpError(409, error.message) from error
    return _invitation_out(
        selectors.invitation_for_invitee(person=person, invitation_id=invitation.pk)
    )


def _phrases(phrases_by_position: dict[int, list[str]]) -> str:
    return "; ".join(
        f"idea {position}: " + ", ".join(f"“{phrase}”" for phrase in phrases)
        for position, phrases in sorted(phrases_by_position.items())
    )


@router.post(
    "/feedforward/invitations/{feedforward_invitation_id}/decline",
    response=InvitationOut,
    summary="Say no, silently: nobody is told",
)
def invitation_decline(request: HttpRequest, feedforward_invitation_id: int) -> InvitationOut:
    person = _participant(request)
    invitation = selectors.invitation_for_invitee(
        person=person, invitation_id=feedforward_invitation_id
    )
    try:
        services.feedforward_decline(invitation=invitation, by=person)
    except FeedForwardError as error:
        raise HttpError(409, error.message) from error
    return _invitation_out(
        selectors.invitation_for_invitee(person=person, invitation_id=invitation.pk)
    )


@router.get(
    "/feedforward/colleagues",
    response=list[ColleagueOut],
    summary="Find colleagues to invite, by name (at least two letters; ten at most)",
)
def colleague_search(request: HttpRequest, q: str = "") -> list[Person]:
    person = _participant(request)
    return selectors.colleague_search(person=person, text=q[:100])
