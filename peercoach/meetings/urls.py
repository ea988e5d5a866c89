from __future__ import annotations

from django.urls import path

from peercoach.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.my_sessions, name="list"),
    path("peers/<int:pairing_id>/", views.pairing_meetings, name="pairing"),
    path("<int:meeting_id>/confirm/", views.meeting_confirm, name="confirm"),
    path("<int:meeting_id>/withdraw/", views.meeting_withdraw, name="withdraw"),
    path("<int:meeting_id>/reschedule/", views.meeting_reschedule, name="reschedule"),
    path("<int:meeting_id>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:meeting_id>/calendar.ics", views.meeting_calendar, name="calendar"),
    path("sessions/<int:session_id>/", views.session_detail, name="session"),
    path("sessions/<int:session_id>/attendance/", views.session_attendance, name="attendance"),
]
