"""The metrics the dashboards show, in display order.

Each metric is a ratio of two value keys summed over one family's population (contract.py); the
value keys are the ones `facts.monthly_contributions` gives each person. A metric never names a
person: it only says which sums to divide.
"""

from __future__ import annotations

from peercoach.insights.contract import Family, MetricDefinition, Unit

# Value keys, one per thing a person contributes. Kept here so that facts.py and the catalog
# below cannot drift apart: a key used by a metric is a key facts.py writes.

# PARTICIPANTS: enrolled in the program at some point in the month.
ENROLLED = "enrolled"  # always 1: summed, it is the number of people enrolled
JOINED = "joined"  # 1 when they joined the program this month
IN_PAIRING = "in_pairing"  # 1 when they were in an active pairing this month
MET = "met"  # 1 when they held at least one session this month

# RESPONDERS: answered an invitation to a proposed match this month.
ANSWERS = "answers"  # how many invitations they answered
ACCEPTED = "accepted"  # how many of those answers were yes

# PAIRED: in an active pairing at some point in the month.
HELD_SESSIONS = "held_sessions"  # sessions held this month in their pairings
EXPECTED_SESSIONS = "expected_sessions"  # sessions the cadence asks for in their days paired
# Held sessions counted up to what the rhythm asks of that pairing: a pair that met twice in its
# first week is on rhythm (100%), not at 280%, and extra meetings don't hide a pair that stopped.
HELD_ON_RHYTHM = "held_on_rhythm"
STALLED = "stalled"  # 1 when a pairing of theirs had not met for six weeks at month end
RECIPROCAL = "reciprocal"  # 1 when they both coached and were coached this month
NEW_CROSS_DEPARTMENT_PARTNERS = "new_cross_department_partners"  # first-time partners elsewhere

# FIRST_MEETINGS: held the first session of a new pairing this month.
FIRST_MEETINGS = "first_meetings"  # how many new pairings of theirs met for the first time
DAYS_TO_FIRST_MEETING = "days_to_first_meeting"  # summed days from pairing start to that meeting

# RATERS: rated at least one session held this month.
RATINGS = "ratings"  # how many sessions they rated
RATING_TOTAL = "rating_total"  # the sum of those ratings (1 to 5 each)

# ACTION_OWNERS: had open actions when their next session was held this month.
ACTIONS_DUE = "actions_due"  # open actions their next session could review
ACTIONS_REVIEWED = "actions_reviewed"  # of those, the ones reviewed at that session

# SURVEY_RESPONDENTS: answered the program survey this month.
SURVEY_ANSWERS = "survey_answers"  # always 1
SURVEY_RATING_TOTAL = "survey_rating_total"  # their rating of the program (1 to 5)

# Every value key each family's contributions carry, so every contribution has every key.
FAMILY_VALUE_KEYS: dict[Family, tuple[str, ...]] = {
    Family.PARTICIPANTS: (ENROLLED, JOINED, IN_PAIRING, MET),
    Family.RESPONDERS: (ANSWERS, ACCEPTED),
    Family.PAIRED: (
        HELD_SESSIONS,
        EXPECTED_SESSIONS,
        HELD_ON_RHYTHM,
        STALLED,
        RECIPROCAL,
        NEW_CROSS_DEPARTMENT_PARTNERS,
    ),
    Family.FIRST_MEETINGS: (FIRST_MEETINGS, DAYS_TO_FIRST_MEETING),
    Family.RATERS: (RATINGS, RATING_TOTAL),
    Family.ACTION_OWNERS: (ACTIONS_DUE, ACTIONS_REVIEWED),
    Family.SURVEY_RESPONDENTS: (SURVEY_ANSWERS, SURVEY_RATING_TOTAL),
}


