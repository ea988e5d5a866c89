"""Reading a guided session, always as one member sees it.

What members wrote during the session is opened here and only here, and only for members: the
options of a turn for everyone in the session, the observer's notes for that turn's coach and
observer. Everyone else never reaches these functions (the views 404 first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from peercoach.meetings.models import CoachingSession
from peercoach.people.models import Person
from peercoach.plans.selectors import OwnerReview, actions_to_review
from peercoach.runner import scripts
from peercoach.runner.models import ObserverNote, SessionOption, SessionRun
from peercoach.runner.scripts import Roles, Slot, Speaker, StepKind
from peercoach.runner.services import run_slots


def run_for_session(session: CoachingSession) -> SessionRun | None:
    return (
        SessionRun.objects.in_organization(session.organization_id).filter(session=session).first()
    )


def first_name(person: Person) -> str:
    return person.full_name.split()[0] if person.full_name.strip() else person.full_name


@dataclass(frozen=True)
class OptionView:
    text: str
    pros: str
    cons: str
    added_by: str


@dataclass(frozen=True)
class NoteView:
    text: str
    observer: str


@dataclass(frozen=True)
class ReviewAction:
    id: str
    text: str
    due_on: date | None
    outcome: str  # "" until the owner says, or "going" while it stays open


@dataclass(frozen=True)
class ReviewPlan:
    goal: str
    actions: list[ReviewAction]


@dataclass(frozen=True)
class ReviewGroup:
    owner_name: str
    is_viewer: bool
    plans: list[ReviewPlan]


@dataclass(frozen=True)
class MemberTick:
    name: str
    is_viewer: bool
    agreed: bool


@dataclass
class RunView:
    """Everything the live page shows one member at this moment."""

    run: SessionRun
    viewer: Person
    slot: Slot
    prompt: str
    step_count: int
    turn_count: int
    names: dict[int, str]
    roles: Roles | None
    my_role: str | None
    step_ends_at: datetime
    turn_ends_at: datetime | None
    now: datetime
    outline: list[tuple[int, str, bool]]
    ticks: list[MemberTick] = field(default_factory=list)
    options: list[OptionView] = field(default_factory=list)
    notes: list[NoteView] = field(default_factory=list)
    review: list[ReviewGroup] = field(default_factory=list)

    @property
    def step(self) -> scripts.Step:
        return self.slot.step

    @property
    def is_first(self) -> bool:
        return self.slot.position == 0

    @property
    def is_last(self) -> bool:
        return self.slot.position == self.step_count - 1

    @property
    def turn_number(self) -> int | None:
        return None if self.slot.turn is None else self.slot.turn + 1

    @property
    def client_name(self) -> str:
        return self.names[self.roles.client] if self.roles else ""

    @property
    def coach_name(self) -> str:
        return self.names[self.roles.coach] if self.roles and self.roles.coach else ""

    @property
    def observer_name(self) -> str:
        return self.names[self.roles.observer] if self.roles and self.roles.observer else ""

    @property
    def coaches_names(self) -> list[str]:
        return [self.names[pk] for pk in self.roles.coaches] if self.roles else []

    @property
    def is_client(self) -> bool:
        return self.my_role == "client"

    @property
    def is_observer(self) -> bool:
        return self.my_role == "observer"

    @property
    def i_agreed(self) -> bool:
        return self.viewer.pk in self.run.agreed_ids

    @property
    def everyone_agreed(self) -> bool:
        return all(pk in self.run.agreed_ids for pk in self.run.member_ids)

    @property
    def plan_saved(self) -> bool:
        return self.slot.turn is not None and self.slot.turn in self.run.planned_turns

    @property
    def timekeeper_name(self) -> str:
        keeper = self.run.timekeeper_id
        return self.names.get(keeper, "") if keeper else ""

    @property
    def i_keep_time(self) -> bool:
        return self.run.timekeeper_id == self.viewer.pk

    @property
    def is_group(self) -> bool:
        return len(self.run.member_ids) > 3 or (
            len(self.run.member_ids) == 3 and not self.run.with_observer
        )

    @property
    def speaker_label(self) -> str:
        speaker = self.step.speaker
        if speaker == Speaker.CLIENT and self.roles:
            return "you" if self.is_client else self.client_name
        if speaker == Speaker.COACH and self.roles and self.roles.coach:
            return "you" if self.my_role == "coach" else self.coach_name
        if speaker == Speaker.OBSERVER and self.roles and self.roles.observer:
            return "you" if self.is_observer else self.observer_name
        if speaker == Speaker.TIMEKEEPER and self.timekeeper_name:
            return "you" if self.i_keep_time else self.timekeeper_name
        return Speaker(speaker).label.lower()

    @property
    def shows_options(self) -> bool:
        return self.step.kind in (StepKind.OPTIONS, StepKind.ACTION_PLAN)

    @property
    def shows_checklist(self) -> bool:
        return self.is_observer or (
            self.step.kind == StepKind.OBSERVER_CHECKLIST and self.my_role == "coach"
        )


def _names(run: SessionRun) -> dict[int, str]:
    people = Person.objects.in_organization(run.organization_id).filter(pk__in=run.member_ids)
    names = {person.pk: first_name(person) for person in people}
    # Someone removed from the directory mid-session still has a place in the rotation.
    return {pk: names.get(pk, "Someone") for pk in run.member_ids}


def _my_role(roles: Roles | None, viewer: Person) -> str | None:
    if roles is None:
        return None
    if roles.client == viewer.pk:
        return "client"
    if roles.coach == viewer.pk:
        return "coach"
    if roles.observer == viewer.pk:
        return "observer"
    return "group"


def run_view(*, run: SessionRun, viewer: Person) -> RunView:
    """The live page's content for `viewer`, who must be one of the session's members."""
    assert viewer.pk in run.member_ids, "views look the session up among the viewer's own"
    slots = run_slots(run)
    slot = slots[min(run.position, len(slots) - 1)]
    roles = (
        None
        if slot.turn is None
        else scripts.roles_for_turn(run.member_ids, slot.turn, with_observer=run.with_observer)
    )
    names = _names(run)
    role_names = {
        "client": names[roles.client] if roles else "",
        "coach": names[roles.coach] if roles and roles.coach else "",
        "observer": names[roles.observer] if roles and roles.observer else "",
    }
    steps = scripts.steps_from_data(run.steps)
    view = RunView(
        run=run,
        viewer=viewer,
        slot=slot,
        prompt=scripts.fill_prompt(slot.step.prompt, role_names),
        step_count=len(slots),
        turn_count=len(run.member_ids),
        names=names,
        roles=roles,
        my_role=_my_role(roles, viewer),
        step_ends_at=run.step_started_at + timedelta(minutes=slot.step.minutes),
        turn_ends_at=(
            run.turn_started_at + timedelta(minutes=scripts.turn_minutes(steps))
            if slot.turn is not None
            else None
        ),
        now=timezone.now(),
        outline=[(s.position, s.step.title, s.position == slot.position) for s in slots],
    )
    if slot.step.kind == StepKind.AGREEMENT:
        view.ticks = [
            MemberTick(name=names[pk], is_viewer=pk == viewer.pk, agreed=pk in run.agreed_ids)
            for pk in run.member_ids
        ]
    if slot.step.kind == StepKind.REVIEW:
        view.review = review_groups(run=run, viewer=viewer)
    if slot.turn is not None and view.shows_options:
        view.options = options_of_turn(run=run, turn=slot.turn, names=names)
    if slot.turn is not None and view.my_role in ("coach", "observer") and run.with_observer:
        view.notes = observer_notes_for(run=run, turn=slot.turn, viewer=viewer, names=names)
    return view


def review_groups(*, run: SessionRun, viewer: Person) -> list[ReviewGroup]:
    """Open actions from earlier sessions the viewer may see (their own, and shared plans)."""
    owners: list[OwnerReview] = actions_to_review(session=run.session, viewer=viewer)
    return [
        ReviewGroup(
            owner_name=owner.owner.full_name,
            is_viewer=owner.is_viewer,
            plans=[
                ReviewPlan(
                    goal=review.plan.goal,
                    actions=[
                        ReviewAction(
                            id=str(action.pk),
                            text=action.text,
                            due_on=action.due_on,
                            outcome=run.reviewed.get(str(action.pk), ""),
                        )
                        for action in review.open_actions
                    ],
                )
                for review in owner.plans
            ],
        )
        for owner in owners
    ]


def options_of_turn(*, run: SessionRun, turn: int, names: dict[int, str]) -> list[OptionView]:
    options = SessionOption.objects.in_organization(run.organization_id).filter(run=run, turn=turn)
    return [
        OptionView(
            text=option.text,
            pros=option.pros,
            cons=option.cons,
            added_by=names.get(option.added_by_id, ""),
        )
        for option in options
    ]


def observer_notes_for(
    *, run: SessionRun, turn: int, viewer: Person, names: dict[int, str]
) -> list[NoteView]:
    """The observer's notes of one turn, for that turn's coach and observer only."""
    notes = ObserverNote.objects.in_organization(run.organization_id).filter(
        Q(coach=viewer) | Q(observer=viewer), run=run, turn=turn
    )
    return [NoteView(text=note.text, observer=names.get(note.observer_id, "")) for note in notes]
