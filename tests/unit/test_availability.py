"""Weekly availability across timezones (pure parts and the DST-aware conversion)."""

from __future__ import annotations

import itertools
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from matching.availability import WEEK_MINUTES, overlap_minutes, weekly_intervals
from service.people.availability import overlap_hours, utc_intervals
from service.people.repository import WindowRow

TUE_18_20 = [WindowRow(1, 18 * 60, 20 * 60)]
WINTER = date(2027, 1, 12)
SUMMER = date(2027, 7, 13)


def test_lisbon_evening_meets_new_york_lunchtime_in_winter():
    ny = [WindowRow(1, 12 * 60, 14 * 60)]  # 17:00-19:00 UTC in January
    assert overlap_hours(TUE_18_20, "Europe/Lisbon", ny, "America/New_York", WINTER) == 1.0


def test_dst_gap_between_europe_and_america_changes_the_overlap():
    # 16 March 2027: the US has moved its clocks (UTC-4), Europe has not yet (UTC+0 in Lisbon).
    ny = [WindowRow(1, 14 * 60, 16 * 60)]
    assert (
        overlap_hours(TUE_18_20, "Europe/Lisbon", ny, "America/New_York", date(2027, 3, 16)) == 2.0
    )
    assert overlap_hours(TUE_18_20, "Europe/Lisbon", ny, "America/New_York", WINTER) == 1.0


def test_window_crossing_the_date_line_wraps_the_week():
    # Monday 06:00-08:00 in Sydney (UTC+11 in January) is Sunday 19:00-21:00 UTC.
    sydney = [WindowRow(0, 6 * 60, 8 * 60)]
    london = [WindowRow(6, 20 * 60, 22 * 60)]  # Sunday 20:00-22:00 UTC
    assert utc_intervals(sydney, "Australia/Sydney", WINTER) == [
        (6 * 1440 + 19 * 60, 6 * 1440 + 21 * 60)
    ]
    assert overlap_hours(sydney, "Australia/Sydney", london, "Europe/London", WINTER) == 1.0


def test_same_timezone_overlap_and_no_overlap():
    a = [WindowRow(1, 18 * 60, 20 * 60), WindowRow(3, 18 * 60, 21 * 60)]
    b = [WindowRow(1, 19 * 60, 22 * 60), WindowRow(3, 20 * 60, 20 * 60 + 30), WindowRow(5, 0, 60)]
    assert overlap_hours(a, "Europe/Berlin", b, "Europe/Berlin", SUMMER) == 1.5
    assert overlap_hours(a, "Europe/Berlin", [], "Europe/Berlin", SUMMER) == 0


def test_weekly_intervals_merge_and_wrap():
    assert weekly_intervals([-60, 10, 20], [30, 25, 40]) == [
        (0, 40),
        (WEEK_MINUTES - 60, WEEK_MINUTES),
    ]
    assert weekly_intervals([5], [5]) == []


spans = st.lists(
    st.tuples(st.integers(-2000, WEEK_MINUTES + 2000), st.integers(1, 600)), max_size=8
).map(lambda xs: weekly_intervals([s for s, _ in xs], [s + n for s, n in xs]))


@given(spans, spans)
def test_overlap_is_symmetric_and_bounded(a, b):
    ab = overlap_minutes(a, b)
    assert ab == overlap_minutes(b, a)
    assert 0 <= ab <= min(sum(e - s for s, e in a), sum(e - s for s, e in b))
    assert overlap_minutes(a, a) == sum(e - s for s, e in a)


@given(spans)
def test_normalised_intervals_are_disjoint_sorted_and_inside_the_week(a):
    for (s1, e1), (s2, _) in itertools.pairwise(a):
        assert e1 < s2
        assert s1 < e1
    assert all(0 <= s < e <= WEEK_MINUTES for s, e in a)
