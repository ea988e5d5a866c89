from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from peercoach.insights.tests.built import Built, build, people_in, period
from peercoach.programs.models import Program
from peercoach.testing.factories import MembershipFactory, ProgramFactory, UserFactory

GROUPS = [
    ("Sales", "Berlin", 3, 10),
    ("Sales", "Paris", 3, 5),
    ("Support", "Berlin", 2, 12),
    ("Legal", "Paris", 4, 3),  # too few on their own: combined with the smallest group
]


@pytest.fixture
def program(personas: Any) -> Program:
    sponsor = personas.sid.memberships.get()
    program: Program = ProgramFactory(organization=personas.acme, name="Circles", sponsor=sponsor)
    return program


@pytest.fixture
def built(personas: Any, program: Program) -> Built:
    return build(program, people_in(personas.acme, GROUPS))


def _dashboard_url(program: Program) -> str:
    return reverse("insights:program", args=[program.pk])


def _table(html: str, metric_label: str) -> list[tuple[str, str, str]]:
    """The rows (month, value, people) of one metric's table, read back from the page."""
    import re

    section = html.split(f'data-metric="{metric_label}"', 1)[1].split("</section>", 1)[0]
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(
        r'<tr[^>]*><th scope="row">([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td></tr>', body
    )
    return [(m.strip(), v.strip(), p.strip()) for m, v, p in rows]


