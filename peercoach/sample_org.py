"""A deterministic synthetic organization for demos, tests and benchmarks.

Nothing here touches Django: the matching benchmark, the demo data and the HR-import
benchmark all build on the same generator, so that figures from each are comparable.

The shape aims to look like a real company to a matcher: a multi-level hierarchy with
varied spans, teams that mostly sit with their manager, several offices in different
time zones, people who speak one or two languages, and coaching topics whose popularity
is skewed (many people want to get better at negotiation; few offer it), so that matching
is not trivially easy.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

import numpy as np

__all__ = ["TOPICS", "SamplePerson", "generate_organization"]


@dataclass(frozen=True, slots=True)
class SamplePerson:
    employee_id: str
    name: str
    email: str
    manager_id: str | None
    department: str
    title: str
    level: int
    office: str
    timezone: str
    languages: tuple[str, ...]
    hours: tuple[int, int]
    wants: tuple[str, ...]
    offers: tuple[str, ...]
    enrolled: bool


# (city, IANA time zone, local language or None when English is the local language, weight)
OFFICES: tuple[tuple[str, str, str | None, float], ...] = (
    ("New York", "America/New_York", None, 0.18),
    ("San Francisco", "America/Los_Angeles", None, 0.12),
    ("Chicago", "America/Chicago", None, 0.06),
    ("Mexico City", "America/Mexico_City", "es", 0.05),
    ("São Paulo", "America/Sao_Paulo", "pt", 0.06),
    ("London", "Europe/London", None, 0.12),
    ("Lisbon", "Europe/Lisbon", "pt", 0.04),
    ("Madrid", "Europe/Madrid", "es", 0.05),
    ("Paris", "Europe/Paris", "fr", 0.05),
    ("Berlin", "Europe/Berlin", "de", 0.07),
    ("Nairobi", "Africa/Nairobi", "sw", 0.03),
    ("Bangalore", "Asia/Kolkata", "hi", 0.08),
    ("Singapore", "Asia/Singapore", "zh", 0.04),
    ("Tokyo", "Asia/Tokyo", "ja", 0.03),
    ("Sydney", "Australia/Sydney", None, 0.02),
)

DEPARTMENTS: tuple[tuple[str, str], ...] = (
    # (department, the individual contributor role in it)
    ("Engineering", "Software Engineer"),
    ("Sales", "Account Executive"),
    ("Support", "Support Specialist"),
    ("Operations", "Operations Specialist"),
    ("Product", "Product Manager"),
    ("Marketing", "Marketing Specialist"),
    ("Finance", "Financial Analyst"),
    ("People", "People Partner"),
    ("Design", "Product Designer"),
    ("Data", "Data Analyst"),
    ("Legal", "Counsel"),
)

# (topic, how often it is wanted, how often it is offered). The skew is deliberate:
# the topics people want most are the ones few feel able to share.
TOPIC_POPULARITY: tuple[tuple[str, float, float], ...] = (
    ("negotiation", 9.0, 1.5),
    ("giving feedback", 8.0, 3.0),
    ("public speaking", 8.0, 2.0),
    ("stakeholder management", 7.0, 3.0),
    ("prioritizing", 7.0, 5.0),
    ("delegation", 6.0, 2.0),
    ("managing up", 6.0, 2.5),
    ("difficult conversations", 6.0, 1.5),
    ("career planning", 5.0, 4.0),
    ("hiring interviews", 4.0, 5.0),
    ("time management", 5.0, 6.0),
    ("leading meetings", 4.0, 4.0),
    ("strategic thinking", 5.0, 2.0),
    ("writing clearly", 3.0, 5.0),
    ("onboarding new joiners", 2.0, 5.0),
    ("mentoring", 3.0, 4.0),
    ("building trust", 3.0, 3.0),
    ("cross-team collaboration", 3.0, 4.0),
    ("handling conflict", 4.0, 2.0),
    ("data storytelling", 3.0, 2.5),
    ("remote collaboration", 2.0, 5.0),
    ("resilience", 3.0, 2.0),
    ("budgeting", 2.0, 3.0),
    ("coaching others", 3.0, 2.0),
    ("presenting to executives", 4.0, 1.0),
)
TOPICS: tuple[str, ...] = tuple(topic for topic, _, _ in TOPIC_POPULARITY)

SECOND_LANGUAGES: tuple[str, ...] = ("es", "fr", "de", "pt", "hi", "zh", "ja", "ar", "it", "nl")

FIRST_NAMES: tuple[str, ...] = (
    "Ana",
    "Ben",
    "Chloé",
    "Dmitri",
    "Emeka",
    "Fatima",
    "Gabriel",
    "Hana",
    "Ines",
    "Jamal",
    "Kenji",
    "Leila",
    "Mateo",
    "Nadia",
    "Oluwaseun",
    "Priya",
    "Quentin",
    "Rosa",
    "Samir",
    "Tomás",
    "Uma",
    "Valentina",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zanele",
    "Aiko",
    "Bruno",
    "Carmen",
    "Daniel",
    "Elena",
    "Farid",
    "Grace",
    "Hiroshi",
    "Isabel",
    "João",
    "Kwame",
    "Lucía",
    "Mei",
    "Nikhil",
    "Olga",
    "Pedro",
    "Rahel",
    "Sofia",
    "Thabo",
    "Ugo",
    "Vikram",
    "Wanjiru",
    "Yara",
    "Zoe",
    "Amara",
    "Björn",
    "Chen",
    "Divya",
    "Esther",
    "Felipe",
    "Giulia",
    "Hamid",
    "Ingrid",
    "Jonas",
    "Keiko",
    "Luca",
    "Marta",
    "Noah",
    "Omar",
    "Paula",
    "Ravi",
    "Sara",
    "Tariq",
    "Ursula",
    "Víctor",
    "Wen",
    "Yasmin",
    "Ahmed",
    "Beatriz",
    "Claire",
    "Diego",
    "Eitan",
    "Femi",
)
LAST_NAMES: tuple[str, ...] = (
    "Lima",
    "Okafor",
    "Nakamura",
    "Schmidt",
    "García",
    "Kowalski",
    "Haddad",
    "Mensah",
    "Rossi",
    "Chen",
    "Patel",
    "Dubois",
    "Silva",
    "Kim",
    "Ivanova",
    "Mwangi",
    "Andersson",
    "Nguyen",
    "Fernández",
    "Osei",
    "Müller",
    "Tanaka",
    "Costa",
    "Khan",
    "Bianchi",
    "Novak",
    "Ali",
    "Moreau",
    "Santos",
    "Park",
    "Hernández",
    "Adeyemi",
    "Larsen",
    "Sato",
    "Martins",
    "Singh",
    "Romero",
    "Wójcik",
    "Farah",
    "Jansen",
    "López",
    "Eze",
    "Yamamoto",
    "Pereira",
    "Das",
    "Ruiz",
    "Kariuki",
    "Berg",
    "Wang",
    "Ortiz",
    "Nowak",
    "Cohen",
    "Alves",
    "Ibrahim",
    "Suzuki",
    "Rodríguez",
    "Fischer",
    "Gupta",
    "Mahlangu",
    "Torres",
    "Hoffmann",
    "Li",
    "Petrov",
    "Asante",
    "Lindqvist",
    "Reyes",
    "Yilmaz",
    "Brown",
    "Murphy",
    "O'Connor",
)

WORKING_HOURS: tuple[tuple[int, int], ...] = ((9, 17), (8, 16), (10, 18))
WORKING_HOURS_WEIGHTS = (0.7, 0.15, 0.15)

# Number of management levels from the top person down to the deepest individual contributor.
DEPTH_BY_SHAPE = {"deep": 9, "balanced": 6, "flat": 4}


def generate_organization(
    size: int = 300,
    seed: int = 1,
    *,
    shape: str = "balanced",
    time_zones: str = "many",
    enrolled_share: float = 0.6,
    email_domain: str = "example.com",
) -> list[SamplePerson]:
    """Return `size` people, managers before their reports; the same seed gives the same list."""
    if size < 1:
        raise ValueError("An organization needs at least one person.")
    if shape not in DEPTH_BY_SHAPE:
        raise ValueError(f"Unknown shape {shape!r}; use one of {sorted(DEPTH_BY_SHAPE)}.")
    if time_zones not in ("many", "one"):
        raise ValueError("time_zones must be 'many' or 'one'.")
    if not 0.0 <= enrolled_share <= 1.0:
        raise ValueError("enrolled_share must be between 0 and 1.")
    rng = np.random.default_rng(seed)
    parents, depths = _hierarchy(size, DEPTH_BY_SHAPE[shape], rng)
    levels = _levels(depths, DEPTH_BY_SHAPE[shape])
    has_reports = np.zeros(size, dtype=bool)
    has_reports[parents[parents >= 0]] = True
    departments = _departments(parents, rng)
    offices = _offices(parents, time_zones, rng)
    wants = _topics(size, rng, column=1)
    offers = _topics(size, rng, column=2)
    names = _names(size, rng)
    emails = _emails(names, email_domain)
    hours_choice = rng.choice(len(WORKING_HOURS), size=size, p=WORKING_HOURS_WEIGHTS)
    enrolled = rng.random(size) < enrolled_share
    languages = _languages(offices, rng)
    width = max(6, len(str(size)))
    ids = [f"E{index:0{width}d}" for index in range(1, size + 1)]
    people = []
    for index in range(size):
        department_index = int(departments[index])
        office_city, office_zone, _, _ = OFFICES[int(offices[index])]
        parent = int(parents[index])
        people.append(
            SamplePerson(
                employee_id=ids[index],
                name=names[index],
                email=emails[index],
                manager_id=ids[parent] if parent >= 0 else None,
                department=DEPARTMENTS[department_index][0] if parent >= 0 else "Executive",
                title=_title(
                    department_index, int(levels[index]), bool(has_reports[index]), parent
                ),
                level=int(levels[index]),
                office=office_city,
                timezone=office_zone,
                languages=languages[index],
                hours=WORKING_HOURS[int(hours_choice[index])],
                wants=wants[index],
                offers=offers[index],
                enrolled=bool(enrolled[index]),
            )
        )
    return people


def _hierarchy(size: int, depth: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Parents and depths, laid out level by level so managers come first.

    Headcount per level grows geometrically; each manager at one level gets a random share
    of the next level, so spans vary (some managers run big teams, some senior people have
    no reports at all).
    """
    parents = np.full(size, -1, dtype=np.int64)
    depths = np.zeros(size, dtype=np.int64)
    if size == 1:
        return parents, depths
    ratio = _growth_ratio(size, depth)
    counts = [1]
    remaining = size - 1
    for level_index in range(1, depth):
        if remaining == 0:
            break
        wanted = remaining if level_index == depth - 1 else math.ceil(ratio**level_index)
        counts.append(min(remaining, max(1, wanted)))
        remaining -= counts[-1]
    start = 0
    for level_index in range(1, len(counts)):
        managers = np.arange(start, start + counts[level_index - 1])
        first = start + counts[level_index - 1]
        # Uneven team sizes: a gamma draw per manager gives a long tail of large teams.
        shares = rng.gamma(1.5, size=len(managers))
        chosen = rng.choice(managers, size=counts[level_index], p=shares / shares.sum())
        chosen.sort()
        parents[first : first + counts[level_index]] = chosen
        depths[first : first + counts[level_index]] = level_index
        start = first
    return parents, depths


