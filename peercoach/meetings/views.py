"""Pages for meetings and sessions. Only the members of a pairing see them: everyone else 404s.

Every POST ends in a redirect with a short message, so nothing needs JavaScript; the attendance
form answers htmx requests with just its own fragment.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peercoach.meetings import selectors, services
from peercoach.meetings.forms import AttendanceForm, ProposeForm, SlotForm
from peercoach.meetings.invitations import calendar_file
from peercoach.meetings.models import CoachingSession, Meeting, SessionStatus
from peercoach.meetings.services import MeetingError
from peercoach.meetings.slots import Slot
from peercoach.organizations.access import members_only
from peercoach.organizations.models import Membership, Role
from peercoach.people.models import Person
from peercoach.programs.pairing_models import PairingMember, PairingStatus
from peercoach.programs.pairing_selectors import pairing_for_member

type MeetingChange = Callable[..., Meeting]


def _person(membership: Membership) -> Person:
    person = membership.person
    assert person is not None  # the participant role means a directory link
    return person


@members_only(Role.PARTICIPANT)
@require_GET
def my_sessions(request: HttpRequest, membership: Membership) -> HttpResponse:
    person = _person(membership)
    context = {
        "upcoming": _with_local_times(selectors.upcoming_sessions(person=person)),
        "to_mark": selectors.sessions_to_mark(person=person),
        "zone": person.timezone or "UTC",
    }
    return render(request, "meetings/my_sessions.html", context)


@members_only(Role.PARTICIPANT)
@require_http_methods(["GET", "POST"])
def pairing_meetings(request: HttpRequest, membership: Membership, pairing_id: int) -> HttpResponse:
    person = _person(membership)
    pairing = pairing_for_member(person=person, pairing_id=pairing_id)
    members = selectors.members_of(pairing)
    is_active = pairing.status == PairingStatus.ACTIVE
    slots = selectors.offered_slots(pairing=pairing, members=members) if is_active else []
    zone = _zone_of(members, person)
    data = request.POST if request.method == "POST" else None
    form = ProposeForm(data, slots=slots, zone=zone)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_propose(
                pairing=pairing,
                by=person,
                starts_at=form.cleaned_data["slot"],
                recurring=form.cleaned_data["recurring"],
            )
        except MeetingError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Time suggested. We'll let you know once everyone confirms.")
            return redirect("meetings:pairing", pairing_id=pairing.pk)
    context = {
        "pairing": pairing,
        "program": pairing.program,
        "is_active": is_active,
        "members": members,
        "meeting_rows": [
            (view, _reschedule_form(view.meeting, slots, zone) if view.is_confirmed else None)
            for view in selectors.meetings_of_pairing(
                pairing=pairing, person=person, members=members
            )
        ],
        "upcoming": _with_local_times(selectors.pairing_upcoming_sessions(pairing=pairing)),
        "form": form,
        "has_slots": bool(slots),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "meetings/pairing_meetings.html", context, status=status)


def _zone_of(members: list[PairingMember], person: Person) -> str:
    mine = next((m for m in members if m.person_id == person.pk), None)
    return mine.enrollment.timezone if mine else "UTC"


def _reschedule_form(meeting: Meeting, slots: list[Slot], zone: str) -> SlotForm:
    return SlotForm(slots=slots, zone=zone, auto_id=f"reschedule_{meeting.pk}_%s")


def _with_local_times(sessions: list[CoachingSession]) -> list[dict[str, object]]:
    """Each session with every member's local start time, for 'your time / their time'."""
    members_by_pairing: dict[int, list[PairingMember]] = {}
    rows = []
    for session in sessions:
        if session.pairing_id not in members_by_pairing:
            members_by_pairing[session.pairing_id] = selectors.members_of(session.pairing)
        members = members_by_pairing[session.pairing_id]
        rows.append(
            {
                "session": session,
                "local_times": selectors.local_times_for(members, session.starts_at),
            }
        )
    return rows