METRICS: list[MetricDefinition] = [
    MetricDefinition(
        key="enrolled",
        label="People enrolled",
        description="Everyone taking part in the program at some point in the month.",
        family=Family.PARTICIPANTS,
        unit=Unit.PEOPLE,
        numerator=ENROLLED,
    ),
    MetricDefinition(
        key="joined",
        label="Joined this month",
        description="People who agreed to the ground rules and joined during the month.",
        family=Family.PARTICIPANTS,
        unit=Unit.PEOPLE,
        numerator=JOINED,
    ),
    MetricDefinition(
        key="in_pairing",
        label="In a pairing",
        description="Of the people enrolled, the share who were in an active pairing.",
        family=Family.PARTICIPANTS,
        unit=Unit.SHARE,
        numerator=IN_PAIRING,
    ),
    MetricDefinition(
        key="met",
        label="Met this month",
        description="Of the people enrolled, the share who held at least one session.",
        family=Family.PARTICIPANTS,
        unit=Unit.SHARE,
        numerator=MET,
    ),
    MetricDefinition(
        key="match_acceptance",
        label="Matches accepted",
        description="Of the answers to a proposed match, the share that were a yes.",
        family=Family.RESPONDERS,
        unit=Unit.SHARE,
        numerator=ACCEPTED,
        denominator=ANSWERS,
    ),
    MetricDefinition(
        key="days_to_first_meeting",
        label="Time to first meeting",
        description="Days from a pairing starting to its first session held.",
        family=Family.FIRST_MEETINGS,
        unit=Unit.AVERAGE,
        numerator=DAYS_TO_FIRST_MEETING,
        denominator=FIRST_MEETINGS,
        decimals=1,
    ),
    MetricDefinition(
        key="meetings_against_cadence",
        label="Meetings held against the rhythm",
        description=(
            "Sessions held, as a share of the sessions the program's rhythm asks for in the "
            "days people were paired; meeting more often than the rhythm counts as 100%."
        ),
        family=Family.PAIRED,
        unit=Unit.SHARE,
        numerator=HELD_ON_RHYTHM,
        denominator=EXPECTED_SESSIONS,
    ),
    MetricDefinition(
        key="stalled",
        label="Pairs that stalled",
        description=(
            "Of the people paired, the share whose pairing had not met for six weeks by the "
            "end of the month."
        ),
        family=Family.PAIRED,
        unit=Unit.SHARE,
        numerator=STALLED,
    ),
    MetricDefinition(
        key="session_rating",
        label="Session rating",
        description="How useful people found their sessions, from 1 to 5.",
        family=Family.RATERS,
        unit=Unit.AVERAGE,
        numerator=RATING_TOTAL,
        denominator=RATINGS,
        decimals=1,
    ),
    MetricDefinition(
        key="actions_reviewed",
        label="Actions looked at again",
        description=(
            "Of the open actions people brought to their next session, the share they went "
            "over there."
        ),
        family=Family.ACTION_OWNERS,
        unit=Unit.SHARE,
        numerator=ACTIONS_REVIEWED,
        denominator=ACTIONS_DUE,
    ),
    MetricDefinition(
        key="reciprocity",
        label="Coached and were coached",
        description="Of the people paired, the share who both helped a peer and were helped.",
        family=Family.PAIRED,
        unit=Unit.SHARE,
        numerator=RECIPROCAL,
    ),
    MetricDefinition(
        key="cross_department_connections",
        label="New links across departments",
        description=(
            "New partners from another department per person paired: people who had never "
            "been paired together before."
        ),
        family=Family.PAIRED,
        unit=Unit.AVERAGE,
        numerator=NEW_CROSS_DEPARTMENT_PARTNERS,
        decimals=2,
    ),
    MetricDefinition(
        key="survey_rating",
        label="Program rating",
        description="How people rated the program in its survey, from 1 to 5.",
        family=Family.SURVEY_RESPONDENTS,
        unit=Unit.AVERAGE,
        numerator=SURVEY_RATING_TOTAL,
        denominator=SURVEY_ANSWERS,
        decimals=1,
    ),
]

METRICS_BY_KEY: dict[str, MetricDefinition] = {metric.key: metric for metric in METRICS}

# The few figures the overview, the health page and the sponsor's email lead with.
HEADLINE_METRICS = ("enrolled", "in_pairing", "meetings_against_cadence", "session_rating")
