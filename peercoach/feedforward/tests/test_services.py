from __future__ import annotations

import pytest
from django.core import mail
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peercoach.feedforward import selectors, services
from peercoach.feedforward.models import (
    MAX_INVITEES_PER_ROUND,
    FeedForwardRound,
    FeedForwardSuggestion,
)
from peercoach.feedforward.services import (
    COLLEAGUE_NOT_FOUND,
    FeedForwardError,
    LooksBackError,
    colleague_find,
    feedforward_answer,
    feedforward_decline,
    feedforward_invite,
    feedforward_mark_will_try,
    feedforward_round_start,
    feedforward_thank,
)
from peercoach.feedforward.tests.conftest import colleague
from peercoach.programs.inbox import inbox_messages
from peercoach.testing.factories import OrganizationFactory


@pytest.fixture
def team(personas):
    """Acme: the CEO over a manager over pia over her report; three peers elsewhere."""
    acme = personas.acme
    boss = colleague(acme, "Bea Boss", manager=personas.ceo)
    personas.pia_person.manager = boss
    personas.pia_person.save()
    from peercoach.people.hierarchy import management_paths_rebuild

    colleague(acme, "Carla Chief-Account", account=False)  # keeps the CEO's name free
    report = colleague(acme, "Rory Report", manager=personas.pia_person)
    deep_report = colleague(acme, "Dee Deeper", manager=report)
    peers = [colleague(acme, name, manager=personas.ceo) for name in ("Ann", "Ben", "Cat")]
    no_account = colleague(acme, "Nell Noaccount", manager=personas.ceo, account=False)
    management_paths_rebuild(organization=acme)
    # The CEO gets an account too: above pia, so never drawn for her.
    colleague_account_for(personas.ceo)
    for person in [personas.pia_person, boss, report, deep_report, *peers, no_account]:
        person.refresh_from_db()
    return {
        "pia": personas.pia_person,
        "boss": boss,
        "report": report,
        "deep_report": deep_report,
        "peers": peers,
        "no_account": no_account,
        "ceo": personas.ceo,
    }


def colleague_account_for(person) -> None:
    from peercoach.testing.factories import MembershipFactory, UserFactory

    MembershipFactory(
        organization=person.organization, user=UserFactory(email="ceo@acme.test"), person=person
    )


def test_random_draws_come_only_from_outside_the_management_chain(team) -> None:
    eligible = set(selectors.eligible_for_random_draw(person=team["pia"]))
    # Pia's own peers, and the one colleague of the personas with an account... none: Cole has
    # no account, so only the three peers may be drawn.
    assert eligible == set(team["peers"])
    round = feedforward_round_start(person=team["pia"], topic="Shorter updates", random_count=3)
    drawn = {invitation.invitee for invitation in round.invitations.all()}
    assert drawn == set(team["peers"])
    assert all(invitation.drawn_at_random for invitation in round.invitations.all())


def test_large_organizations_draw_by_probing_and_still_skip_the_chain(team, monkeypatch) -> None:
    # As if the organization's id range were large: random ids are probed, not everyone listed.
    monkeypatch.setattr(services, "LIST_EVERYONE_BELOW", 0)
    round = feedforward_round_start(person=team["pia"], topic="Shorter updates", random_count=3)
    assert {i.invitee for i in round.invitations.all()} == set(team["peers"])


def test_a_seed_makes_the_draw_repeatable(team) -> None:
    first = feedforward_round_start(person=team["pia"], topic="A", random_count=2, seed=7)
    second = feedforward_round_start(person=team["pia"], topic="B", random_count=2, seed=7)

    def names(round):
        return [i.invitee.full_name for i in round.invitations.order_by("pk")]

    assert names(first) == names(second)


def test_too_few_to_draw_says_so_and_starts_nothing(team) -> None:
    with pytest.raises(FeedForwardError) as refused:
        feedforward_round_start(person=team["pia"], topic="Listening", random_count=4)
    assert "only draw 3 more colleagues" in refused.value.message
    assert "outside your own reporting line" in refused.value.message
    assert not FeedForwardRound.objects.in_organization(team["pia"].organization).exists()


def test_a_person_may_still_choose_someone_in_their_chain_by_name(team) -> None:
    round = feedforward_round_start(person=team["pia"], topic="Delegating", chosen=[team["boss"]])
    assert [i.invitee for i in round.invitations.all()] == [team["boss"]]


