from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from peercoach.meetings.models import Meeting, MeetingStatus, SessionAttendance
from peercoach.meetings.services import attendance_record, meeting_confirm, meeting_propose
from peercoach.meetings.tests.conftest import a_slot, a_stranger
from peercoach.testing.coaching import confirmed_session
from peercoach.testing.factories import MembershipFactory, UserFactory


def _client_for_person(personas, person):
    user = UserFactory(email=f"{person.pk}-{person.email}")
    MembershipFactory(organization=personas.acme, user=user, person=person)
    return personas.client_for(user)


def test_the_meetings_page_offers_times_in_each_members_own_zone(personas, pairing) -> None:
    response = personas.client_for(personas.pia).get(f"/meetings/peers/{pairing.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Suggest a time" in page
    assert "Pia Participant: " in page
    assert "(Europe/Berlin)" in page
    assert a_slot(pairing).strftime("%Y-%m-%dT%H:%MZ") in page


def test_a_member_suggests_an_offered_time_and_the_other_confirms(personas, pairing) -> None:
    slot = a_slot(pairing).strftime("%Y-%m-%dT%H:%MZ")
    pia = personas.client_for(personas.pia)
    response = pia.post(f"/meetings/peers/{pairing.pk}/", {"slot": slot, "recurring": "on"})
    assert response.status_code == 302
    meeting = Meeting.objects.in_organization(personas.acme).get()
    assert meeting.recurrence_rule
    cole = _client_for_person(personas, personas.colleague)
    page = cole.get(f"/meetings/peers/{pairing.pk}/").content.decode()
    assert "Confirm this time" in page
    assert cole.post(f"/meetings/{meeting.pk}/confirm/").status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONFIRMED
    upcoming = pia.get("/meetings/").content.decode()
    assert upcoming.count("/meetings/sessions/") >= 2


@pytest.mark.parametrize(
    ("slot", "error"),
    [
        ("", "Please pick a time."),
        ("2020-01-06T09:00Z", "That time is no longer offered."),
        ("whenever", "That time is no longer offered."),
    ],
)
def test_a_bad_time_is_refused_with_a_clear_message(personas, pairing, slot, error) -> None:
    response = personas.client_for(personas.pia).post(
        f"/meetings/peers/{pairing.pk}/", {"slot": slot}
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Meeting.objects.in_organization(personas.acme).exists()


def test_participants_outside_the_pairing_get_404_everywhere(personas, pairing) -> None:
    meeting = meeting_propose(pairing=pairing, by=personas.pia_person, starts_at=a_slot(pairing))
    session = confirmed_session(pairing)
    stranger = _client_for_person(personas, a_stranger(personas))
    for url in [
        f"/meetings/peers/{pairing.pk}/",
        f"/meetings/{meeting.pk}/calendar.ics",
        f"/meetings/sessions/{session.pk}/",
    ]:
        assert stranger.get(url).status_code == 404, url
    for url in [
        f"/meetings/{meeting.pk}/confirm/",
        f"/meetings/{meeting.pk}/cancel/",
        f"/meetings/sessions/{session.pk}/attendance/",
    ]:
        assert stranger.post(url, {"outcome": "held"}).status_code == 404, url
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PROPOSED


def test_my_mark_and_rating_are_shown_to_me_only(personas, pairing) -> None:
    session = confirmed_session(pairing, starts_at=timezone.now() - timedelta(hours=1))
    attendance_record(session=session, by=personas.colleague, outcome="missed", rating=2)
    pia = personas.client_for(personas.pia)
    page = pia.get(f"/meetings/sessions/{session.pk}/").content.decode()
    assert not re.search(r'value="missed"[^>]*checked', page)
    assert 'value="2" selected' not in page
    pia.post(f"/meetings/sessions/{session.pk}/attendance/", {"outcome": "held", "rating": "5"})
    page = pia.get(f"/meetings/sessions/{session.pk}/").content.decode()
    assert re.search(r'value="held"[^>]*checked', page)
    assert 'value="5" selected' in page
    cole = _client_for_person(personas, personas.colleague)
    cole_page = cole.get(f"/meetings/sessions/{session.pk}/").content.decode()
    assert 'value="5" selected' not in cole_page
    assert 'value="2" selected' in cole_page


def test_attendance_answers_htmx_with_its_fragment(personas, pairing) -> None:
    session = confirmed_session(pairing, starts_at=timezone.now() - timedelta(hours=1))
    response = personas.client_for(personas.pia).post(
        f"/meetings/sessions/{session.pk}/attendance/",
        {"outcome": "held", "rating": "4"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<section class="section" id="attendance"')
    assert "Only you can see this." in fragment
    assert "<html" not in fragment
    [mark] = SessionAttendance.objects.in_organization(personas.acme)
    assert (mark.outcome, mark.rating) == ("held", 4)


def test_a_bad_rating_keeps_the_form_and_says_why(personas, pairing) -> None:
    session = confirmed_session(pairing, starts_at=timezone.now() - timedelta(hours=1))
    response = personas.client_for(personas.pia).post(
        f"/meetings/sessions/{session.pk}/attendance/",
        {"outcome": "held", "rating": "9"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not SessionAttendance.objects.in_organization(personas.acme).exists()


def test_the_home_page_says_what_is_next(personas, pairing) -> None:
    meeting = meeting_propose(pairing=pairing, by=personas.pia_person, starts_at=a_slot(pairing))
    meeting_confirm(meeting=meeting, by=personas.colleague)
    page = personas.client_for(personas.pia).get("/").content.decode()
    assert "What's next" in page
    assert "Your next session:" in page
    assert "/meetings/sessions/" in page


def test_the_pairing_page_links_to_its_meetings(personas, pairing) -> None:
    page = personas.client_for(personas.pia).get(f"/programs/peers/{pairing.pk}/").content.decode()
    assert f"/meetings/peers/{pairing.pk}/" in page


def test_managers_sponsors_and_admins_see_no_meetings(personas, pairing) -> None:
    session = confirmed_session(pairing)
    for user in (personas.pam, personas.sid, personas.ada):
        client = personas.client_for(user)
        assert client.get(f"/meetings/sessions/{session.pk}/").status_code == 403
        assert client.get(f"/meetings/peers/{pairing.pk}/").status_code == 403


def test_my_sessions_lists_what_is_coming_and_what_waits_for_a_mark(personas, pairing) -> None:
    coming = confirmed_session(pairing)
    past = confirmed_session(pairing, starts_at=timezone.now() - timedelta(days=2))
    page = personas.client_for(personas.pia).get("/meetings/").content.decode()
    coming_section, _, marking_section = page.partition("How did it go?")
    assert f"/meetings/sessions/{coming.pk}/" in coming_section
    assert f"/meetings/sessions/{past.pk}/" in marking_section
    assert "(Europe/Berlin)" in marking_section
    attendance_record(session=past, by=personas.pia_person, outcome="held")
    page = personas.client_for(personas.pia).get("/meetings/").content.decode()
    assert f"/meetings/sessions/{past.pk}/" not in page


def test_a_confirmed_meeting_can_be_moved_to_another_offered_time(personas, pairing) -> None:
    meeting = meeting_propose(pairing=pairing, by=personas.pia_person, starts_at=a_slot(pairing))
    meeting_confirm(meeting=meeting, by=personas.colleague)
    pia = personas.client_for(personas.pia)
    page = pia.get(f"/meetings/peers/{pairing.pk}/").content.decode()
    assert f'id="reschedule_{meeting.pk}_slot"' in page
    assert "<optgroup" in page

    refused = pia.post(f"/meetings/{meeting.pk}/reschedule/", {"slot": "2020-01-06T09:00Z"})
    assert refused.status_code == 302
    assert "no longer offered" in pia.get(refused["Location"]).content.decode()
    meeting.refresh_from_db()
    assert meeting.calendar_sequence == 0

    new_time = a_slot(pairing, index=4)
    pia.post(f"/meetings/{meeting.pk}/reschedule/", {"slot": new_time.strftime("%Y-%m-%dT%H:%MZ")})
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.calendar_sequence) == (new_time, 1)
