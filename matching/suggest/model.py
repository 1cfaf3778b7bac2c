"""What the recommender knows: people, events, associations and the edges between them.

Frozen dataclasses, already normalised by the service (taxonomy slugs, ISO 639-1 language
codes, UTC datetimes, WGS84 coordinates). Nothing here holds contact details: a person is
named in reasons by ``first_name`` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from matching.profiles import Profile

#: Kinds of suggestion and of edge.
SuggestionKind = Literal["event", "association"]
EdgeKind = Literal["member", "rsvp", "mentor"]
#: Event kinds (sql/0023_events.sql); "volunteering" is its own group for diversity.
EVENT_KINDS = (
    "workshop",
    "seminar",
    "webinar",
    "networking",
    "bootcamp",
    "volunteering",
    "study_group",
)
#: Score components, in the order they are reported.
COMPONENTS = ("content", "network", "popularity")


@dataclass(frozen=True)
class Person:
    """Someone to suggest to (mentee, mentor or both).

    ``profile`` is matching's :class:`~matching.profiles.Profile` (skills, goals,
    certifications, tools, languages, availability as UTC minute-of-week intervals).
    ``timezone`` is an IANA name (times in reasons are read in it); ``coordinates`` are
    ``(latitude, longitude)`` in degrees or None when unknown. What they joined, RSVPed and
    who mentors them are :class:`Edge` s, not fields, so the graph has one source of truth.
    """

    key: str
    first_name: str = ""
    profile: Profile = field(default_factory=Profile)
    timezone: str = "UTC"
    coordinates: tuple[float, float] | None = None
    city: str = ""
    country: str = ""


@dataclass(frozen=True)
class Event:
    """An event with its start and end as aware UTC datetimes.

    ``series`` groups the occurrences of one recurring event (e.g. the iCalendar UID without
    the occurrence); ``host`` is the hosting association's key or None. ``languages`` empty
    means any; ``full`` means no place is left.
    """

    key: str
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    timezone: str = "UTC"
    online: bool = False
    coordinates: tuple[float, float] | None = None
    city: str = ""
    country: str = ""
    tags: tuple[str, ...] = ()
    text: str = ""
    languages: tuple[str, ...] = ()
    full: bool = False
    host: str | None = None
    series: str | None = None


@dataclass(frozen=True)
class Association:
    """A professional association, local group, university or online community."""

    key: str
    name: str
    kind: str = ""
    online: bool = False
    coordinates: tuple[float, float] | None = None
    city: str = ""
    country: str = ""
    tags: tuple[str, ...] = ()
    text: str = ""
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edge:
    """One relation: ``member`` (person -> association key), ``rsvp`` (person -> event key) or
    ``mentor`` (mentee's key -> their mentor's key; the graph is undirected)."""

    kind: EdgeKind
    person: str
    target: str


@dataclass(frozen=True)
class Suggestion:
    """One ranked suggestion.

    ``score`` is the weighted sum of ``components`` (each in [0, 1] before weighting);
    ``reasons`` are plain sentences, best first.
    """

    kind: SuggestionKind
    key: str
    score: float
    components: dict[str, float]
    reasons: tuple[str, ...]
    #: "event", "volunteering" or "association": the diversity group it counted in.
    group: str = "event"
    series: str | None = None
