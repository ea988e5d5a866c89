"""Session scripts as data: the steps a guided session walks through, and the order they come in.

A script is a flat list of steps. Each step belongs to a part: the `opening` (once, for everyone),
the `turn` (repeated once per member, each time with someone else as the client) or the `closing`.
The standard scripts live in `script_templates.json`, one per program format; a program manager's
edited copy is stored per program (`SessionScript`). Prompts may name the people in their current
role: `{client}`, `{coach}` and `{observer}` are replaced with first names.

Nothing here touches the database, so the timeline can be tested as plain data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.db import models

from peercoach.programs.models import ProgramFormat

TEMPLATES_FILE = Path(__file__).with_name("script_templates.json")

# Formats without their own script borrow another's: a rotation round is a pair meeting.
BORROWED_SCRIPTS = {ProgramFormat.ROTATION_ROUNDS: ProgramFormat.RECIPROCAL_PAIRS}

MAX_STEPS = 40
MAX_STEP_MINUTES = 120
MAX_TITLE_LENGTH = 80
MAX_PROMPT_LENGTH = 1000


class Part(models.TextChoices):
    OPENING = "opening", "Opening, once"
    TURN = "turn", "Each person's turn"
    CLOSING = "closing", "Closing, once"


class StepKind(models.TextChoices):
    REVIEW = "review", "Review of last time's actions"
    AGREEMENT = "agreement", "Agreement on confidentiality"
    CLIENT_TURN = "client_turn", "The client describes their issue"
    PROMPT = "prompt", "Questions for the coach to ask"
    OPTIONS = "options", "Options with pros and cons"
    ACTION_PLAN = "action_plan", "The client's action plan"
    OBSERVER_CHECKLIST = "observer_checklist", "What the observer noticed"
    FEEDFORWARD = "feedforward", "Ideas for the future (the client says thank you)"
    THANKS = "thanks", "Thanks and next time"


class Speaker(models.TextChoices):
    EVERYONE = "everyone", "Everyone"
    CLIENT = "client", "The client"
    COACH = "coach", "The coach"
    OBSERVER = "observer", "The observer"
    OTHERS = "others", "Everyone but the client"
    TIMEKEEPER = "timekeeper", "The timekeeper"


PART_ORDER = {Part.OPENING: 0, Part.TURN: 1, Part.CLOSING: 2}


class ScriptError(ValueError):
    """A script that cannot be run; the message says which step and why."""


@dataclass(frozen=True)
class Step:
    part: str
    kind: str
    title: str
    prompt: str
    minutes: int
    speaker: str

    @classmethod
    def from_data(cls, data: dict[str, Any], *, number: int = 0) -> Step:
        try:
            step = cls(
                part=str(data["part"]),
                kind=str(data["kind"]),
                title=str(data["title"]).strip(),
                prompt=str(data.get("prompt", "")).strip(),
                minutes=int(data.get("minutes", 0)),
                speaker=str(data.get("speaker", Speaker.EVERYONE)),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ScriptError(f"Step {number} is incomplete ({error}).") from error
        step.check(number)
        return step

    def check(self, number: int) -> None:
        if self.part not in Part.values:
            raise ScriptError(f"Step {number}: unknown part {self.part!r}.")
        if self.kind not in StepKind.values:
            raise ScriptError(f"Step {number}: unknown kind {self.kind!r}.")
        if self.speaker not in Speaker.values:
            raise ScriptError(f"Step {number}: unknown speaker {self.speaker!r}.")
        if not self.title or len(self.title) > MAX_TITLE_LENGTH:
            raise ScriptError(f"Step {number} needs a title of at most {MAX_TITLE_LENGTH} letters.")
        if len(self.prompt) > MAX_PROMPT_LENGTH:
            raise ScriptError(f"Step {number}: keep the prompt under {MAX_PROMPT_LENGTH} letters.")
        if not 0 <= self.minutes <= MAX_STEP_MINUTES:
            raise ScriptError(f"Step {number}: minutes must be between 0 and {MAX_STEP_MINUTES}.")

    def as_data(self) -> dict[str, Any]:
        return asdict(self)


def steps_from_data(data: Iterable[dict[str, Any]]) -> list[Step]:
    """Parse and check a whole script; steps come back in running order (opening, turn, closing)."""
    steps = [Step.from_data(item, number=number) for number, item in enumerate(data, start=1)]
    if not steps:
        raise ScriptError("A script needs at least one step.")
    if len(steps) > MAX_STEPS:
        raise ScriptError(f"Keep a script to {MAX_STEPS} steps at most.")
    if not any(step.part == Part.TURN for step in steps):
        raise ScriptError("A script needs at least one step in each person's turn.")
    return sorted(steps, key=lambda step: PART_ORDER[Part(step.part)])


@cache
def _templates() -> dict[str, list[dict[str, Any]]]:
    loaded: dict[str, list[dict[str, Any]]] = json.loads(TEMPLATES_FILE.read_text("utf-8"))
    return loaded


def template_steps(program_format: str) -> list[Step]:
    """The standard script for a program format."""
    name = BORROWED_SCRIPTS.get(ProgramFormat(program_format), program_format)
    return steps_from_data(_templates()[name])


@dataclass(frozen=True)
class Slot:
    """One stop on a session's timeline: a step, and whose turn it is (None outside turns)."""

    position: int
    step: Step
    turn: int | None


def timeline(steps: Sequence[Step], *, turns: int) -> list[Slot]:
    """Every stop of a session in order: opening steps, each turn's steps, closing steps."""
    ordered = sorted(steps, key=lambda step: PART_ORDER[Part(step.part)])
    opening = [s for s in ordered if s.part == Part.OPENING]
    turn_steps = [s for s in ordered if s.part == Part.TURN]
    closing = [s for s in ordered if s.part == Part.CLOSING]
    stops: list[tuple[Step, int | None]] = [(s, None) for s in opening]
    for turn in range(turns):
        stops.extend((s, turn) for s in turn_steps)
    stops.extend((s, None) for s in closing)
    return [Slot(position=i, step=step, turn=turn) for i, (step, turn) in enumerate(stops)]


def turn_minutes(steps: Sequence[Step]) -> int:
    """How long one person's turn is meant to take."""
    return sum(step.minutes for step in steps if step.part == Part.TURN)


@dataclass(frozen=True)
class Roles:
    """Who is who during one turn. `coaches` are everyone helping the client."""

    client: int
    coach: int | None
    observer: int | None
    coaches: tuple[int, ...]


def roles_for_turn(member_ids: Sequence[int], turn: int, *, with_observer: bool) -> Roles:
    """Roles rotate: turn t's client is member t, their coach the next member, the observer the
    one after. In groups of four or more everyone else coaches together, and nobody observes."""
    count = len(member_ids)
    client = member_ids[turn % count]
    others = tuple(member_ids[(turn + offset) % count] for offset in range(1, count))
    if count == 2:
        return Roles(client=client, coach=others[0], observer=None, coaches=others)
    if count == 3 and with_observer:
        return Roles(client=client, coach=others[0], observer=others[1], coaches=others[:1])
    return Roles(client=client, coach=None, observer=None, coaches=others)


def fill_prompt(prompt: str, names: dict[str, str]) -> str:
    """Put first names in place of `{client}`, `{coach}` and `{observer}`; gaps read plainly."""
    fallbacks = {"client": "the client", "coach": "the coach", "observer": "the observer"}
    for role, fallback in fallbacks.items():
        prompt = prompt.replace("{" + role + "}", names.get(role) or fallback)
    return prompt
