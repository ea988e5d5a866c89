from __future__ import annotations

from django.urls import path

from peercoach.surveys import views

app_name = "surveys"

urlpatterns = [
    path("<int:surveyed_program_id>/", views.answer, name="answer"),
    path("<int:surveyed_program_id>/results/", views.results, name="results"),
    path("<int:surveyed_program_id>/ask/", views.ask_participants, name="ask"),
]
