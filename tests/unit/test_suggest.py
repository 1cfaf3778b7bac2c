"""The recommender's invariants (hypothesis) and its reasons on hand-made worlds."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.availability import WEEK_MINUTES, weekly_intervals
from matching.profiles import Profile
from matching.suggest import Association, Edge, Event, Person, Recommender
from matching.suggest.diversity import GROUPS, Candidate, rerank
from matching.suggest.feasibility import haversine_km
from tests.unit.profile_strategies import GOAL_NEEDS
from tests.unit.suggest_strategies import FIRST_NAMES, NOW, worlds

MONDAY = datetime(1970, 1, 5, tzinfo=UTC)


def offset(zone: str, moment: datetime) -> int:
    return int(moment.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() // 60)


def reachable(person: Person, item, max_km: float) -> bool:
    if item.online:
        return True
    if person.city and item.city == person.city and item.country == person.country:
        return True
    if person.coordinates is None or item.coordinates is None:
        return False
    return float(haversine_km(*person.coordinates, *item.coordinates)) <= max_km


def near_in_time(person: Person, event: Event, near: int) -> bool:
    """Independent check: some minute of the event (read at the person's UTC offset of today)
    is within ``near`` minutes plus one 30-minute slot of their availability."""
    if not person.profile.availability:
        return True
    free = np.zeros(WEEK_MINUTES, dtype=bool)
    reach = -(-near // 30) * 30 + 30
    for s, e in person.profile.availability:
        for m in range(s - reach, e + reach):
            free[m % WEEK_MINUTES] = True
    shift = offset(person.timezone, event.starts_at) - offset(person.timezone, NOW)
    start = int((event.starts_at - MONDAY).total_seconds() // 60) + shift
    length = min(int((event.ends_at - event.starts_at).total_seconds() // 60), WEEK_MINUTES)
    return any(free[(start + k) % WEEK_MINUTES] for k in range(length))


@settings(max_examples=60, deadline=None)
@given(worlds(), st.integers(1, 15))
def test_suggestions_pass_every_filter_and_are_well_formed(world, n):
    people, items, edges = world
    model = Recommender(goal_needs=GOAL_NEEDS).fit(people, items, edges)
    by_key = {it.key: it for it in items}
    for person in people:
        chosen = {e.target for e in edges if e.person == person.key and e.kind != "mentor"}
        found = model.suggest(person.key, NOW, n)
        assert len(found) <= n
        assert len({(s.kind, s.key) for s in found}) == len(found)
        for s in found:
            item = by_key[s.key]
            assert s.kind == ("event" if isinstance(item, Event) else "association")
            assert s.key not in chosen
            assert reachable(person, item, model.max_km)
            spoken = set(person.profile.languages)
            assert not item.languages or not spoken or spoken & set(item.languages)
            if isinstance(item, Event):
                assert NOW < item.starts_at <= NOW + timedelta(days=model.horizon_days)
                assert not item.full
                assert near_in_time(person, item, model.near_minutes)
            assert math.isfinite(s.score)
            assert s.score == pytest.approx(sum(s.components.values()), abs=1e-5)
            assert all(0 <= v <= 1 for v in s.components.values())
            assert s.reasons
            assert all(r and (r[0].islower() or r[0].isdigit()) for r in s.reasons)


@settings(max_examples=40, deadline=None)
@given(worlds())
def test_order_quotas_and_names(world):
    people, items, edges = world
    model = Recommender(goal_needs=GOAL_NEEDS, max_per_series=1).fit(people, items, edges)
    for person in people:
        found = model.suggest(person.key, NOW, 20)
        # Re-ranking only interleaves the groups: each group keeps descending scores.
        for group in GROUPS:
            scores = [s.score for s in found if s.group == group]
            assert scores == sorted(scores, reverse=True)
        assert all(c <= 1 for c in Counter(s.series for s in found if s.series).values())
        # Reasons name people by first name only, and only the person's mentors and mentees.
        linked = {e.target for e in edges if e.kind == "mentor" and e.person == person.key}
        linked |= {e.person for e in edges if e.kind == "mentor" and e.target == person.key}
        allowed = {p.first_name for p in people if p.key in linked and p.key != person.key}
        for s in found:
            text = " ".join(s.reasons)
            assert "person-" not in text and "@" not in text
            named = {w.strip(",") for w in text.split() if w.strip(",") in FIRST_NAMES}
            assert named <= allowed


@settings(max_examples=25, deadline=None)
@given(worlds())
def test_deterministic_for_a_random_state(world):
    people, items, edges = world
    first = Recommender(goal_needs=GOAL_NEEDS, random_state=3).fit(people, items, edges)
    second = Recommender(goal_needs=GOAL_NEEDS, random_state=3).fit(people, items, edges)
    for person in people:
        assert first.suggest(person.key, NOW) == second.suggest(person.key, NOW)
    keys = [p.key for p in people]
    assert first.suggest_many(keys, NOW, batch_size=2) == [first.suggest(k, NOW) for k in keys]


candidates = st.lists(
    st.builds(
        Candidate,
        index=st.integers(0, 10_000),
        score=st.floats(0, 1),
        group=st.sampled_from(GROUPS),
        series=st.sampled_from((None, "a", "b", "c")),
    ),
    max_size=40,
    unique_by=lambda c: c.index,
)


@settings(max_examples=200)
@given(candidates, st.integers(0, 25), st.integers(1, 3))
def test_rerank_quotas(items, n, per_series):
    out = rerank(items, n, window=10, max_per_series=per_series, max_group_share=0.6)
    assert len({c.index for c in out}) == len(out) <= n
    assert all(c <= per_series for c in Counter(c.series for c in out if c.series).values())
    # Nothing better of the same group was left out while this one got in (quotas aside).
    for group in GROUPS:
        got = [c.score for c in out if c.group == group]
        assert got == sorted(got, reverse=True)
    top = out[: min(n, 10)]
    # The series quota keeps each series' best sessions; every group left has a place in the
    # top 10 when there are places enough for every group.
    seen: Counter[str] = Counter()
    kept = []
    for c in sorted(items, key=lambda c: (-c.score, c.index)):
        seen[c.series] += c.series is not None
        if c.series is None or seen[c.series] <= per_series:
            kept.append(c)
    present = {c.group for c in kept}
    if len(top) >= len(present):
        assert present <= {c.group for c in top}
    counts = Counter(c.group for c in top)
    for group, count in counts.items():
        others = [c for c in kept if c not in out and c.group != group]
        assert count <= 6 or not others


def test_ten_sessions_of_one_series_are_never_the_list():
    items = [Candidate(i, 1.0 - i / 100, "event", "weekly") for i in range(10)]
    items += [Candidate(100 + i, 0.1, "event", None) for i in range(10)]
    out = rerank(items, 10)
    assert sum(c.series == "weekly" for c in out) == 2


# ---------------------------------------------------------------- hand-made worlds
WINTER = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # a Monday; Lisbon is on UTC until 28 March
TUESDAY_EVENING = weekly_intervals([1440 + 19 * 60], [1440 + 21 * 60])  # 19:00-21:00 UTC


def small_world():
    bea = Person(
        "b",
        "Bea",
        Profile(goals=("get-certified",), languages=("en",), availability=tuple(TUESDAY_EVENING)),
        timezone="Europe/Lisbon",
        coordinates=(38.72, -9.14),
        city="Lisbon",
        country="PT",
    )
    ana = Person("m", "Ana", Profile(skills=("risk",), languages=("en", "pt")))
    pmi = Association("pmi", "PMI Lisbon", coordinates=(38.7, -9.1), city="Lisbon", country="PT")

    def event(key, start, **kw):
        return Event(key, key, "workshop", start, start + timedelta(hours=1), **kw)

    items = [
        event("e1", datetime(2027, 3, 2, 19, tzinfo=UTC), online=True, tags=("pmp",), host="pmi"),
        event("summer", datetime(2027, 4, 6, 18, tzinfo=UTC), online=True),  # 19:00 WEST
        event("late", datetime(2027, 4, 6, 20, tzinfo=UTC), online=True),  # 21:00 WEST
        event("porto", datetime(2027, 3, 2, 19, tzinfo=UTC), coordinates=(41.15, -8.61)),
        event("french", datetime(2027, 3, 2, 19, tzinfo=UTC), online=True, languages=("fr",)),
        event("past", datetime(2027, 2, 23, 19, tzinfo=UTC), online=True),
        event("full", datetime(2027, 3, 2, 19, tzinfo=UTC), online=True, full=True),
        pmi,
    ]
    edges = [
        Edge("mentor", "b", "m"),
        Edge("member", "m", "pmi"),
        Edge("rsvp", "m", "e1"),
    ]
    labels = {"get-certified": "get certified", "pmp": "PMP"}
    model = Recommender(goal_needs=GOAL_NEEDS, labels=labels, near_minutes=0)
    return model.fit([bea, ana], items, edges), bea


def test_reasons_in_words():
    model, _ = small_world()
    found = {s.key: s for s in model.suggest("b", WINTER)}
    assert found["e1"].reasons[0] == "your mentor Ana is going"
    assert "covers your goal: get certified" in found["e1"].reasons
    assert found["e1"].reasons[-1] == "online, Tuesday 19:00 your time"
    assert found["pmi"].reasons[0] == "your mentor Ana is a member"
    assert found["pmi"].reasons[-1] == "meets in your city"
    assert found["e1"].components["network"] > 0


def test_filters_on_a_hand_made_world():
    model, _ = small_world()
    keys = {s.key for s in model.suggest("b", WINTER)}
    # Far, in a language Bea does not speak, past, full, or at 21:00 her summer time: out.
    assert keys == {"e1", "summer", "pmi"}


def test_a_changed_person_is_suggested_from_their_current_edges():
    model, bea = small_world()
    now = WINTER.timestamp()  # POSIX seconds are accepted as well
    keys = {s.key for s in model.suggest(bea, now, edges=[Edge("rsvp", "b", "e1")])}
    assert "e1" not in keys
    assert "pmi" in keys
    moved = Person("new", "Cy", bea.profile, timezone="Europe/Lisbon", coordinates=(41.1, -8.6))
    found = model.suggest(moved, now)
    assert {s.key for s in found} == {"e1", "summer", "porto"}  # PMI Lisbon: 270 km away
    assert not any("mentor" in r for s in found for r in s.reasons)


def test_unknown_people_and_naive_times_are_refused():
    model, _ = small_world()
    with pytest.raises(KeyError):
        model.suggest("nobody", WINTER)
    with pytest.raises(ValueError, match="aware"):
        model.suggest("b", datetime(2027, 3, 1))


def test_haversine_lisbon_porto():
    assert float(haversine_km(38.72, -9.14, 41.15, -8.61)) == pytest.approx(274, abs=3)
