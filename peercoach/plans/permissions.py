"""Who may read and change plans and notes: one gate, used by pages, the API and the runner.

The owner reads and changes their own. Members of the same pairing read (never change) what the
owner explicitly shared with it, while they are still in it. Nobody else reads anything: not
program managers, sponsors, organization admins or superusers, whose roles give them no way in.
"""

from __future__ import annotations

from django.db.models import Q

from peercoach.people.models import Person
from peercoach.plans.models import ActionPlan, Note
from peercoach.programs.pairing_models import MemberResponse, Pairing, PairingMember


def current_member_filter() -> Q:
    """Members still in a pairing: not declined, not left."""
    return Q(left_at__isnull=True) & ~Q(response=MemberResponse.DECLINED)


def is_pairing_member(*, pairing: Pairing | int, person: Person) -> bool:
    pairing_id = pairing if isinstance(pairing, int) else pairing.pk
    return (
        PairingMember.objects.in_organization(person.organization_id)
        .filter(current_member_filter(), pairing_id=pairing_id, person=person)
        .exists()
    )


def can_read(item: ActionPlan | Note, viewer: Person | None) -> bool:
    if viewer is None or viewer.organization_id != item.organization_id:
        return False
    if item.owner_id == viewer.pk:
        return True
    return item.shared_with_pairing and is_pairing_member(pairing=item.pairing_id, person=viewer)


def can_change(item: ActionPlan | Note, viewer: Person | None) -> bool:
    return viewer is not None and item.owner_id == viewer.pk
