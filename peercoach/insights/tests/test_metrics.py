"""The metrics catalog: every metric divides sums that facts.py actually writes."""

from __future__ import annotations

from peercoach.insights.contract import Family, Unit
from peercoach.insights.metrics import FAMILY_VALUE_KEYS, METRICS, METRICS_BY_KEY


def test_every_metric_divides_keys_its_family_carries() -> None:
    for metric in METRICS:
        carried = FAMILY_VALUE_KEYS[metric.family]
        assert metric.numerator in carried, metric.key
        assert metric.denominator == "" or metric.denominator in carried, metric.key


def test_metric_keys_are_unique() -> None:
    assert len(METRICS_BY_KEY) == len(METRICS)


def test_every_figure_the_issue_asks_for_has_a_metric() -> None:
    assert {
        "enrolled",
        "joined",
        "in_pairing",
        "met",
        "match_acceptance",
        "days_to_first_meeting",
        "meetings_against_cadence",
        "stalled",
        "session_rating",
        "actions_reviewed",
        "reciprocity",
        "cross_department_connections",
        "survey_rating",
    } <= set(METRICS_BY_KEY)


def test_every_family_is_shown_by_some_metric() -> None:
    assert {metric.family for metric in METRICS} == set(Family)


def test_counts_of_people_are_sums_of_ones_over_the_whole_population() -> None:
    for metric in METRICS:
        if metric.unit == Unit.PEOPLE:
            assert metric.denominator == "", metric.key


def test_labels_and_descriptions_are_short_and_plain() -> None:
    for metric in METRICS:
        assert 0 < len(metric.label) <= 40, metric.key
        assert metric.description.endswith("."), metric.key
        assert len(metric.description) <= 160, metric.key