def test_chosen_colleagues_already_invited_are_not_drawn_again(team) -> None:
    round = feedforward_round_start(person=team["pia"], topic="X", chosen=team["peers"][:2])
    feedforward_invite(round=round, random_count=1)
    assert {i.invitee for i in round.invitations.all()} == set(team["peers"])


def test_nobody_is_invited_twice_or_without_an_account(team) -> None:
    round = feedforward_round_start(person=team["pia"], topic="X", chosen=[team["peers"][0]])
    with pytest.raises(FeedForwardError, match="already invited"):
        feedforward_invite(round=round, chosen=[team["peers"][0]])
    with pytest.raises(FeedForwardError, match="can't sign in"):
        feedforward_invite(round=round, chosen=[team["no_account"]])
    with pytest.raises(FeedForwardError, match="own ideas"):
        feedforward_invite(round=round, chosen=[team["pia"]])


def test_a_round_holds_at_most_eight_colleagues(personas) -> None:
    people = [colleague(personas.acme, f"Peer {n}") for n in range(9)]
    round = feedforward_round_start(person=personas.pia_person, topic="X", chosen=people[:8])
    with pytest.raises(FeedForwardError, match="up to 8"):
        feedforward_invite(round=round, chosen=people[8:])


def test_another_organizations_person_reads_exactly_like_nobody(personas) -> None:
    messages = []
    for person_id in (personas.globex_person.pk, 10**9, None):
        with pytest.raises(FeedForwardError) as refused:
            colleague_find(organization_id=personas.acme.pk, person_id=person_id)
        messages.append(refused.value.message)
    assert messages == [COLLEAGUE_NOT_FOUND] * 3