def _meeting_action(change: MeetingChange, done: str) -> Callable[[HttpRequest, int], HttpResponse]:
    @members_only(Role.PARTICIPANT)
    @require_POST
    def view(request: HttpRequest, membership: Membership, meeting_id: int) -> HttpResponse:
        person = _person(membership)
        meeting = selectors.meeting_for_member(person=person, meeting_id=meeting_id)
        try:
            change(meeting=meeting, by=person)
        except MeetingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
        return redirect("meetings:pairing", pairing_id=meeting.pairing_id)

    return view


meeting_confirm = _meeting_action(
    services.meeting_confirm,
    "Thank you. Once everyone has confirmed, the invitation lands in your calendar.",
)
meeting_withdraw = _meeting_action(services.meeting_withdraw, "Suggestion withdrawn.")
meeting_cancel = _meeting_action(
    services.meeting_cancel, "Called off. Everyone has been told; suggest a new time when it suits."
)


@members_only(Role.PARTICIPANT)
@require_POST
def meeting_reschedule(
    request: HttpRequest, membership: Membership, meeting_id: int
) -> HttpResponse:
    person = _person(membership)
    meeting = selectors.meeting_for_member(person=person, meeting_id=meeting_id)
    members = selectors.members_of(meeting.pairing)
    slots = selectors.offered_slots(pairing=meeting.pairing, members=members)
    form = SlotForm(request.POST, slots=slots, zone=_zone_of(members, person))
    if not form.is_valid():
        messages.error(request, str(form.errors["slot"][0]))
        return redirect("meetings:pairing", pairing_id=meeting.pairing_id)
    try:
        services.meeting_reschedule(meeting=meeting, by=person, starts_at=form.cleaned_data["slot"])
    except MeetingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Moved. Everyone gets the new time for their calendar.")
    return redirect("meetings:pairing", pairing_id=meeting.pairing_id)


@members_only(Role.PARTICIPANT)
@require_GET
def meeting_calendar(request: HttpRequest, membership: Membership, meeting_id: int) -> HttpResponse:
    person = _person(membership)
    meeting = selectors.meeting_for_member(person=person, meeting_id=meeting_id)
    people = [m.person for m in selectors.members_of(meeting.pairing)]
    ics = calendar_file(meeting=meeting, people=people, program_name=meeting.pairing.program.name)
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="peer-coaching.ics"'
    return response


@members_only(Role.PARTICIPANT)
@require_GET
def session_detail(request: HttpRequest, membership: Membership, session_id: int) -> HttpResponse:
    person = _person(membership)
    session = selectors.session_for_member(person=person, session_id=session_id)
    return render(request, "meetings/session_detail.html", _session_context(session, person))


def _session_context(
    session: CoachingSession, person: Person, form: AttendanceForm | None = None
) -> dict[str, object]:
    attendance = selectors.my_attendance(session=session, person=person)
    if form is None:
        initial = {"outcome": attendance.outcome, "rating": attendance.rating} if attendance else {}
        form = AttendanceForm(initial=initial)
    members = selectors.members_of(session.pairing)
    return {
        "session": session,
        "pairing": session.pairing,
        "program": session.pairing.program,
        "person": person,
        "peers": [m.person.full_name for m in members if m.person_id != person.pk],
        "local_times": selectors.local_times_for(members, session.starts_at),
        "attendance": attendance,
        "can_mark": session.status != SessionStatus.CANCELLED
        and session.starts_at <= timezone.now(),
        "attendance_form": form,
    }


@members_only(Role.PARTICIPANT)
@require_POST
def session_attendance(
    request: HttpRequest, membership: Membership, session_id: int
) -> HttpResponse:
    person = _person(membership)
    session = selectors.session_for_member(person=person, session_id=session_id)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        try:
            services.attendance_record(
                session=session,
                by=person,
                outcome=form.cleaned_data["outcome"],
                rating=form.cleaned_data["rating"],
            )
        except MeetingError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    if request.htmx:  # type: ignore[attr-defined]
        context = _session_context(session, person, form if form.errors else None)
        context["saved"] = not form.errors
        status = 400 if form.errors else 200
        return render(request, "meetings/session_detail.html#attendance", context, status=status)
    if form.errors:
        messages.error(request, str(next(iter(form.errors.values()))[0]))
    else:
        messages.success(request, "Thank you. Only you can see this.")
    return redirect("meetings:session", session_id=session.pk)
