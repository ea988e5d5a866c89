from __future__ import annotations

import pytest

from peercoach.sample_org import generate_organization


def test_the_same_seed_gives_the_same_organization():
    assert generate_organization(500, 7) == generate_organization(500, 7)
    assert generate_organization(500, 7) != generate_organization(500, 8)


@pytest.mark.parametrize("shape", ["balanced", "deep", "flat"])
def test_managers_come_first_and_sit_above_their_reports(shape):
    people = generate_organization(2_000, 3, shape=shape)
    seen: dict[str, int] = {}
    for person in people:
        if person.manager_id is None:
            assert not seen, "only the first person has no manager"
        else:
            assert person.manager_id in seen
            assert seen[person.manager_id] > person.level
        seen[person.employee_id] = person.level
        assert 1 <= person.level <= 9


def test_ids_and_emails_are_unique_and_tidy():
    people = generate_organization(3_000, 2, email_domain="acme.test")
    assert len({person.employee_id for person in people}) == 3_000
    emails = [person.email for person in people]
    assert len(set(emails)) == 3_000
    assert all(
        email == email.lower() and email.endswith("@acme.test") and email.isascii()
        for email in emails
    )


def test_people_have_plausible_details():
    people = generate_organization(2_000, 5, enrolled_share=0.3)
    assert 0.25 < sum(person.enrolled for person in people) / len(people) < 0.35
    assert all(1 <= len(person.wants) <= 3 and 1 <= len(person.offers) <= 3 for person in people)
    assert all(person.languages for person in people)
    assert sum("en" in person.languages for person in people) > 1_500
    assert len({person.timezone for person in people}) > 5
    assert len({person.department for person in people}) > 5


def test_one_office_means_one_time_zone():
    people = generate_organization(500, 1, time_zones="one")
    assert len({person.timezone for person in people}) == 1


def test_topic_popularity_is_skewed():
    people = generate_organization(5_000, 1)
    wanted = sum("negotiation" in person.wants for person in people)
    offered = sum("negotiation" in person.offers for person in people)
    assert wanted > 3 * offered


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_small_organization_has_every_department_and_none_swamps_the_rest(seed):
    from collections import Counter

    from peercoach.sample_org import DEPARTMENTS

    people = generate_organization(300, seed)
    sizes = Counter(person.department for person in people if person.manager_id)
    assert set(sizes) == {name for name, _ in DEPARTMENTS}  # "People" included
    assert max(sizes.values()) < 0.25 * len(people)
