"""Sample objects for the authorization policy table: pia's own plan, action and note.

pia may open them; every other role must get 403 (no participant role) or 404 (another
organization). Planted with plain words, never a marker: the confidentiality test plants its own.
"""

from __future__ import annotations

from typing import Any

from peercoach.plans.models import ActionPlan, Note
from peercoach.plans.services import ActionDraft, action_plan_start, note_create
from peercoach.testing.coaching import active_pairing
from peercoach.testing.factories import ProgramFactory


def _pairing_of_pia(personas: Any) -> Any:
    program: Any = ProgramFactory(organization=personas.acme)
    return active_pairing(program, [personas.pia_person, personas.colleague])


def plan_of_pia(personas: Any) -> ActionPlan:
    return action_plan_start(
        owner=personas.pia_person,
        pairing=_pairing_of_pia(personas),
        goal="Speak up earlier in planning meetings",
        actions=[ActionDraft("Bring one question to Monday's meeting")],
    )


def action_of_pia(personas: Any) -> str:
    return str(plan_of_pia(personas).actions.get().pk)


def note_of_pia(personas: Any) -> Note:
    return note_create(
        owner=personas.pia_person, pairing=_pairing_of_pia(personas), body="Ask about the budget"
    )
