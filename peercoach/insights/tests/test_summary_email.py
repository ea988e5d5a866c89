"""The weekly sponsor summary: once a week per program, to its sponsor only, group figures only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from peercoach.insights.charts import month_label
from peercoach.insights.summary_email import (
    is_due,
    sponsor_summaries_send_due,
    week_starts_on,
)
from peercoach.insights.summary_models import SponsorSummary
from peercoach.insights.summary_tasks import sponsor_summary_email
from peercoach.insights.tests.released_figures import build_figures, figures_month
from peercoach.programs.models import Program
from peercoach.programs.sweep import pairings_sweep
from peercoach.testing.factories import EnrollmentFactory, MembershipFactory, ProgramFactory


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def monday_at_nine() -> dt.datetime:
    """This week's Monday, 09:00 in the current time zone (the program runs from today)."""
    today = timezone.localdate()
    monday = week_starts_on(today)
    return timezone.make_aware(dt.datetime.combine(monday, dt.time(9)))


@pytest.fixture
def program(personas: Any) -> Program:
    program: Program = ProgramFactory(
        organization=personas.acme,
        name="Listening Lab",
        status="running",
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        sponsor=personas.sid.memberships.get(),
    )
    return program


@pytest.fixture
def send(personas: Any, django_capture_on_commit_callbacks: Any) -> Any:
    def send_at(now: dt.datetime) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return sponsor_summaries_send_due(organization=personas.acme, now=now)

    return send_at


def summaries() -> list[Any]:
    return [email for email in mail.outbox if "is going" in email.subject]


def test_the_sponsor_gets_one_summary_a_week(personas: Any, program: Program, send: Any) -> None:
    monday = monday_at_nine()

    assert send(monday) == 1
    assert send(monday + dt.timedelta(hours=1)) == 0
    assert send(monday + dt.timedelta(days=2)) == 0
    assert send(monday + dt.timedelta(days=7)) == 1

    emails = summaries()
    assert len(emails) == 2
    assert {tuple(email.to) for email in emails} == {("sid@acme.test",)}
    assert emails[0].subject.startswith("How Listening Lab is going: week of")


def test_a_missed_monday_is_made_up_seven_days_after_the_last_summary(
    personas: Any, program: Program, send: Any
) -> None:
    monday = monday_at_nine()
    send(monday)

    # No sweep ran on the next Monday; Tuesday is eight days after the last one.
    assert send(monday + dt.timedelta(days=6)) == 0
    assert send(monday + dt.timedelta(days=8)) == 1
    assert send(monday + dt.timedelta(days=9)) == 0


def test_the_first_summary_goes_out_at_the_first_sweep() -> None:
    wednesday = dt.datetime(2026, 11, 18, 9, tzinfo=dt.UTC)

    assert is_due(today=wednesday.date(), last_claimed_at=None, now=wednesday)
    assert not is_due(
        today=wednesday.date(), last_claimed_at=wednesday - dt.timedelta(days=2), now=wednesday
    )


def test_a_week_claimed_by_another_sweep_is_not_sent_again(
    personas: Any, program: Program, send: Any
) -> None:
    monday = monday_at_nine()
    SponsorSummary.objects.create(
        organization=personas.acme,
        program=program,
        sponsor=program.sponsor,
        week_starts_on=monday.date(),
        claimed_at=monday,
    )

    assert send(monday + dt.timedelta(minutes=5)) == 0
    assert summaries() == []


def test_the_task_run_twice_sends_once(personas: Any, program: Program, send: Any) -> None:
    send(monday_at_nine())
    summary = SponsorSummary.objects.in_organization(personas.acme).get()

    assert sponsor_summary_email.call(summary.pk) is False
    assert len(summaries()) == 1


def test_nobody_but_the_sponsor_hears_and_only_about_live_programs(
    personas: Any, program: Program, send: Any
) -> None:
    ProgramFactory(organization=personas.acme, name="No sponsor", status="running")
    ProgramFactory(
        organization=personas.acme,
        name="Still a draft",
        status="draft",
        sponsor=personas.sid.memberships.get(),
    )
    ProgramFactory(
        organization=personas.acme,
        name="Finished",
        status="finished",
        sponsor=personas.sid.memberships.get(),
    )

    ProgramFactory(
        organization=personas.acme,
        name="Sponsored by a participant",
        status="running",
        sponsor=personas.pia.memberships.get(),
    )

    send(monday_at_nine())

    emails = summaries()
    assert [email.subject.split(":")[0] for email in emails] == ["How Listening Lab is going"]
    recipients = {address for email in mail.outbox for address in email.to}
    assert recipients == {"sid@acme.test"}


def test_a_sponsor_who_stepped_down_before_sending_gets_nothing(
    personas: Any, program: Program, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        assert sponsor_summaries_send_due(organization=personas.acme, now=monday_at_nine()) == 1
    program.sponsor = MembershipFactory(organization=personas.acme, is_sponsor=True)
    program.save(update_fields=["sponsor"])
    summary = SponsorSummary.objects.in_organization(personas.acme).get()

    assert sponsor_summary_email.call(summary.pk) is False
    assert summaries() == []


def test_the_summary_has_findings_figures_and_a_link_but_nobody_named(
    personas: Any, program: Program, send: Any
) -> None:
    people = build_figures(personas, program, paired=12, stalled=4, rated=6)
    EnrollmentFactory(program=program, person=personas.pia_person)

    send(monday_at_nine())

    [email] = summaries()
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    for body in (email.body, html):
        assert "A third of paired people have not met in six weeks." in body
        assert "Sessions were rated 4.0 out of 5 on average." in body
        assert "People enrolled" in body
        assert f"/insights/programs/{program.pk}/health/" in body
        for person in [*people, personas.pia_person, personas.colleague]:
            assert person.full_name not in body
            assert person.email not in body


def test_withheld_figures_say_withheld(personas: Any, program: Program, send: Any) -> None:
    build_figures(personas, program, paired=4, stalled=1)

    send(monday_at_nine())

    [email] = summaries()
    month = month_label(figures_month())
    assert f"Ratings are withheld in {month}: too few people rated." in email.body
    assert "People enrolled: withheld" in email.body
    assert "have not met" not in email.body


def test_the_hourly_sweep_sends_the_weekly_summary(
    personas: Any, program: Program, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        pairings_sweep(now=monday_at_nine())
        pairings_sweep(now=monday_at_nine() + dt.timedelta(hours=1))

    assert len(summaries()) == 1
