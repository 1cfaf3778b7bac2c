"""Feasibility filters, vectorised over every item for one person.

An item is feasible for a person when it is upcoming (events), reachable (online, in the
person's city, or within ``max_km`` by great-circle distance), in a language they speak (an
item without languages is in any), at a time inside or within ``near_minutes`` of their weekly
availability read in their own timezone (events), not full, and not already chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from matching.availability import WEEK_MINUTES
from matching.features import N_SLOTS, SLOT_MINUTES, availability_slots
from matching.suggest.model import Association, Event, Person

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
EARTH_KM = 6371.0088
#: Monday 1970-01-05 00:00 UTC: minute-of-week 0 of a POSIX time is counted from here.
_MONDAY = 4 * 24 * 3600


def haversine_km(
    lat1: float, lon1: float, lat2: FloatArray | float, lon2: FloatArray | float
) -> FloatArray:
    """Great-circle distance in kilometres from one point to many (degrees in)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=np.float64)


def posix(moment: datetime | float) -> float:
    """POSIX seconds of an aware datetime (or the number itself)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        return moment.timestamp()
    return float(moment)


@lru_cache(maxsize=4096)
def _offset_minutes(timezone: str, day: int) -> int:
    """UTC offset of ``timezone`` at noon UTC of POSIX day ``day``, in minutes."""
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        return 0
    moment = datetime(1970, 1, 1, 12, tzinfo=UTC) + timedelta(days=day)
    offset = moment.astimezone(zone).utcoffset()
    return 0 if offset is None else int(offset.total_seconds() // 60)


@dataclass(frozen=True)
class ItemTable:
    """Every item's filter-relevant attributes as arrays (events first, then associations)."""

    is_event: BoolArray
    starts: FloatArray  # POSIX seconds (associations: +inf, never filtered on time)
    ends: FloatArray
    online: BoolArray
    lat: FloatArray  # NaN when unknown
    lon: FloatArray
    place: npt.NDArray[np.int64]  # code of "city|country" in ``places`` (-1: unknown)
    places: dict[str, int]
    languages: npt.NDArray[np.bool_]  # item x language code in ``language_codes``
    language_codes: dict[str, int]
    any_language: BoolArray  # items with no language: in any
    full: BoolArray
    start_slot: npt.NDArray[np.int64]  # 30-minute UTC slot of the week the event starts in
    n_slots: npt.NDArray[np.int64]  # slots it spans (capped at a week)
    day: npt.NDArray[np.int64]  # POSIX day of the start

    @classmethod
    def build(cls, events: Sequence[Event], associations: Sequence[Association]) -> ItemTable:
        """Arrays of ``events`` then ``associations``."""
        items: list[Event | Association] = [*events, *associations]
        n_e = len(events)
        starts = np.array([e.starts_at.timestamp() for e in events] + [np.inf] * len(associations))
        ends = np.array([e.ends_at.timestamp() for e in events] + [np.inf] * len(associations))
        finite = np.where(np.isfinite(starts), starts, 0.0)
        span = np.where(np.isfinite(ends), ends - finite, 0.0)
        minute = ((finite - _MONDAY) // 60).astype(np.int64) % WEEK_MINUTES
        slots = np.clip(
            np.ceil((minute % SLOT_MINUTES + span / 60) / SLOT_MINUTES), 1, N_SLOTS
        ).astype(np.int64)

        def coord(i: int) -> tuple[float, float]:
            c = items[i].coordinates
            return (np.nan, np.nan) if c is None else c

        places: dict[str, int] = {}
        for it in items:
            if key := place_key(it.city, it.country):
                places.setdefault(key, len(places))
        codes: dict[str, int] = {}
        for it in items:
            for lang in it.languages:
                codes.setdefault(lang, len(codes))
        languages = np.zeros((len(items), max(1, len(codes))), dtype=bool)
        for i, it in enumerate(items):
            languages[i, [codes[lang] for lang in it.languages]] = True
        coords = np.array([coord(i) for i in range(len(items))], dtype=np.float64).reshape(-1, 2)
        return cls(
            is_event=np.arange(len(items)) < n_e,
            starts=starts,
            ends=ends,
            online=np.array([it.online for it in items], dtype=bool),
            lat=coords[:, 0],
            lon=coords[:, 1],
            place=np.array(
                [places.get(place_key(it.city, it.country), -1) for it in items], np.int64
            ),
            places=places,
            languages=languages,
            language_codes=codes,
            any_language=np.asarray(~languages.any(axis=1), dtype=bool),
            full=np.array([e.full for e in events] + [False] * len(associations), dtype=bool),
            start_slot=minute // SLOT_MINUTES,
            n_slots=slots,
            day=(finite // 86400).astype(np.int64),
        )


def place_key(city: str, country: str) -> str:
    """ "city|country" casefolded, the key two places are the same city by ("" when unknown)."""
    return f"{city.casefold().strip()}|{country.casefold().strip()}" if city.strip() else ""


@dataclass(frozen=True)
class Filters:
    """The filters' parameters (see :class:`~matching.suggest.Recommender`)."""

    max_km: float = 80.0
    near_minutes: int = 90
    horizon_days: float | None = 180.0


def distances_km(person: Person, table: ItemTable) -> FloatArray:
    """Distance from the person to each item in km (NaN when either place is unknown)."""
    if person.coordinates is None:
        return np.full(len(table.online), np.nan)
    lat, lon = person.coordinates
    return haversine_km(lat, lon, table.lat, table.lon)


def feasible(
    person: Person,
    table: ItemTable,
    now: float,
    chosen: BoolArray,
    filters: Filters,
    speaks: BoolArray,
) -> BoolArray:
    """Which items pass every filter for ``person`` at POSIX time ``now``.

    ``chosen`` marks items already joined or RSVPed; ``speaks`` items in a language the
    person speaks (see :func:`language_ok`).
    """
    ok = ~chosen & ~table.full & speaks
    # Upcoming: events not yet started (and within the horizon); associations always.
    ok &= table.starts > now
    if filters.horizon_days is not None:
        ok &= ~table.is_event | (table.starts <= now + filters.horizon_days * 86400)
    # Reachable: online, in the person's city, or close enough.
    with np.errstate(invalid="ignore"):
        near = distances_km(person, table) <= filters.max_km
    here = table.places.get(place_key(person.city, person.country), -2)
    near |= table.place == here
    ok &= table.online | near
    return ok & time_ok(person, table, now, filters.near_minutes)


def language_ok(person: Person, table: ItemTable) -> BoolArray:
    """Items without languages, or in one the person speaks (someone with none: all)."""
    if not person.profile.languages:
        return np.ones(len(table.any_language), dtype=bool)
    spoken = [
        table.language_codes[x] for x in person.profile.languages if x in table.language_codes
    ]
    return table.any_language | table.languages[:, spoken].any(axis=1)


def time_ok(person: Person, table: ItemTable, now: float, near_minutes: int) -> BoolArray:
    """Events at a time inside or within ``near_minutes`` of the person's weekly availability.

    Availability is a week of UTC intervals as of ``now``; an event in another daylight-saving
    period is shifted by the change of the person's UTC offset, so "Tuesday 19:00 local"
    stays Tuesday 19:00 local. Someone with no availability on file is not filtered.
    """
    out = np.ones(len(table.is_event), dtype=bool)
    if not person.profile.availability:
        return out
    mask = availability_slots(person.profile.availability) > 0
    reach = -(-near_minutes // SLOT_MINUTES)
    if reach > 0:
        # Dilate the available slots by ``reach`` on both sides, around the week.
        idx = np.flatnonzero(mask)
        grown = (idx[:, None] + np.arange(-reach, reach + 1)[None, :]) % N_SLOTS
        mask = np.zeros(N_SLOTS, dtype=bool)
        mask[grown.ravel()] = True
    # Prefix sums over two weeks answer "any available slot in [start, start + n)" at once.
    prefix = np.concatenate([[0], np.cumsum(np.concatenate([mask, mask]))])
    ev = np.flatnonzero(table.is_event)
    today = int(now // 86400)
    base = _offset_minutes(person.timezone, today)
    days = table.day[ev]
    uniq, inverse = np.unique(days, return_inverse=True)
    shift = np.array([_offset_minutes(person.timezone, int(d)) - base for d in uniq], np.int64)
    start = (table.start_slot[ev] + shift[inverse] // SLOT_MINUTES) % N_SLOTS
    out[ev] = prefix[start + table.n_slots[ev]] - prefix[start] > 0
    return out
