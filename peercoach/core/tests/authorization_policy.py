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
    "organizations:settings": Rule(
        allowed=frozenset({ORGANIZATION_ADMIN}), methods=("GET", "POST")
    ),
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
    # A person's own history: every member has it, and it only ever shows their own activity.
    "history:mine": SIGNED_IN,
    # A program's health in plain words: read from released group figures, for the people who
    # run and back programs.
    "insights:health": members(PROGRAM_MANAGER, SPONSOR, ORGANIZATION_ADMIN),
    "inbox:read": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "inbox:read_all": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",), names_object=False),
    # Feedback, help and advice: between the people involved only (feedback/permissions.py).
    # Sample objects are pia's to act on; another participant gets 404 (feedback/tests).
    "feedback:home": Rule(allowed=frozenset({PARTICIPANT}), names_object=False),
    "feedback:colleague_search": Rule(allowed=frozenset({PARTICIPANT}), names_object=False),
    "feedback:permissions": Rule(
        allowed=frozenset({PARTICIPANT}), methods=("GET", "POST"), names_object=False
    ),
    "feedback:permission_revoke": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "feedback:send": Rule(
        allowed=frozenset({PARTICIPANT}), methods=("GET", "POST"), names_object=False
    ),
    "feedback:detail": members(PARTICIPANT),
    "feedback:thank": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "feedback:help": Rule(
        allowed=frozenset({PARTICIPANT}), methods=("GET", "POST"), names_object=False
    ),
    "feedback:help_detail": Rule(allowed=frozenset({PARTICIPANT}), methods=("GET", "POST")),
    "feedback:help_close": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "feedback:help_reply_used": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "feedback:help_reply_thank": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "feedback:advice": Rule(
        allowed=frozenset({PARTICIPANT}), methods=("GET", "POST"), names_object=False
    ),
    "feedback:advice_accept": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "feedback:advice_decline": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    # Meetings and sessions: only the pairing's members (the samples include pia; other
    # participants get 404, tested in meetings/tests/test_views.py). Nobody else, ever.
    "meetings:list": members(PARTICIPANT),
    "meetings:pairing": Rule(allowed=frozenset({PARTICIPANT}), methods=("GET", "POST")),
    "meetings:confirm": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "meetings:withdraw": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "meetings:reschedule": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "meetings:cancel": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "meetings:calendar": members(PARTICIPANT),
    "meetings:session": members(PARTICIPANT),
    "meetings:attendance": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    # The guided session runner: the session's members only (others 404, tested in
    # runner/tests/test_views.py). Its scripts: program managers and organization admins.
    "runner:run": members(PARTICIPANT),
    "runner:start": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "runner:advance": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "runner:agree": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "runner:thank": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "runner:keep_time": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "runner:option_add": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "runner:note_add": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "runner:plan_save": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "runner:review": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "runner:finish": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "runner:script_edit": Rule(allowed=PEOPLE_ADMINS, methods=("GET", "POST")),
    "runner:script_reset": Rule(allowed=PEOPLE_ADMINS, methods=("POST",)),
    # FeedForward: a round is its owner's alone, an invitation its invitee's alone (the samples
    # are pia's; other participants get 404, tested in feedforward/tests/test_views.py).
    "feedforward:home": members(PARTICIPANT),
    "feedforward:start": Rule(allowed=frozenset({PARTICIPANT}), methods=("GET", "POST")),
    "feedforward:check": Rule(
        allowed=frozenset({PARTICIPANT}), methods=("POST",), names_object=False
    ),
    "feedforward:round": members(PARTICIPANT),
    "feedforward:round_invite": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "feedforward:round_will_try": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "feedforward:round_thank": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "feedforward:invitation": Rule(allowed=frozenset({PARTICIPANT}), methods=("GET", "POST")),
    "feedforward:invitation_decline": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    # Program feedback: participants answer; group figures for managers, admins and the
    # program's sponsor (the sample program is sid's; other sponsors get 403, tested in
    # surveys/tests/test_views.py). Nobody reads an individual answer.
    "surveys:answer": Rule(allowed=frozenset({PARTICIPANT}), methods=("GET", "POST")),
    "surveys:results": members(PROGRAM_MANAGER, SPONSOR, ORGANIZATION_ADMIN),
    "surveys:ask": Rule(allowed=PEOPLE_ADMINS, methods=("POST",)),
    # Action plans and notes: participants only, and only their own or what their pairing
    # shared with them (the samples are pia's; others get 404, tested in plans/tests). Managers,
    # sponsors and admins have no way in at all.
    "plans:list": members(PARTICIPANT),
    "plans:create": Rule(
        allowed=frozenset({PARTICIPANT}), methods=("GET", "POST"), names_object=False
    ),
    "plans:detail": members(PARTICIPANT),
    "plans:goal": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "plans:share": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "plans:status": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "plans:action_add": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "plans:action_status": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "plans:action_check_in": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    "plans:notes": members(PARTICIPANT),
    "plans:pairing_notes": Rule(allowed=frozenset({PARTICIPANT}), methods=("GET", "POST")),
    "plans:note_edit": Rule(allowed=frozenset({PARTICIPANT}), methods=("GET", "POST")),
    "plans:note_delete": Rule(allowed=frozenset({PARTICIPANT}), methods=("POST",)),
    # Insights: group figures only, never one person's activity. The whole organization's
    # figures for program managers, sponsors and admins; "People reporting to you" only for
    # participants with reports in the directory (none of the personas has any: they get 403,
    # and managers are tested in insights/tests/test_views.py).
    "insights:overview": members(PROGRAM_MANAGER, SPONSOR, ORGANIZATION_ADMIN),
    "insights:program": members(PROGRAM_MANAGER, SPONSOR, ORGANIZATION_ADMIN),
    "insights:export": members(PROGRAM_MANAGER, SPONSOR, ORGANIZATION_ADMIN),
    "insights:refresh": Rule(allowed=PEOPLE_ADMINS, methods=("POST",)),
    "insights:team": Rule(allowed=frozenset(), names_object=False),
    "insights:team_export": Rule(allowed=frozenset(), names_object=False),
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
    "GET /api/v1/me/feedback-permissions": members(PARTICIPANT),
    "POST /api/v1/me/feedback-permissions": members(PARTICIPANT),
    "POST /api/v1/feedback-permissions/{feedback_grant_id}/revoke": members(PARTICIPANT),
    "GET /api/v1/me/feedback": members(PARTICIPANT),
    "POST /api/v1/feedback": members(PARTICIPANT),
    "GET /api/v1/feedback/{feedback_id}": members(PARTICIPANT),
    "POST /api/v1/feedback/{feedback_id}/thank": members(PARTICIPANT),
    "GET /api/v1/help-requests": members(PARTICIPANT),
    "POST /api/v1/help-requests": members(PARTICIPANT),
    "GET /api/v1/help-requests/{help_request_id}": members(PARTICIPANT),
    "POST /api/v1/help-requests/{help_request_id}/replies": members(PARTICIPANT),
    "POST /api/v1/help-replies/{help_reply_id}/used": members(PARTICIPANT),
    "POST /api/v1/help-replies/{help_reply_id}/thank": members(PARTICIPANT),
    "GET /api/v1/me/advice-offers": members(PARTICIPANT),
    "POST /api/v1/advice-offers": members(PARTICIPANT),
    "POST /api/v1/advice-offers/{advice_offer_id}/accept": members(PARTICIPANT),
    "POST /api/v1/advice-offers/{advice_offer_id}/decline": members(PARTICIPANT),
    "POST /api/v1/me/inbox/{message_id}/read": members(PARTICIPANT),
    "GET /api/v1/feedforward/rounds": SIGNED_IN,
    "POST /api/v1/feedforward/rounds": members(PARTICIPANT),
    "GET /api/v1/feedforward/rounds/{feedforward_round_id}": members(PARTICIPANT),
    "POST /api/v1/feedforward/rounds/{feedforward_round_id}/invitations": members(PARTICIPANT),
    "POST /api/v1/feedforward/rounds/{feedforward_round_id}/thanks": members(PARTICIPANT),
    "POST /api/v1/feedforward/suggestions/{feedforward_suggestion_id}/will-try": members(
        PARTICIPANT
    ),
    "GET /api/v1/feedforward/invitations": SIGNED_IN,
    "GET /api/v1/feedforward/invitations/{feedforward_invitation_id}": members(PARTICIPANT),
    "POST /api/v1/feedforward/invitations/{feedforward_invitation_id}/answer": members(PARTICIPANT),
    "POST /api/v1/feedforward/invitations/{feedforward_invitation_id}/decline": members(
        PARTICIPANT
    ),
    "GET /api/v1/feedforward/colleagues": members(PARTICIPANT),
    "GET /api/v1/programs/{surveyed_program_id}/feedback/mine": members(PARTICIPANT),
    "PUT /api/v1/programs/{surveyed_program_id}/feedback/mine": members(PARTICIPANT),
    "GET /api/v1/programs/{surveyed_program_id}/feedback/summary": members(
        PROGRAM_MANAGER, SPONSOR, ORGANIZATION_ADMIN
    ),
    "POST /api/v1/programs/{surveyed_program_id}/feedback/requests": members(*PEOPLE_ADMINS),
    "GET /api/v1/me/sessions": SIGNED_IN,
    "GET /api/v1/pairings/{pairing_id}/meetings": members(PARTICIPANT),
    "POST /api/v1/pairings/{pairing_id}/meetings": members(PARTICIPANT),
    "POST /api/v1/meetings/{meeting_id}/confirm": members(PARTICIPANT),
    "POST /api/v1/meetings/{meeting_id}/cancel": members(PARTICIPANT),
    "POST /api/v1/sessions/{session_id}/attendance": members(PARTICIPANT),
    "GET /api/v1/sessions/{session_id}/run": members(PARTICIPANT),
    "POST /api/v1/sessions/{session_id}/run/move": members(PARTICIPANT),
    # Action plans and notes: participants' own (see URL_POLICY).
    "GET /api/v1/me/action-plans": Rule(allowed=frozenset({PARTICIPANT}), names_object=False),
    "POST /api/v1/me/action-plans": Rule(allowed=frozenset({PARTICIPANT}), names_object=False),
    "GET /api/v1/action-plans/{plan_id}": members(PARTICIPANT),
    "POST /api/v1/action-plans/{plan_id}/actions": members(PARTICIPANT),
    "POST /api/v1/action-plans/{plan_id}/share": members(PARTICIPANT),
    "POST /api/v1/actions/{action_id}/status": members(PARTICIPANT),
    "POST /api/v1/actions/{action_id}/check-ins": members(PARTICIPANT),
    "GET /api/v1/me/notes": Rule(allowed=frozenset({PARTICIPANT}), names_object=False),
    "POST /api/v1/me/notes": Rule(allowed=frozenset({PARTICIPANT}), names_object=False),
    "GET /api/v1/notes/{note_id}": members(PARTICIPANT),
    # Insights: the program dashboard's figures (see URL_POLICY).
    "GET /api/v1/insights/programs/{program_id}": members(
        PROGRAM_MANAGER, SPONSOR, ORGANIZATION_ADMIN
    ),
    # A manager's team figures: none of the personas has reports, so all get 403 (managers are
    # tested in insights/tests/test_api.py); another organization's program is 404 first.
    "GET /api/v1/insights/team/programs/{program_id}": Rule(allowed=frozenset()),
    "DELETE /api/v1/notes/{note_id}": members(PARTICIPANT),
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