def test_invitees_hear_by_inbox_and_email_without_the_topic(
    team, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        feedforward_round_start(person=team["pia"], topic="Secret topic", chosen=[team["peers"][0]])
    [message] = inbox_messages(person=team["peers"][0])
    assert "Pia Participant would welcome your ideas" in message.subject
    [email] = mail.outbox
    assert "Secret topic" not in str(email.body)
    assert "Secret topic" not in str(email.subject)
    assert message.link in email.body


@pytest.fixture
def asked(team):
    round = feedforward_round_start(
        person=team["pia"], topic="Shorter updates", chosen=team["peers"]
    )
    return round, list(round.invitations.order_by("pk"))


def test_an_idea_that_looks_back_is_held_once_and_saves_nothing(team, asked) -> None:
    round, [ann, *_] = asked
    with pytest.raises(LooksBackError) as nudge:
        feedforward_answer(
            invitation=ann, by=ann.invitee, suggestions=["Last time you rambled.", "Try bullets."]
        )
    assert nudge.value.phrases_by_position == {1: ["Last time", "you rambled"]}
    assert not FeedForwardSuggestion.objects.in_organization(round.organization_id).exists()
    ann.refresh_from_db()
    assert ann.is_open


def test_a_rephrased_idea_goes_through(team, asked) -> None:
    round, [ann, *_] = asked
    feedforward_answer(invitation=ann, by=ann.invitee, suggestions=["Next time, try bullets.", ""])
    assert [s.text for s in ann.suggestions.all()] == ["Next time, try bullets."]
    [news] = inbox_messages(person=team["pia"])
    assert news.subject == "Ann sent you ideas for the future" or "sent you ideas" in news.subject
    assert "bullets" not in news.body


def test_the_writer_may_send_a_flagged_idea_as_it_is(team, asked) -> None:
    round, [ann, *_] = asked
    feedforward_answer(
        invitation=ann, by=ann.invitee, suggestions=["You always rush."], send_anyway=True
    )
    [suggestion] = ann.suggestions.all()
    assert suggestion.sent_despite_nudge


def test_one_or_two_ideas_only_and_not_empty(team, asked) -> None:
    _, [ann, *_] = asked
    with pytest.raises(FeedForwardError, match="Write one idea"):
        feedforward_answer(invitation=ann, by=ann.invitee, suggestions=["  ", ""])
    with pytest.raises(FeedForwardError, match="One or two"):
        feedforward_answer(invitation=ann, by=ann.invitee, suggestions=["a", "b", "c"])


def test_only_the_invitee_answers_and_only_once(team, asked) -> None:
    _, [ann, ben, _] = asked
    with pytest.raises(FeedForwardError, match="Only the colleague"):
        feedforward_answer(invitation=ann, by=ben.invitee, suggestions=["Try it."])
    feedforward_answer(invitation=ann, by=ann.invitee, suggestions=["Try it."])
    with pytest.raises(FeedForwardError, match="already sent"):
        feedforward_answer(invitation=ann, by=ann.invitee, suggestions=["Again."])


def test_a_decline_is_silent_and_looks_like_waiting(team, asked) -> None:
    round, [ann, ben, cat] = asked
    feedforward_decline(invitation=ann, by=ann.invitee)
    feedforward_answer(invitation=ben, by=ben.invitee, suggestions=["Try a summary first."])
    assert [m.subject for m in inbox_messages(person=team["pia"])] == [
        "Ben sent you ideas for the future"
    ]
    view = selectors.round_view(round)
    assert view.waiting_count == 2  # Ann said no, Cat hasn't answered: the same to Pia
    assert [item.author for item in view.answered] == [ben.invitee]


def test_the_receiver_marks_ideas_to_try_and_says_thank_you_once(team, asked) -> None:
    round, [ann, *_] = asked
    feedforward_answer(invitation=ann, by=ann.invitee, suggestions=["Try bullets."])
    [suggestion] = ann.suggestions.all()
    feedforward_mark_will_try(suggestion=suggestion, by=team["pia"], will_try=True)
    suggestion.refresh_from_db()
    assert suggestion.will_try
    feedforward_thank(invitation=ann, by=team["pia"])
    [thanks] = [m for m in inbox_messages(person=ann.invitee) if "thank" in m.subject]
    assert thanks.subject == "Pia Participant says thank you"
    with pytest.raises(FeedForwardError, match="already thanked"):
        feedforward_thank(invitation=ann, by=team["pia"])


def test_nobody_but_the_receiver_marks_or_thanks(team, asked) -> None:
    _, [ann, ben, _] = asked
    feedforward_answer(invitation=ann, by=ann.invitee, suggestions=["Try bullets."])
    [suggestion] = ann.suggestions.all()
    with pytest.raises(FeedForwardError):
        feedforward_mark_will_try(suggestion=suggestion, by=ben.invitee, will_try=True)
    with pytest.raises(FeedForwardError):
        feedforward_thank(invitation=ann, by=ann.invitee)


def test_thanks_wait_for_an_answer(team, asked) -> None:
    _, [ann, *_] = asked
    with pytest.raises(FeedForwardError, match="once they've sent"):
        feedforward_thank(invitation=ann, by=team["pia"])


# ---------------------------------------------------------------------------------------------
# The chain exclusion as an invariant, over random organization charts.

charts = st.lists(st.integers(min_value=0, max_value=30), min_size=3, max_size=10)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    managers=charts,
    asker_index=st.integers(min_value=0, max_value=13),
    seed=st.integers(),
    probing=st.booleans(),
)
def test_no_random_draw_ever_reaches_into_the_management_chain(
    db, managers, asker_index, seed, probing
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "LIST_EVERYONE_BELOW", 0 if probing else 5_000)
        a_draw_never_reaches_into_the_chain(managers, asker_index, seed)


def a_draw_never_reaches_into_the_chain(managers, asker_index, seed) -> None:
    organization = OrganizationFactory()
    people = []
    for index, choice in enumerate(managers):
        # Each person's manager is someone created before them (or nobody): always a tree.
        manager = people[choice % index] if index and choice % 3 else None
        people.append(colleague(organization, f"Person {index}", manager=manager))
    asker = people[asker_index % len(people)]
    eligible = selectors.eligible_for_random_draw(person=asker).count()
    if eligible == 0:
        with pytest.raises(FeedForwardError):
            feedforward_round_start(person=asker, topic="T", random_count=1, seed=seed)
        return
    count = min(eligible, MAX_INVITEES_PER_ROUND)
    round = feedforward_round_start(person=asker, topic="T", random_count=count, seed=seed)
    for invitation in round.invitations.select_related("invitee"):
        assert invitation.invitee != asker
        assert not invitation.invitee.is_in_management_chain_of(asker)
