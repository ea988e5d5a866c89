"""The authorization policy: who may open each page and call each API operation.

This table is the specification; `test_authorization.py` requests every URL pattern and every API
operation as every role and compares the answers with it. A URL or operation missing here fails
the suite, so every new view is covered the day it is added.

Roles are Acme's personas (see conftest.py) plus OTHER_ORGANIZATION: Globex's admin, who is also
a program manager and participant there. When a URL names one of Acme's objects, the other
organization must get 404, exactly like a missing object. When it names none, Globex's admin is
simply a member of their own organization and is judged by their roles there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ANONYMOUS = "anonymous"
PARTICIPANT = "participant"
PROGRAM_MANAGER = "program_manager"
SPONSOR = "sponsor"
ORGANIZATION_ADMIN = "organization_admin"
OTHER_ORGANIZATION = "other_organization"

ROLES = (ANONYMOUS, PARTICIPANT, PROGRAM_MANAGER, SPONSOR, ORGANIZATION_ADMIN, OTHER_ORGANIZATION)
MEMBER_ROLES = frozenset({PARTICIPANT, PROGRAM_MANAGER, SPONSOR, ORGANIZATION_ADMIN})
PEOPLE_ADMINS = frozenset({PROGRAM_MANAGER, ORGANIZATION_ADMIN})
# Globex's admin holds these roles in Globex.
OTHER_ORGANIZATION_ROLES = frozenset({PARTICIPANT, PROGRAM_MANAGER, ORGANIZATION_ADMIN})


@dataclass(frozen=True)
class Rule:
    """`allowed`: the roles that may use it. `public`: anyone, signed in or not.

    `methods`: HTTP methods to try (a POST is sent with an empty body: the allowed roles must get
    a form error or a redirect, never 401/403/404/500). `kwargs`: names of URL parameters, built
    from SAMPLE_OBJECTS; `names_object` says whether those parameters identify one of Acme's
    objects (then another organization gets 404).
    """

    allowed: frozenset[str] = frozenset()
    public: bool = False
    methods: tuple[str, ...] = ("GET",)
    names_object: bool = True
    superuser_only: bool = False
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def members(*roles: str) -> Rule:
    return Rule(allowed=frozenset(roles) if roles else MEMBER_ROLES)


PUBLIC = Rule(public=True)
PUBLIC_POST = Rule(public=True, methods=("GET", "POST"))
SIGNED_IN = Rule(allowed=MEMBER_ROLES, names_object=False)

# URL name (or route, for unnamed patterns) -> rule. Routes under ADMIN_PREFIX are superuser-only.
ADMIN_PREFIX = "django-admin/"

URL_POLICY: dict[str, Rule] = {
    "core:home": members(),
    "core:health": PUBLIC,
    # Accounts (allauth). Sign-up is closed: the page explains that people join by invitation.
    "account_login": PUBLIC_POST,
    "account_logout": PUBLIC_POST,
    "account_inactive": PUBLIC,
    "account_signup": PUBLIC_POST,
    "account_reauthenticate": SIGNED_IN,
    "account_email": SIGNED_IN,
    "account_email_verification_sent": PUBLIC,
    "account_change_password": SIGNED_IN,
    "account_set_password": SIGNED_IN,
    "account_reset_password": PUBLIC_POST,
    "account_confirm_login_code": PUBLIC,
    "account_confirm_email": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_done": PUBLIC,
    # Invitation links are public: the token in the URL is the credential (unknown ones get 404).
    "invitation_accept": PUBLIC_POST,
    # Organization administration.
    "organizations:members": members(ORGANIZATION_ADMIN),
    "organizations:member_roles": Rule(allowed=frozenset({ORGANIZATION_ADMIN}), methods=("POST",)),
    "organizations:member_active": Rule(allowed=frozenset({ORGANIZATION_ADMIN}), methods=("POST",)),
    "organizations:invitation_create": Rule(
        allowed=frozenset({ORGANIZATION_ADMIN}), methods=("POST",), names_object=False
    ),
    "organizations:invitation_create_for_department": Rule(
        allowed=frozenset({ORGANIZATION_ADMIN}), methods=("POST",), names_object=False
    ),
    "organizations:invitation_revoke": Rule(
        allowed=frozenset({ORGANIZATION_ADMIN}), methods=("POST",)
    ),
    # People directory.
    "people:directory": members(),
    "people:person": members(),
    "people:import_list": members(*PEOPLE_ADMINS),
    "people:import_upload": Rule(
        allowed=PEOPLE_ADMINS, methods=("GET", "POST"), names_object=False
    ),
    "people:import_detail": members(*PEOPLE_ADMINS),
    "people:import_confirm": Rule(allowed=PEOPLE_ADMINS, methods=("POST",)),
    # Programs: everyone sees them (drafts only managers); taking part needs the participant
    # role; managing needs program manager or organization admin.
    "programs:list": members(),
    "programs:create": Rule(allowed=PEOPLE_ADMINS, methods=("GET", "POST"), names_object=False),
    "programs:detail": members(),
    "programs:edit": Rule(allowed=PEOPLE_ADMINS, methods=("GET", "POST")),
    "programs:manage": members(*PEOPLE_ADMINS),
    "programs:assign": Rule(allowed=PEOPLE_ADMINS, methods=("POST",)),
    "programs:join": Rule(allowed=frozenset({PARTICIPANT}), methods=("GET", "POST")),
    "programs:nominate": Rule(allowed=frozenset({PARTICIPANT}), methods=("GET", "POST")),
    "programs:nomination_decline": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "programs:pause": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "programs:resume": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "programs:leave": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    # Pairings and requests: only their members see them (the sample ones include pia; other
    # participants get 404, tested in programs/tests/test_pairing_views.py). Managers see
    # pairings only as counts on the program's manage page.
    "programs:pairing": members(PARTICIPANT),
    "programs:pairing_accept": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "programs:pairing_decline": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "programs:pairing_leave": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "programs:pairing_pause": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "programs:pairing_resume": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "programs:requests": Rule(allowed=frozenset({PARTICIPANT}), methods=("GET", "POST")),
    "programs:request_accept": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "programs:request_decline": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "programs:request_withdraw": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    # Matching runs: program managers and organization admins only. Proposals are theirs to
    # review until they publish; participants hear only through the invitations.
    "programs:matching_start": Rule(allowed=PEOPLE_ADMINS, methods=("POST",)),
    "programs:matching_run": members(*PEOPLE_ADMINS),
    "programs:matching_move": Rule(allowed=PEOPLE_ADMINS, methods=("POST",)),
    "programs:matching_publish": Rule(allowed=PEOPLE_ADMINS, methods=("POST",)),
    # The inbox: everyone has one (empty without a directory link); only its owner reads it.
    "inbox:list": SIGNED_IN,
    "inbox:read": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "inbox:read_all": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",), names_object=False),
    # API documentation is public: IT teams read it before they have an account.
    "api:openapi-json": PUBLIC,
    "api:openapi-view": PUBLIC,
    "api:api-root": PUBLIC,
    # Django's admin is for superusers only; its sign-in pages are the only open ones.
    "admin:login": PUBLIC_POST,
    "admin:logout": PUBLIC_POST,
}

# "METHOD /api/v1/path" -> rule.
API_POLICY: dict[str, Rule] = {
    "GET /api/v1/me": SIGNED_IN,
    "GET /api/v1/people": SIGNED_IN,
    "GET /api/v1/people/{person_id}": members(),
    "GET /api/v1/people/{person_id}/under": members(),
    "GET /api/v1/programs": SIGNED_IN,
    "GET /api/v1/programs/{program_id}": members(),
    "GET /api/v1/me/enrollments": SIGNED_IN,
    "POST /api/v1/programs/{program_id}/join": members(PARTICIPANT),
    "POST /api/v1/programs/{program_id}/leave": members(PARTICIPANT),
    "GET /api/v1/me/pairings": SIGNED_IN,
    "GET /api/v1/pairings/{pairing_id}": members(PARTICIPANT),
    "POST /api/v1/pairings/{pairing_id}/accept": members(PARTICIPANT),
    "POST /api/v1/pairings/{pairing_id}/decline": members(PARTICIPANT),
    "POST /api/v1/pairings/{pairing_id}/leave": members(PARTICIPANT),
    "POST /api/v1/pairings/{pairing_id}/pause": members(PARTICIPANT),
    "POST /api/v1/pairings/{pairing_id}/resume": members(PARTICIPANT),
    "GET /api/v1/programs/{program_id}/requests": members(PARTICIPANT),
    "POST /api/v1/programs/{program_id}/requests": members(PARTICIPANT),
    "POST /api/v1/requests/{request_id}/accept": members(PARTICIPANT),
    "POST /api/v1/requests/{request_id}/decline": members(PARTICIPANT),
    "POST /api/v1/requests/{request_id}/withdraw": members(PARTICIPANT),
    "POST /api/v1/programs/{program_id}/matching-runs": members(*PEOPLE_ADMINS),
    "GET /api/v1/matching-runs/{run_id}": members(*PEOPLE_ADMINS),
    "GET /api/v1/matching-runs/{run_id}/proposals": members(*PEOPLE_ADMINS),
    "POST /api/v1/matching-runs/{run_id}/moves": members(*PEOPLE_ADMINS),
    "POST /api/v1/matching-runs/{run_id}/publish": members(*PEOPLE_ADMINS),
    "GET /api/v1/programs/{program_id}/suggestions": members(PARTICIPANT),
    "GET /api/v1/me/inbox": SIGNED_IN,
    "POST /api/v1/me/inbox/{message_id}/read": members(PARTICIPANT),
}


def _acme_person(personas: Any) -> int:
    return int(personas.colleague.pk)


def _acme_membership(personas: Any) -> int:
    return int(personas.pia.memberships.get().pk)


def _acme_hr_import(personas: Any) -> int:
    from peercoach.people.hr_import.models import HrImport

    hr_file = b"Employee ID,Name,Email\nE1,Nia New,nia@acme.test\n"
    hr_import = HrImport.all_organizations.create(
        organization=personas.acme, filename="hr.csv", file_bytes=hr_file, file_size=len(hr_file)
    )
    return int(hr_import.pk)


def _acme_invitation(personas: Any) -> int:
    from peercoach.testing.factories import InvitationFactory

    invitation: Any = InvitationFactory(organization=personas.acme, person=personas.colleague)
    return int(invitation.pk)


def _acme_program(personas: Any) -> int:
    """An Acme program open for enrollment, so that every member may see it."""
    from peercoach.testing.factories import ProgramFactory

    program: Any = ProgramFactory(organization=personas.acme, allows_assignment=True)
    return int(program.pk)


def _acme_choosing_program_with_pia(personas: Any) -> Any:
    """A program where participants choose their peers, with pia and a colleague taking part."""
    from peercoach.testing.factories import EnrollmentFactory, ProgramFactory

    program: Any = ProgramFactory(organization=personas.acme, matching_mode="participants_choose")
    pia = EnrollmentFactory(program=program, person=personas.pia_person)
    colleague = EnrollmentFactory(program=program, person=personas.colleague)
    return program, pia, colleague


def _acme_pairing(personas: Any) -> int:
    """A match waiting for answers from pia and a colleague: only they may open it."""
    from peercoach.programs.pairing_services import pairing_propose

    program, pia, colleague = _acme_choosing_program_with_pia(personas)
    return int(pairing_propose(program=program, enrollments=[pia, colleague]).pk)


def _acme_pairing_request(personas: Any) -> int:
    """A colleague's request to pia, waiting for her answer."""
    from peercoach.programs.request_services import request_send

    _, pia, colleague = _acme_choosing_program_with_pia(personas)
    return int(request_send(requester=colleague, recipient=pia).pk)


