"""Action plans and notes in the JSON API: the caller's own, and what their pairing shared.

Participants only. Program managers, sponsors and organization admins get 403 here, whatever
else they may do: these words belong to the people who wrote them.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from peercoach.organizations.models import Membership, Role
from peercoach.people.models import Person
from peercoach.plans import selectors, services
from peercoach.plans.models import Action, ActionPlan, ActionStatus, CheckIn, Note
from peercoach.plans.services import ActionDraft, PlanError
from peercoach.programs.pairing_selectors import pairing_for_member

router = Router(tags=["action plans and notes"])


class CheckInOut(Schema):
    id: UUID
    text: str
    created_at: datetime


class ActionOut(Schema):
    id: UUID
    text: str
    due_on: date | None
    status: str
    check_ins: list[CheckInOut]

    @staticmethod
    def resolve_check_ins(action: Action) -> list[CheckIn]:
        return list(action.check_ins.all())


class PlanOut(Schema):
    id: UUID
    owner_person_id: int
    pairing_id: int
    session_id: int | None
    goal: str
    status: str
    shared_with_pairing: bool
    created_at: datetime
    updated_at: datetime
    actions: list[ActionOut]

    @staticmethod
    def resolve_owner_person_id(plan: ActionPlan) -> int:
        return plan.owner_id

    @staticmethod
    def resolve_actions(plan: ActionPlan) -> list[Action]:
        return list(plan.actions.all())


class ActionIn(Schema):
    text: str = ""
    due_on: date | None = None


class PlanIn(Schema):
    pairing_id: int | None = None
    goal: str = ""
    actions: list[ActionIn] = []
    shared_with_pairing: bool = False


class ShareIn(Schema):
    shared: bool = False


class StatusIn(Schema):
    status: ActionStatus | None = None


class CheckInIn(Schema):
    text: str = ""


class NoteOut(Schema):
    id: UUID
    owner_person_id: int
    pairing_id: int
    session_id: int | None
    body: str
    shared_with_pairing: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_owner_person_id(note: Note) -> int:
        return note.owner_id


class NoteIn(Schema):
    pairing_id: int | None = None
    body: str = ""
    shared_with_pairing: bool = False


def _participant(request: HttpRequest) -> Person:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    person = membership.person
    if person is None or not membership.has_any_role(Role.PARTICIPANT):
        raise HttpError(403, "Plans and notes belong to participants, and only to them.")
    return person


def _refused(error: PlanError) -> HttpError:
    return HttpError(400 if error.field else 409, error.message)


def _pairing(person: Person, pairing_id: int | None) -> int:
    if pairing_id is None:
        raise HttpError(400, "Say which pairing this is for (pairing_id).")
    return pairing_for_member(person=person, pairing_id=pairing_id).pk


@router.get("/me/action-plans", response=list[PlanOut], summary="My action plans")
def plans_mine(request: HttpRequest) -> list[ActionPlan]:
    return selectors.plans_mine(owner=_participant(request))


@router.post("/me/action-plans", response={201: PlanOut}, summary="Start an action plan")
def plan_create(request: HttpRequest, payload: PlanIn) -> Status[ActionPlan]:
    person = _participant(request)
    pairing = pairing_for_member(person=person, pairing_id=_pairing(person, payload.pairing_id))
    try:
        plan = services.action_plan_start(
            owner=person,
            pairing=pairing,
            goal=payload.goal,
            actions=[ActionDraft(a.text, a.due_on) for a in payload.actions],
            shared_with_pairing=payload.shared_with_pairing,
        )
    except PlanError as error:
        raise _refused(error) from error
    return Status(201, selectors.plan_for_viewer(viewer=person, plan_id=plan.pk))


@router.get("/action-plans/{plan_id}", response=PlanOut, summary="A plan I own or was shown")
def plan_detail(request: HttpRequest, plan_id: UUID) -> ActionPlan:
    return selectors.plan_for_viewer(viewer=_participant(request), plan_id=plan_id)


@router.post("/action-plans/{plan_id}/actions", response={201: ActionOut}, summary="Add an action")
def action_add(request: HttpRequest, plan_id: UUID, payload: ActionIn) -> Status[Action]:
    person = _participant(request)
    plan = selectors.plan_for_viewer(viewer=person, plan_id=plan_id)
    try:
        action = services.action_add(
            plan=plan, by=person, draft=ActionDraft(payload.text, payload.due_on)
        )
    except PlanError as error:
        raise _refused(error) from error
    return Status(201, action)


@router.post("/action-plans/{plan_id}/share", response=PlanOut, summary="Share or unshare")
def plan_share(request: HttpRequest, plan_id: UUID, payload: ShareIn) -> ActionPlan:
    person = _participant(request)
    plan = selectors.plan_for_viewer(viewer=person, plan_id=plan_id)
    try:
        services.action_plan_share(plan=plan, by=person, shared=payload.shared)
    except PlanError as error:
        raise _refused(error) from error
    return selectors.plan_for_viewer(viewer=person, plan_id=plan_id)


@router.post("/actions/{action_id}/status", response=ActionOut, summary="Done, dropped or to do")
def action_status(request: HttpRequest, action_id: UUID, payload: StatusIn) -> Action:
    person = _participant(request)
    action = selectors.action_for_viewer(viewer=person, action_id=action_id)
    if payload.status is None:
        raise HttpError(400, "Say the new status: open, done or dropped.")
    try:
        return services.action_set_status(action=action, by=person, status=payload.status)
    except PlanError as error:
        raise _refused(error) from error


@router.post("/actions/{action_id}/check-ins", response={201: CheckInOut}, summary="Add a check-in")
def check_in_add(request: HttpRequest, action_id: UUID, payload: CheckInIn) -> Status[CheckIn]:
    person = _participant(request)
    action = selectors.action_for_viewer(viewer=person, action_id=action_id)
    try:
        return Status(201, services.check_in_add(action=action, by=person, text=payload.text))
    except PlanError as error:
        raise _refused(error) from error


@router.get("/me/notes", response=list[NoteOut], summary="My notes")
def notes_mine(request: HttpRequest) -> list[Note]:
    return list(selectors.notes_mine(owner=_participant(request)))


@router.post("/me/notes", response={201: NoteOut}, summary="Write a note")
def note_create(request: HttpRequest, payload: NoteIn) -> Status[Note]:
    person = _participant(request)
    pairing = pairing_for_member(person=person, pairing_id=_pairing(person, payload.pairing_id))
    try:
        note = services.note_create(
            owner=person,
            pairing=pairing,
            body=payload.body,
            shared_with_pairing=payload.shared_with_pairing,
        )
    except PlanError as error:
        raise _refused(error) from error
    return Status(201, note)


@router.get("/notes/{note_id}", response=NoteOut, summary="A note I wrote or was shown")
def note_detail(request: HttpRequest, note_id: UUID) -> Note:
    return selectors.note_for_viewer(viewer=_participant(request), note_id=note_id)


@router.delete("/notes/{note_id}", response={204: None}, summary="Delete one of my notes")
def note_delete(request: HttpRequest, note_id: UUID) -> Status[None]:
    person = _participant(request)
    note = selectors.note_for_viewer(viewer=person, note_id=note_id)
    try:
        services.note_delete(note=note, by=person)
    except PlanError as error:
        raise _refused(error) from error
    return Status(204, None)