def _growth_ratio(size: int, depth: int) -> float:
    """The ratio r with 1 + r + r^2 + ... + r^(depth-1) close to size."""
    low, high = 1.0, float(size)
    for _ in range(60):
        middle = (low + high) / 2
        total = sum(middle**power for power in range(depth))
        low, high = (middle, high) if total < size else (low, middle)
    return low


def _levels(depths: np.ndarray, depth: int) -> np.ndarray:
    # Spread the 9 seniority levels over the depth of the tree, strictly decreasing downward.
    step = 8 / max(1, depth - 1)
    return np.maximum(1, np.round(9 - depths * step)).astype(np.int64)


def _departments(parents: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each department has a leader near the top, and most people stay in their leader's.

    The top person's direct reports lead a department each. While some department has no
    leader, the largest department hands its biggest team to a department of its own, so a
    large enough organization has every department (People included) and none swamps the rest.
    """
    size = len(parents)
    departments = np.zeros(size, dtype=np.int64)
    weights = np.array([3.0, 2.0, 1.5, 1.2, 1.0, 1.0, 0.8, 0.6, 0.6, 0.6, 0.4])
    weights /= weights.sum()
    switches = rng.random(size) < 0.03
    random_departments = rng.choice(len(DEPARTMENTS), size=size, p=weights)
    leaders = _department_leaders(parents)
    for index in range(1, size):
        if index in leaders:
            departments[index] = leaders[index]
        elif switches[index]:
            departments[index] = random_departments[index]
        else:
            departments[index] = departments[parents[index]]
    return departments


def _department_leaders(parents: np.ndarray) -> dict[int, int]:
    """Who leads which department (an index into DEPARTMENTS), the largest departments first."""
    size = len(parents)
    children: list[list[int]] = [[] for _ in range(size)]
    for index in range(1, size):
        children[int(parents[index])].append(index)
    team = np.ones(size, dtype=np.int64)
    for index in range(size - 1, 0, -1):  # managers come before their reports
        team[parents[index]] += team[index]
    headcount = {leader: int(team[leader]) for leader in children[0]}
    while len(headcount) < len(DEPARTMENTS):
        splittable = [
            leader
            for leader in headcount
            if any(child not in headcount for child in children[leader])
        ]
        if not splittable:
            break
        largest = max(splittable, key=lambda leader: (headcount[leader], -leader))
        team_lead = max(
            (child for child in children[largest] if child not in headcount),
            key=lambda child: (int(team[child]), -child),
        )
        headcount[team_lead] = int(team[team_lead])
        headcount[largest] -= int(team[team_lead])
    by_size = sorted(headcount, key=lambda leader: (-headcount[leader], leader))
    return {leader: rank % len(DEPARTMENTS) for rank, leader in enumerate(by_size)}


def _offices(parents: np.ndarray, time_zones: str, rng: np.random.Generator) -> np.ndarray:
    size = len(parents)
    offices = np.zeros(size, dtype=np.int64)
    if time_zones == "one":
        return offices
    weights = np.array([office[3] for office in OFFICES])
    random_offices = rng.choice(len(OFFICES), size=size, p=weights / weights.sum())
    stays = rng.random(size) < 0.75  # most people sit in their manager's office
    for index in range(size):
        parent = parents[index]
        offices[index] = offices[parent] if parent >= 0 and stays[index] else random_offices[index]
    return offices


def _topics(size: int, rng: np.random.Generator, column: int) -> list[tuple[str, ...]]:
    # Weighted sampling without replacement via the Gumbel top-k trick, for all people at once.
    weights = np.array([row[column] for row in TOPIC_POPULARITY], dtype=float)
    keys = np.log(weights) + rng.gumbel(size=(size, len(weights)))
    chosen = np.argsort(-keys, axis=1)[:, :3]
    how_many = rng.choice(3, size=size, p=(0.35, 0.4, 0.25)) + 1
    # Encode each person's choice as one integer, so tuples are built once per distinct choice.
    alphabetical = np.argsort(np.argsort(np.array(TOPICS)))
    ranks = alphabetical[chosen].astype(np.int64)
    ranks[np.arange(3)[None, :] >= how_many[:, None]] = len(TOPICS)  # past the end: unused slot
    ranks.sort(axis=1)
    base = len(TOPICS) + 1
    codes = (ranks[:, 0] * base + ranks[:, 1]) * base + ranks[:, 2]
    unique_codes, inverse = np.unique(codes, return_inverse=True)
    by_rank = sorted(TOPICS)
    decoded = []
    for code in unique_codes.tolist():
        slots = (code // (base * base), (code // base) % base, code % base)
        decoded.append(tuple(by_rank[slot] for slot in slots if slot < len(TOPICS)))
    return [decoded[index] for index in inverse.tolist()]


def _names(size: int, rng: np.random.Generator) -> list[str]:
    first = rng.integers(0, len(FIRST_NAMES), size=size)
    last = rng.integers(0, len(LAST_NAMES), size=size)
    return [f"{FIRST_NAMES[a]} {LAST_NAMES[b]}" for a, b in zip(first, last, strict=True)]


def _emails(names: list[str], domain: str) -> list[str]:
    seen: dict[str, int] = {}
    emails = []
    for name in names:
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        local = ".".join(part for part in ascii_name.lower().replace("'", "").split())
        count = seen.get(local, 0) + 1
        seen[local] = count
        emails.append(f"{local}@{domain}" if count == 1 else f"{local}{count}@{domain}")
    return emails


def _languages(offices: np.ndarray, rng: np.random.Generator) -> list[tuple[str, ...]]:
    size = len(offices)
    draws = rng.random((size, 3))
    second = rng.integers(0, len(SECOND_LANGUAGES), size=size)
    result = []
    for index in range(size):
        local = OFFICES[int(offices[index])][2]
        spoken: list[str] = []
        if local is None or draws[index, 0] < 0.85:
            spoken.append("en")
        if local is not None and (draws[index, 1] < 0.7 or not spoken):
            spoken.append(local)
        if draws[index, 2] < 0.15:
            extra = SECOND_LANGUAGES[int(second[index])]
            if extra not in spoken:
                spoken.append(extra)
        result.append(tuple(spoken))
    return result


def _title(department_index: int, level: int, has_reports: bool, parent: int) -> str:
    department, role = DEPARTMENTS[department_index]
    if parent < 0:
        return "Chief Executive Officer"
    if has_reports:
        if level >= 8:
            return f"VP of {department}"
        if level >= 7:
            return f"Director of {department}"
        if level >= 6:
            return f"Senior {department} Manager"
        return f"{department} Manager"
    prefixes = {1: "Junior ", 2: "Associate ", 3: "", 4: "", 5: "Senior ", 6: "Staff "}
    if level >= 7:
        return f"Principal {role}"
    return f"{prefixes[level]}{role}"
