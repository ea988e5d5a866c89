from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from peercoach.meetings.figures import attendance_figures
from peercoach.meetings.services import attendance_record
from peercoach.testing.coaching import active_pairing, confirmed_session
from peercoach.testing.factories import OrganizationFactory, PersonFactory, ProgramFactory


def _program_with_marks(marks: list[tuple[str, int | None]], minimum: int = 3):
    """One pair per two marks; each mark by a different person, on their pair's last session."""
    organization = OrganizationFactory(minimum_reporting_size=minimum)
    program = ProgramFactory(organization=organization)
    people = [PersonFactory(organization=organization) for _ in range(len(marks) + len(marks) % 2)]
    started = timezone.now() - timedelta(hours=2)
    for index in range(0, len(people), 2):
        pairing = active_pairing(program, people[index : index + 2])
        session = confirmed_session(pairing, starts_at=started)
        for person, (outcome, rating) in zip(
            people[index : index + 2], marks[index : index + 2], strict=False
        ):
            attendance_record(session=session, by=person, outcome=outcome, rating=rating)
    return program


class AttendanceFiguresTests(TestCase):
    def test_figures_count_marks_and_ratings_over_the_whole_program(self) -> None:
        program = _program_with_marks(
            [("held", 5), ("held", 4), ("missed", None), ("held", 4)], minimum=3
        )
        figures = attendance_figures(program=program)
        assert figures.shows_figures
        assert figures.people == 4
        assert figures.outcomes == {"held": 3, "rescheduled": 0, "missed": 1}
        assert figures.ratings == {1: 0, 2: 0, 3: 0, 4: 2, 5: 1}
        assert figures.average_rating == 4.3

    @settings(max_examples=15)
    @given(
        marks=st.lists(
            st.tuples(
                st.sampled_from(["held", "rescheduled", "missed"]),
                st.one_of(st.none(), st.integers(1, 5)),
            ),
            min_size=1,
            max_size=8,
        ),
        minimum=st.integers(3, 6),
    )
    def test_the_minimum_reporting_size_is_never_broken(self, marks, minimum) -> None:
        figures = attendance_figures(program=_program_with_marks(marks, minimum=minimum))
        raters = sum(1 for _, rating in marks if rating is not None)
        if len(marks) < minimum:
            assert not figures.shows_figures
            assert figures.people is None
            assert figures.outcomes == {}
        else:
            assert figures.people == len(marks)
        if raters < minimum:
            assert figures.ratings == {}
            assert figures.average_rating is None
