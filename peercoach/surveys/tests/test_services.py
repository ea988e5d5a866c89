from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from peercoach.programs.inbox import inbox_messages
from peercoach.surveys.models import ProgramFeedback
from peercoach.surveys.services import SurveyError, program_feedback_request, program_feedback_save
from peercoach.surveys.tests.conftest import participants
from peercoach.testing.factories import EnrollmentFactory


def test_one_answer_per_person_which_they_may_change(program, personas) -> None:
    program_feedback_save(program=program, person=personas.pia_person, rating=3, keep="Pairs")
    program_feedback_save(program=program, person=personas.pia_person, rating=5, change="More")
    [answer] = ProgramFeedback.objects.in_organization(personas.acme).filter(program=program)
    assert (answer.rating, answer.keep, answer.change) == (5, "", "More")


def test_only_people_who_took_part_may_answer(program, personas) -> None:
    with pytest.raises(SurveyError, match="people taking part"):
        program_feedback_save(program=program, person=personas.colleague, rating=4)


def test_people_who_left_may_still_answer(program) -> None:
    leaver = EnrollmentFactory(program=program, status="left").person
    program_feedback_save(program=program, person=leaver, rating=2)


def test_answers_close_when_the_program_ends(program, personas) -> None:
    after_the_end = program.ends_on + timedelta(days=1)
    with pytest.raises(SurveyError, match="has ended"):
        program_feedback_save(
            program=program, person=personas.pia_person, rating=4, today=after_the_end
        )
    program.status = "finished"
    program.save()
    with pytest.raises(SurveyError, match="has ended"):
        program_feedback_save(program=program, person=personas.pia_person, rating=4)


def test_asking_for_feedback_reaches_each_participant_once(
    program, personas, django_capture_on_commit_callbacks
) -> None:
    others = participants(program, 2)
    program_feedback_save(program=program, person=others[0], rating=4)
    with django_capture_on_commit_callbacks(execute=True):
        assert program_feedback_request(program=program) == 2  # pia and the second, not the first
    assert program_feedback_request(program=program) == 0
    [message] = inbox_messages(person=personas.pia_person)
    assert message.subject == "How is Peer coaching pilot going for you?"
    assert inbox_messages(person=others[0]).count() == 0


def test_an_answer_never_names_its_author_when_printed(program, personas) -> None:
    answer = program_feedback_save(
        program=program, person=personas.pia_person, rating=1, keep="secret"
    )
    assert "Pia" not in str(answer)
    assert "secret" not in str(answer)
    assert timezone.now() >= answer.updated_at