class TestProgramDashboard:
    def test_the_sponsor_sees_each_metric_month_by_month_with_a_chart_and_table(
        self, personas: Any, built: Built
    ) -> None:
        response = personas.client_for(personas.sid).get(_dashboard_url(built.program), period())
        assert response.status_code == 200
        html = response.content.decode()
        assert _table(html, "People enrolled") == [
            ("January 2026", "30", "30"),
            ("February 2026", "30", "30"),
            ("March 2026", "30", "30"),
        ]
        assert _table(html, "Session rating")[2] == ("March 2026", "5.0", "10")
        assert html.count('role="img"') == html.count("data-metric=")
        assert "Figures cover groups of at least 5 people; smaller groups are combined" in html

    def test_a_department_filter_narrows_every_figure(self, personas: Any, built: Built) -> None:
        response = personas.client_for(personas.sid).get(
            _dashboard_url(built.program), period(department="Support")
        )
        assert response.status_code == 200
        assert _table(response.content.decode(), "People enrolled")[0] == (
            "January 2026",
            "12",
            "12",
        )

    def test_a_filter_that_would_split_a_small_group_is_withheld_with_a_reason(
        self, personas: Any, built: Built
    ) -> None:
        # Legal's three people are combined with Sales in Paris, so "Sales" alone would
        # reveal them by subtraction: its figures are withheld.
        response = personas.client_for(personas.sid).get(
            _dashboard_url(built.program), period(department="Sales")
        )
        html = response.content.decode()
        assert _table(html, "People enrolled")[0] == ("January 2026", "Withheld", "")
        assert "Too few people to show" in html
        assert "Hollow circle, no line: withheld." in html

    def test_a_small_department_is_not_offered_and_asking_for_it_is_explained(
        self, personas: Any, built: Built
    ) -> None:
        client = personas.client_for(personas.sid)
        page = client.get(_dashboard_url(built.program), period()).content.decode()
        assert '<option value="Support">' in page
        assert '<option value="Legal">' not in page
        response = client.get(_dashboard_url(built.program), period(department="Legal"))
        assert response.status_code == 400
        assert "That department has no figures in this program" in response.content.decode()
        assert "data-metric=" not in response.content.decode()

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ({"first_month": "2026-13"}, "Months go from 01 to 12"),
            ({"first_month": "soon"}, "for example 2026-03"),
            ({"first_month": "2026-03", "last_month": "2026-01"}, "comes before the first one"),
            ({"level": "x"}, "That level has no figures"),
        ],
    )
    def test_bad_filters_answer_with_a_clear_error_never_a_crash(
        self, personas: Any, built: Built, query: dict[str, str], message: str
    ) -> None:
        response = personas.client_for(personas.pam).get(
            _dashboard_url(built.program), {**period(), **query}
        )
        assert response.status_code == 400
        assert message in response.content.decode()

    def test_htmx_gets_only_the_results_fragment(self, personas: Any, built: Built) -> None:
        response = personas.client_for(personas.sid).get(
            _dashboard_url(built.program), period(department="Support"), HTTP_HX_REQUEST="true"
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert '<div id="insights-results"' in html
        assert 'id="insights-status" class="insights-status" role="status" hx-swap-oob' in html
        assert "<html" not in html
        assert "Support" in html

    def test_htmx_errors_arrive_in_the_fragment_so_they_are_shown(
        self, personas: Any, built: Built
    ) -> None:
        response = personas.client_for(personas.sid).get(
            _dashboard_url(built.program), period(last_month="2025-01"), HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200  # htmx swaps successful answers only
        assert 'role="alert"' in response.content.decode()

    def test_choosing_another_program_opens_its_page_with_the_same_filters(
        self, personas: Any, built: Built
    ) -> None:
        other = ProgramFactory(organization=personas.acme)
        client = personas.client_for(personas.sid)
        query = period(program=str(other.pk))
        response = client.get(_dashboard_url(built.program), query)
        assert response.status_code == 302
        assert response["Location"].startswith(_dashboard_url(other) + "?first_month=2026-01")
        response = client.get(_dashboard_url(built.program), query, HTTP_HX_REQUEST="true")
        assert response["HX-Redirect"].startswith(_dashboard_url(other))

    def test_nobody_is_named_on_the_dashboard(self, personas: Any, built: Built) -> None:
        html = personas.client_for(personas.ada).get(_dashboard_url(built.program)).content
        for person in built.people[:5]:
            assert person.full_name.encode() not in html

    def test_program_managers_may_refresh_and_sponsors_only_read(
        self, personas: Any, built: Built
    ) -> None:
        sponsor_page = personas.client_for(personas.sid).get(_dashboard_url(built.program))
        manager_page = personas.client_for(personas.pam).get(_dashboard_url(built.program))
        assert b"Refresh now" not in sponsor_page.content
        assert b"Refresh now" in manager_page.content

    def test_refresh_now_queues_a_rebuild_of_the_figures(
        self,
        personas: Any,
        program: Program,
        settings: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        from peercoach.insights.models import InsightsBuild

        settings.TASKS = {
            "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
        }
        url = reverse("insights:refresh", args=[program.pk])
        client = personas.client_for(personas.pam)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, follow=True)
        assert response.status_code == 200
        assert "bringing the figures up to date" in response.content.decode()
        build = InsightsBuild.objects.in_organization(personas.acme).get()
        assert build.refreshed_at is not None

    def test_asking_twice_queues_one_rebuild(
        self, personas: Any, program: Program, django_capture_on_commit_callbacks: Any
    ) -> None:
        url = reverse("insights:refresh", args=[program.pk])
        client = personas.client_for(personas.ada)
        with django_capture_on_commit_callbacks() as queued:
            client.post(url)
            response = client.post(url, follow=True)
        assert "already being brought up to date" in response.content.decode()
        assert len(queued) == 1


class TestExport:
    def test_the_csv_holds_exactly_what_the_page_shows_with_the_same_filters(
        self, personas: Any, built: Built
    ) -> None:
        client = personas.client_for(personas.sid)
        query = period(office="Berlin")
        page = client.get(_dashboard_url(built.program), query).content.decode()
        response = client.get(reverse("insights:export", args=[built.program.pk]), query)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment;" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert ["Office", "Berlin"] in rows
        assert ["Minimum group size", "5"] in rows
        table = rows[rows.index(["Metric", "Month", "Value", "People counted", "Note"]) + 1 :]
        for label in ("People enrolled", "In a pairing", "Session rating"):
            shown = _table(page, label)
            exported = [(r[1], r[2] or "Withheld", r[3]) for r in table if r[0] == label]
            assert exported == shown

    def test_the_page_links_to_the_csv_of_its_current_filters(
        self, personas: Any, built: Built
    ) -> None:
        html = (
            personas.client_for(personas.sid)
            .get(_dashboard_url(built.program), period(department="Support"))
            .content.decode()
        )
        assert (
            "export.csv?first_month=2026-01&amp;last_month=2026-03&amp;department=Support" in html
        )

    def test_another_program_in_the_query_exports_that_program(
        self, personas: Any, built: Built
    ) -> None:
        other = ProgramFactory(organization=personas.acme)
        response = personas.client_for(personas.sid).get(
            reverse("insights:export", args=[built.program.pk]), period(program=str(other.pk))
        )
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("insights:export", args=[other.pk]))

    def test_bad_filters_give_the_page_with_the_error_not_a_file(
        self, personas: Any, built: Built
    ) -> None:
        response = personas.client_for(personas.sid).get(
            reverse("insights:export", args=[built.program.pk]), period(office="Atlantis")
        )
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert "That office has no figures" in response.content.decode()


class TestOverview:
    def test_each_program_is_listed_with_its_latest_month(
        self, personas: Any, built: Built
    ) -> None:
        ProgramFactory(organization=personas.acme, name="Quiet program")
        html = personas.client_for(personas.sid).get(reverse("insights:overview")).content.decode()
        assert _dashboard_url(built.program) in html
        assert "March 2026" in html
        assert "No figures yet." in html

    def test_drafts_are_for_the_people_who_run_programs(self, personas: Any) -> None:
        ProgramFactory(organization=personas.acme, name="Secret draft", status="draft")
        sponsor = personas.client_for(personas.sid).get(reverse("insights:overview"))
        manager = personas.client_for(personas.pam).get(reverse("insights:overview"))
        assert b"Secret draft" not in sponsor.content
        assert b"Secret draft" in manager.content


def _manager_with_team(personas: Any, team_size: int) -> tuple[Client, list[Any]]:
    """A participant with `team_size` reports (all in Support, Berlin) and their client."""
    from peercoach.testing.factories import PersonFactory

    boss = PersonFactory(organization=personas.acme, full_name="Mona Manager")
    user = UserFactory(email="mona@acme.test")
    MembershipFactory(organization=personas.acme, user=user, person=boss)
    team = people_in(personas.acme, [("Support", "Berlin", 2, team_size)], manager=boss)
    return personas.client_for(user), team


class TestTeam:
    def test_a_manager_sees_figures_for_the_people_reporting_to_them(
        self, personas: Any, program: Program
    ) -> None:
        client, team = _manager_with_team(personas, 6)
        others = people_in(personas.acme, [("Sales", "Berlin", 3, 10)])
        build(program, team + others)
        response = client.get(reverse("insights:team"), period(program=str(program.pk)))
        html = response.content.decode()
        assert response.status_code == 200
        assert "People reporting to you" in html
        assert _table(html, "People enrolled")[0] == ("January 2026", "6", "6")
        assert 'name="department"' not in html

    def test_a_team_smaller_than_the_minimum_is_withheld(
        self, personas: Any, program: Program
    ) -> None:
        client, team = _manager_with_team(personas, 3)
        build(program, team + people_in(personas.acme, [("Sales", "Berlin", 3, 10)]))
        html = client.get(reverse("insights:team"), period()).content.decode()
        assert _table(html, "People enrolled")[0] == ("January 2026", "Withheld", "")

    def test_a_manager_downloads_exactly_what_the_team_page_shows(
        self, personas: Any, program: Program
    ) -> None:
        client, team = _manager_with_team(personas, 6)
        build(program, team + people_in(personas.acme, [("Sales", "Berlin", 3, 10)]))
        query = period(program=str(program.pk))
        page = client.get(reverse("insights:team"), query).content.decode()
        assert reverse("insights:team_export") + f"?program={program.pk}&amp;" in page
        response = client.get(reverse("insights:team_export"), query)
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert ["Scope", "People reporting to you"] in rows
        table = rows[rows.index(["Metric", "Month", "Value", "People counted", "Note"]) + 1 :]
        exported = [(r[1], r[2] or "Withheld", r[3]) for r in table if r[0] == "People enrolled"]
        assert exported == _table(page, "People enrolled")

    def test_bad_filters_on_the_team_export_lead_back_to_the_page_that_explains(
        self, personas: Any, program: Program
    ) -> None:
        client, _ = _manager_with_team(personas, 6)
        response = client.get(reverse("insights:team_export"), period(first_month="2026-99"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("insights:team") + "?")
        assert client.get(response["Location"]).status_code == 400

    def test_people_without_reports_have_no_team_page(self, personas: Any) -> None:
        response = personas.client_for(personas.pia).get(reverse("insights:team"))
        assert response.status_code == 403

    @pytest.mark.parametrize("asked", ["99999", "abc", "²"])
    def test_a_bad_program_on_the_team_page_is_explained(
        self, personas: Any, program: Program, asked: str
    ) -> None:
        client, _ = _manager_with_team(personas, 6)
        response = client.get(reverse("insights:team"), period(program=asked))
        assert response.status_code == 400
        assert "one you can see" in response.content.decode()


class TestNavigation:
    def test_organizers_and_sponsors_see_insights_and_managers_their_team(
        self, personas: Any
    ) -> None:
        client, _ = _manager_with_team(personas, 1)
        insights = reverse("insights:overview")
        team = reverse("insights:team")
        for user in (personas.pam, personas.sid, personas.ada):
            html = personas.client_for(user).get("/").content.decode()
            assert f'href="{insights}"' in html
        manager_home = client.get("/").content.decode()
        assert f'href="{team}"' in manager_home
        assert f'href="{insights}"' not in manager_home
        participant_home = personas.client_for(personas.pia).get("/").content.decode()
        assert f'href="{team}"' not in participant_home
        assert f'href="{insights}"' not in participant_home