def _acme_active_pairing_with_pia(personas: Any) -> Any:
    """An active pair of pia and a colleague, both working 9:00-17:00 Berlin time."""
    from peercoach.testing.coaching import active_pairing
    from peercoach.testing.factories import ProgramFactory

    program: Any = ProgramFactory(organization=personas.acme)
    return active_pairing(program, [personas.pia_person, personas.colleague])


def _acme_meeting(personas: Any) -> int:
    """A time the colleague suggested to pia, waiting for her to confirm."""
    from datetime import timedelta

    from django.utils import timezone

    from peercoach.meetings.models import Meeting

    pairing = _acme_active_pairing_with_pia(personas)
    meeting = Meeting.all_organizations.create(
        organization=personas.acme,
        pairing=pairing,
        proposed_by=personas.colleague,
        starts_at=timezone.now().replace(microsecond=0) + timedelta(days=3),
    )
    return int(meeting.pk)


def _acme_session(personas: Any) -> int:
    """A confirmed session of pia's active pairing (tomorrow)."""
    from peercoach.testing.coaching import confirmed_session

    return int(confirmed_session(_acme_active_pairing_with_pia(personas)).pk)


def _acme_feedforward_round(personas: Any) -> Any:
    """pia's FeedForward round, with ideas from a colleague waiting for her (returns the idea)."""
    from peercoach.feedforward.models import (
        FeedForwardInvitation,
        FeedForwardRound,
        FeedForwardSuggestion,
    )

    round = FeedForwardRound.all_organizations.create(
        organization=personas.acme, person=personas.pia_person, topic="Shorter updates"
    )
    invitation = FeedForwardInvitation.all_organizations.create(
        organization=personas.acme, round=round, invitee=personas.colleague, status="answered"
    )
    return FeedForwardSuggestion.all_organizations.create(
        organization=personas.acme, invitation=invitation, position=1, text="Try three bullets."
    )


