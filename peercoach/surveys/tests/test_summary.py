"""The k-thresholds: figures only from the organization's minimum reporting size, text from ten."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peercoach.surveys.selectors import FREE_TEXT_MINIMUM, program_feedback_summary
from peercoach.surveys.services import program_feedback_save
from peercoach.surveys.tests.conftest import participants
from peercoach.testing.factories import OrganizationFactory, ProgramFactory


def answer(program, people, ratings=None, keep="", change="") -> None:
    for index, person in enumerate(people):
        rating = ratings[index] if ratings else 4
        program_feedback_save(
            program=program,
            person=person,
            rating=rating,
            keep=keep.format(index=index),
            change=change.format(index=index),
        )


def test_below_the_minimum_reporting_size_not_even_the_count_shows(program) -> None:
    answer(program, participants(program, 4))  # Acme's minimum is 5
    summary = program_feedback_summary(program=program)
    assert not summary.shows_figures
    assert summary.answered is None
    assert summary.distribution == {}
    assert summary.average is None
    assert summary.keep == summary.change == []


def test_at_the_minimum_the_figures_show_but_no_comments(program) -> None:
    answer(program, participants(program, 5), ratings=[5, 4, 4, 2, 1], keep="keep {index}")
    summary = program_feedback_summary(program=program)
    assert summary.shows_figures
    assert summary.answered == 5
    assert summary.distribution == {1: 1, 2: 1, 3: 0, 4: 2, 5: 1}
    assert summary.average == 3.2
    assert not summary.shows_text
    assert summary.keep == []


def test_from_ten_answers_comments_show_in_alphabetical_order(program) -> None:
    people = participants(program, FREE_TEXT_MINIMUM)
    texts = ["zebra crossing", "Apples", "mid", "", "  ", "banana", "Zeal", "a", "B", "c"]
    for person, text in zip(people, texts, strict=True):
        program_feedback_save(program=program, person=person, rating=3, change=text)
    summary = program_feedback_summary(program=program)
    assert summary.shows_text
    assert summary.change == ["a", "Apples", "B", "banana", "c", "mid", "Zeal", "zebra crossing"]


def test_a_higher_organization_minimum_raises_the_comment_threshold_too(personas) -> None:
    personas.acme.minimum_reporting_size = 12
    personas.acme.save()
    program = ProgramFactory(organization=personas.acme, status="running")
    answer(program, participants(program, 11), keep="idea {index}")
    summary = program_feedback_summary(program=program)
    assert not summary.shows_figures
    answer(program, participants(program, 1), keep="idea last")
    summary = program_feedback_summary(program=program)
    assert summary.shows_figures
    assert summary.shows_text
    assert summary.text_minimum == 12


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    minimum=st.integers(min_value=3, max_value=12),
    count=st.integers(min_value=0, max_value=13),
)
def test_the_minimum_reporting_size_is_never_broken(db, minimum, count) -> None:
    organization = OrganizationFactory(minimum_reporting_size=minimum)
    program = ProgramFactory(organization=organization, status="running")
    answer(program, participants(program, count), keep="k{index}", change="c{index}")
    summary = program_feedback_summary(program=program)
    assert summary.shows_figures == (count >= minimum)
    assert summary.shows_text == (count >= max(minimum, FREE_TEXT_MINIMUM))
    if not summary.shows_figures:
        assert summary.answered is None
        assert summary.distribution == {}
    if not summary.shows_text:
        assert summary.keep == []
        assert summary.change == []
    else:
        assert summary.keep == sorted(summary.keep, key=str.casefold)


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_ratings_outside_one_to_five_are_refused(program, personas, rating) -> None:
    from peercoach.surveys.services import SurveyError

    with pytest.raises(SurveyError, match="from 1 to 5"):
        program_feedback_save(program=program, person=personas.pia_person, rating=rating)
