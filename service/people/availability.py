"""Local weekly windows to UTC minute-of-week intervals for a given week (DST-aware)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from matching.availability import overlap_minutes, weekly_intervals
from service.people.repository import WindowRow


def utc_intervals(
    windows: Iterable[WindowRow], timezone: str, week_of: date
) -> list[tuple[int, int]]:
    """A person's windows as UTC minute-of-week intervals during the week containing ``week_of``.

    The week matters: while Europe and North America change clocks on different dates, the
    same local evening lands on different UTC hours.
    """
    tz = ZoneInfo(timezone)
    monday = week_of - timedelta(days=week_of.weekday())
    origin = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    starts, ends = [], []
    for w in windows:
        day = monday + timedelta(days=w.weekday)
        local_midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
        start = local_midnight + timedelta(minutes=w.start_minute)
        end = local_midnight + timedelta(minutes=w.end_minute)
        starts.append(int((start.astimezone(UTC) - origin).total_seconds() // 60))
        ends.append(int((end.astimezone(UTC) - origin).total_seconds() // 60))
    return weekly_intervals(starts, ends)


def overlap_hours(
    a: Iterable[WindowRow], a_tz: str, b: Iterable[WindowRow], b_tz: str, week_of: date
) -> float:
    """Hours per week two people are both available, in the week containing ``week_of``."""
    return overlap_minutes(utc_intervals(a, a_tz, week_of), utc_intervals(b, b_tz, week_of)) / 60


def next_monday(today: date) -> date:
    """The week a round plans for: the coming one (DST as it will be then)."""
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def now_week() -> date:
    """The Monday of the coming week, by the real clock (the service's, not matching's)."""
    return next_monday(datetime.now(UTC).date())


def offset_hours(timezone: str, week_of: date) -> float:
    """The timezone's UTC offset in hours at noon on ``week_of`` (DST as it is then)."""
    moment = datetime(week_of.year, week_of.month, week_of.day, 12, tzinfo=ZoneInfo(timezone))
    offset = moment.utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0
