from __future__ import annotations

from django.urls import path

from peercoach.runner import views

app_name = "runner"
urlpatterns = [
    # The live session: members of the session's pairing only.
    path("sessions/<int:session_id>/", views.run_page, name="run"),
    path("sessions/<int:session_id>/start/", views.run_start, name="start"),
    path("sessions/<int:session_id>/move/", views.run_advance, name="advance"),
    path("sessions/<int:session_id>/agree/", views.run_agree, name="agree"),
    path("sessions/<int:session_id>/thank-you/", views.run_thank, name="thank"),
    path("sessions/<int:session_id>/keep-time/", views.run_keep_time, name="keep_time"),
    path("sessions/<int:session_id>/options/", views.option_add, name="option_add"),
    path("sessions/<int:session_id>/observer-notes/", views.observer_note_add, name="note_add"),
    path("sessions/<int:session_id>/plan/", views.plan_save, name="plan_save"),
    path("sessions/<int:session_id>/review/", views.review_mark, name="review"),
    path("sessions/<int:session_id>/finish/", views.run_finish, name="finish"),
    # A program's script: program managers and organization admins.
    path("programs/<int:program_id>/script/", views.script_edit, name="script_edit"),
    path("programs/<int:program_id>/script/reset/", views.script_reset, name="script_reset"),
]
