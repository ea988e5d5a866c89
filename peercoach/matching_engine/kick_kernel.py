"""The kicks of the group search, compiled (numba): one kick and the descent after it in
25-110 microseconds instead of about 2.5 milliseconds.

The numpy search (group_search.py) batches each round into a few array operations, which pays
for a first descent over thousands of people; after a kick only a dozen people look again, and
each round of numpy calls then costs far more than the arithmetic it does (at 10,000 enrolled a
kick took about 2.5 ms, 840 Python calls). Here the same moves and swaps are tried one person at
a time in compiled loops, so a run can afford many times more kicks.

Everything works on one block's local numbers and on SearchState's arrays: `table` (members of
each group, packed from slot 0), `sizes`, `sums` (pair sums), `group_of`, and the link tables
(`links[g, p]`: p's scores with g's members; `bars[g, p]`: how many of them p may not join).
Links are kept up to date by adding and subtracting rows; the caller recomputes them exactly
afterwards. Every group the kernel leaves satisfies every rule: pairs through `bars`, and the
group-wide rules (a language all share, a common working window) by `_holds`.

Only people already in a group are moved: a kick never changes how many people are matched.
Random numbers come from numba's own generator, seeded by the caller, so the same inputs and
seed give the same groups on any machine.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# The same chain length and gain threshold as the numpy kicks.
from peercoach.matching_engine.group_search import GAIN_EPSILON as EPSILON
from peercoach.matching_engine.group_search import KICK_SWAPS

MINUTES_PER_DAY = 24 * 60
WEAK_REFRESH = 64  # kicks between two rankings of the weakest groups


@njit(cache=True)
def _value(total, size):
    return total / (size - 1) if size >= 2 else 0.0


@njit(cache=True)
def _common_window(starts, lengths, count):
    """Minutes of the daily window all share; the same arcs-on-a-circle rule as rules.py."""
    best = 0
    for anchor in range(count):
        start, end = starts[anchor], starts[anchor] + lengths[anchor]
        for other in range(count):
            placed, overlap = 0, -(10**9)
            for shift in (-MINUTES_PER_DAY, 0, MINUTES_PER_DAY):
                moved = starts[other] + shift
                shared = min(end, moved + lengths[other]) - max(start, moved)
                if shared > overlap:
                    placed, overlap = moved, shared
            start, end = max(start, placed), min(end, placed + lengths[other])
            if end <= start:
                break
        best = max(best, end - start)
    return best


@njit(cache=True)
def _holds(members, count, rules):
    """The group-wide rules for members[:count]: a shared language and a common window.

    rules: (languages as bit words per person, window starts, window lengths, the minimum
    minutes to share, and two scratch arrays for the members' windows).
    """
    languages, starts, lengths, minimum, buffer_start, buffer_length = rules
    speak = False
    for word in range(languages.shape[1]):
        shared = languages[members[0], word]
        for spot in range(1, count):
            shared &= languages[members[spot], word]
        speak = speak or shared != 0
    if not speak:
        return False
    for spot in range(count):
        buffer_start[spot] = starts[members[spot]]
        buffer_length[spot] = lengths[members[spot]]
    return _common_window(buffer_start, buffer_length, count) >= minimum


@njit(cache=True)
def _pair_sum(table, group, size, weights):
    total = 0.0
    for first in range(size):
        for second in range(first + 1, size):
            total += weights[table[group, first], table[group, second]]
    return total


@njit(cache=True)
def _add(group, person, table, sizes, group_of, links, bars, weights, barred):
    table[group, sizes[group]] = person
    sizes[group] += 1
    group_of[person] = group
    for other in range(weights.shape[0]):  # plain loops over rows: compiled to vector code
        links[group, other] += weights[person, other]
        bars[group, other] += barred[person, other]


@njit(cache=True)
def _remove(group, person, table, sizes, group_of, links, bars, weights, barred):
    last = sizes[group] - 1
    for slot in range(last + 1):
        if table[group, slot] == person:
            table[group, slot] = table[group, last]
            break
    table[group, last] = -1
    sizes[group] = last
    group_of[person] = -1
    for other in range(weights.shape[0]):
        links[group, other] -= weights[person, other]
        bars[group, other] -= barred[person, other]


@njit(cache=True)
def _log(log, length, added, group, person):
    log[length, 0], log[length, 1], log[length, 2] = added, group, person
    return length + 1


@njit(cache=True)
def _undo(log, length, table, sizes, sums, group_of, links, bars, weights, barred):
    for entry in range(length - 1, -1, -1):
        added, group, person = log[entry, 0], log[entry, 1], log[entry, 2]
        if added:
            _remove(group, person, table, sizes, group_of, links, bars, weights, barred)
        else:
            _add(group, person, table, sizes, group_of, links, bars, weights, barred)
    for entry in range(length):
        group = log[entry, 1]
        sums[group] = _pair_sum(table, group, sizes[group], weights)


@njit(cache=True)
def _change(first, person, second, partner, s, log, length):
    """person leaves group first for group second, and partner (unless -1) goes the other way;
    s is the state tuple. Every step is logged so the change can be undone."""
    table, sizes, sums, group_of, links, bars, weights, _, barred = s
    _remove(first, person, table, sizes, group_of, links, bars, weights, barred)
    length = _log(log, length, 0, first, person)
    if partner >= 0:
        _remove(second, partner, table, sizes, group_of, links, bars, weights, barred)
        length = _log(log, length, 0, second, partner)
        _add(first, partner, table, sizes, group_of, links, bars, weights, barred)
        length = _log(log, length, 1, first, partner)
    _add(second, person, table, sizes, group_of, links, bars, weights, barred)
    length = _log(log, length, 1, second, person)
    sums[first] = _pair_sum(table, first, sizes[first], weights)
    sums[second] = _pair_sum(table, second, sizes[second], weights)
    return length


@njit(cache=True)
def _with_swapped(table, group, size, leaving, arriving, members):
    """members[:size] = the group with `leaving` replaced by `arriving` (or added if -1 leaves)."""
    count = 0
    for slot in range(size):
        member = table[group, slot]
        if member != leaving:
            members[count] = member
            count += 1
    members[count] = arriving
    return count + 1


@njit(cache=True)
def _best_change(person, s, partners, low, high, rules, members):
    """The best improving move or swap of person into a partner's group, rules checked.

    Returns (gain, target group, partner coming back or -1 for a move); target -1: none.
    """
    table, sizes, sums, group_of, links, bars, weights, allowed, _ = s
    home = group_of[person]
    home_size = sizes[home]
    own = links[home, person] - weights[person, person]
    best_gain, best_target, best_partner = EPSILON, -1, -1
    for spot in range(partners.shape[1]):
        mate = partners[person, spot]
        if mate < 0:
            continue
        target = group_of[mate]
        if target < 0 or target == home:
            continue
        seen = False
        for earlier in range(spot):
            other = partners[person, earlier]
            if other >= 0 and group_of[other] == target:
                seen = True
                break
        if seen:
            continue
        size = sizes[target]
        before = _value(sums[home], home_size) + _value(sums[target], size)
        joining = links[target, person]
        if bars[target, person] == 0 and home_size - 1 >= low and size + 1 <= high:
            gain = (
                _value(sums[home] - own, home_size - 1)
                + _value(sums[target] + joining, size + 1)
                - before
            )
            if gain > best_gain:
                count = _with_swapped(table, target, size, -1, person, members)
                if _holds(members, count, rules):
                    best_gain, best_target, best_partner = gain, target, -1
        for slot in range(size):
            partner = table[target, slot]
            blocked = 0 if allowed[person, partner] else 1
            if bars[target, person] - blocked != 0 or bars[home, partner] - blocked != 0:
                continue
            pair = weights[person, partner]
            new_home = sums[home] - own + links[home, partner] - pair
            new_target = sums[target] - (links[target, partner] - weights[partner, partner])
            new_target += joining - pair
            gain = _value(new_home, home_size) + _value(new_target, size) - before
            if gain <= best_gain:
                continue
            count = _with_swapped(table, target, size, partner, person, members)
            if not _holds(members, count, rules):
                continue
            count = _with_swapped(table, home, home_size, person, partner, members)
            if _holds(members, count, rules):
                best_gain, best_target, best_partner = gain, target, partner
    return best_gain, best_target, best_partner


@njit(cache=True)
def _enqueue_group(group, s, queue, queued, tail):
    table, sizes = s[0], s[1]
    for slot in range(sizes[group]):
        member = table[group, slot]
        if not queued[member]:
            queued[member] = True
            queue[tail % queue.shape[0]] = member
            tail += 1
    return tail


@njit(cache=True)
def _descend(s, partners, low, high, rules, members, log, length, queue, queued, head, tail, most):
    """Moves and swaps, one person at a time from the queue, until none helps or `most` were
    taken; members of both groups of each change join the queue."""
    group_of = s[3]
    taken = 0
    while head < tail and taken < most:
        person = queue[head % queue.shape[0]]
        head += 1
        queued[person] = False
        home = group_of[person]
        if home < 0:
            continue
        _, target, partner = _best_change(person, s, partners, low, high, rules, members)
        if target < 0:
            continue
        length = _change(home, person, target, partner, s, log, length)
        taken += 1
        tail = _enqueue_group(home, s, queue, queued, tail)
        tail = _enqueue_group(target, s, queue, queued, tail)
    while head < tail:  # leave the queue empty for the next kick
        queued[queue[head % queue.shape[0]]] = False
        head += 1
    return length


@njit(cache=True)
def _kick(person, s, partners, rules, members, log, length, options):
    """Swap person into a random partner's group, the one displaced into another, three times,
    whatever it does to the score (each swap keeps every rule)."""
    table, sizes, _, group_of, _, bars, _, allowed, _ = s
    for _ in range(KICK_SWAPS):
        home = group_of[person]
        count = 0
        for spot in range(partners.shape[1]):
            mate = partners[person, spot]
            if mate >= 0 and group_of[mate] >= 0 and group_of[mate] != home:
                options[count] = group_of[mate]
                count += 1
        if count == 0:
            break
        target = options[np.random.randint(count)]
        partner = table[target, np.random.randint(sizes[target])]
        blocked = 0 if allowed[person, partner] else 1
        if bars[home, partner] - blocked != 0 or bars[target, person] - blocked != 0:
            break
        size = _with_swapped(table, target, sizes[target], partner, person, members)
        if not _holds(members, size, rules):
            break
        size = _with_swapped(table, home, sizes[home], person, partner, members)
        if not _holds(members, size, rules):
            break
        length = _change(home, person, target, partner, s, log, length)
        person = partner
    return length


@njit(cache=True)
def _total(sums, sizes):
    total = 0.0
    for group in range(sums.shape[0]):
        total += _value(sums[group], sizes[group])
    return total


@njit(cache=True)
def _weakest(sums, sizes, share):
    """The groups with the lowest score per member, the weakest `share` of them."""
    count = 0
    per_member = np.empty(sums.shape[0])
    numbers = np.empty(sums.shape[0], dtype=np.int64)
    for group in range(sums.shape[0]):
        if sizes[group] >= 2:
            per_member[count] = _value(sums[group], sizes[group]) / sizes[group]
            numbers[count] = group
            count += 1
    order = np.argsort(per_member[:count], kind="mergesort")
    return numbers[order[: max(1, round(share * count))]]


@njit(cache=True)
def kick_search(
    s, partners, low, high, rules, kicks, tolerance, seed, weak_chance, weak_share, most
):
    """The iterated search: kick, descend, keep or undo (threshold acceptance, as in
    group_search.iterated_search); ends on the best groups seen. Returns the kicks that found
    a new best total."""
    table, sizes, sums, group_of = s[0], s[1], s[2], s[3]
    np.random.seed(seed)
    people = np.flatnonzero(group_of >= 0)
    if len(people) == 0 or kicks == 0:
        return 0
    members = np.empty(table.shape[1] + 1, dtype=np.int64)
    options = np.empty(partners.shape[1], dtype=np.int64)
    log = np.empty((4 * (most + KICK_SWAPS), 3), dtype=np.int64)
    queue = np.empty(group_of.shape[0], dtype=np.int64)
    queued = np.zeros(group_of.shape[0], dtype=np.bool_)
    best = current = _total(sums, sizes)
    best_state = (table.copy(), sizes.copy(), sums.copy(), group_of.copy())
    kept = 0
    weak = _weakest(sums, sizes, weak_share)
    for number in range(kicks):
        if number % WEAK_REFRESH == 0:
            weak = _weakest(sums, sizes, weak_share)
        person = people[np.random.randint(len(people))]
        if np.random.random() < weak_chance:
            group = weak[np.random.randint(len(weak))]
            person = table[group, np.random.randint(sizes[group])]
        length = _kick(person, s, partners, rules, members, log, 0, options)
        if length == 0:
            continue
        tail = 0
        for entry in range(length):
            tail = _enqueue_group(log[entry, 1], s, queue, queued, tail)
        length = _descend(
            s, partners, low, high, rules, members, log, length, queue, queued, 0, tail, most
        )
        value = _total(sums, sizes)
        allowance = tolerance * (1 - number / kicks)
        if value > best + EPSILON:
            best = current = value
            kept += 1
            best_state[0][:] = table
            best_state[1][:] = sizes
            best_state[2][:] = sums
            best_state[3][:] = group_of
        elif value > current + EPSILON or (allowance > 0 and value >= current - allowance):
            current = value
        else:
            _undo(log, length, table, sizes, sums, group_of, s[4], s[5], s[6], s[8])
    if _total(sums, sizes) < best - EPSILON:
        table[:] = best_state[0]
        sizes[:] = best_state[1]
        sums[:] = best_state[2]
        group_of[:] = best_state[3]
    return kept