def _acme_feedforward_invitation(personas: Any) -> int:
    """A colleague's FeedForward round that invites pia, waiting for her ideas."""
    from peercoach.feedforward.models import FeedForwardInvitation, FeedForwardRound

    round = FeedForwardRound.all_organizations.create(
        organization=personas.acme, person=personas.colleague, topic="Saying no kindly"
    )
    invitation = FeedForwardInvitation.all_organizations.create(
        organization=personas.acme, round=round, invitee=personas.pia_person
    )
    return int(invitation.pk)


def _acme_surveyed_program(personas: Any) -> int:
    """A program sponsored by sid, with pia taking part: she answers, sid reads the figures."""
    from peercoach.testing.factories import EnrollmentFactory, ProgramFactory

    program: Any = ProgramFactory(
        organization=personas.acme, sponsor=personas.sid.memberships.get()
    )
    EnrollmentFactory(program=program, person=personas.pia_person)
    return int(program.pk)


def _feedback_samples() -> Any:
    from peercoach.feedback.tests import samples

    return samples


def _plans_samples() -> Any:
    from peercoach.plans.tests import samples

    return samples


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
    "feedback_grant_id": lambda personas: _feedback_samples().grant_from_pia(personas),
    "feedback_id": lambda personas: _feedback_samples().feedback_to_pia(personas),
    "help_request_id": lambda personas: _feedback_samples().help_request_to_pia(personas),
    "help_reply_id": lambda personas: _feedback_samples().help_reply_to_pia(personas),
    "advice_offer_id": lambda personas: _feedback_samples().advice_offer_to_pia(personas),
    "feedforward_round_id": lambda personas: _acme_feedforward_round(personas).invitation.round_id,
    "feedforward_suggestion_id": lambda personas: _acme_feedforward_round(personas).pk,
    "feedforward_invitation_id": _acme_feedforward_invitation,
    "surveyed_program_id": _acme_surveyed_program,
    "meeting_id": _acme_meeting,
    "session_id": _acme_session,
    "plan_id": lambda personas: _plans_samples().plan_of_pia(personas).pk,
    "action_id": lambda personas: _plans_samples().action_of_pia(personas),
    "note_id": lambda personas: _plans_samples().note_of_pia(personas).pk,
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