def _acme_inbox_message(personas: Any) -> int:
    """A message in pia's inbox."""
    from peercoach.programs.inbox import inbox_message_send
    from peercoach.programs.pairing_models import InboxKind

    message = inbox_message_send(
        recipient=personas.pia_person, kind=InboxKind.NUDGE, subject="Hello", body="Hello"
    )
    return int(message.pk)


def _acme_matching_run(personas: Any) -> int:
    """A finished matching run for an Acme program, ready for review."""
    from peercoach.programs.matching_models import MatchingRun
    from peercoach.testing.factories import ProgramFactory

    program: Any = ProgramFactory(organization=personas.acme)
    run = MatchingRun.all_organizations.create(
        organization=personas.acme, program=program, status="finished", progress_percent=100
    )
    return int(run.pk)


# URL parameter name -> how to build a value naming one of Acme's objects.
SAMPLE_OBJECTS: dict[str, Callable[[Any], Any]] = {
    "person_id": _acme_person,
    "membership_id": _acme_membership,
    "invitation_id": _acme_invitation,
    "import_id": _acme_hr_import,
    "program_id": _acme_program,
    "pairing_id": _acme_pairing,
    "request_id": _acme_pairing_request,
    "message_id": _acme_inbox_message,
    "run_id": _acme_matching_run,
    "token": lambda personas: "not-a-real-invitation-token",
    # allauth's key-based links: syntactically valid but unknown keys answer a friendly page.
    "key": lambda personas: "not-a-real-key",
    "uidb36": lambda personas: "zz",
    # Django admin parameters.
    "object_id": lambda personas: "1",
    "id": lambda personas: "1",  # the user admin's password change page
    "url": lambda personas: "",
    "content_type_id": lambda personas: "1",
}
