"""What the recommender needs, loaded (async ``load_*``) then built (pure ``build_world``).

The loaders return plain, picklable rows (they travel to the worker's process pool, where
:func:`build_world` turns them into the recommender's :mod:`matching.suggest` inputs). Only
people with an account are suggested to; only scheduled, upcoming events are suggested
(cancelled ones are left out here: the recommender does not know them); memberships count
while active or requested, mentorships while pending or active.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from matching.profiles import Profile
from matching.suggest import Association, Edge, Event, Person
from service.calendars.places import find_city
from service.kit.db import OPEN, Conn
from service.people.availability import offset_hours, utc_intervals
from service.people.repository import WindowRow
from service.taxonomy.repository import load_taxonomy

#: Membership statuses that make an edge of the graph (and hide the association).
MEMBER = ("active", "requested")


@dataclass(frozen=True)
class PersonRow:
    """A person's profile as the recommender reads it."""

    id: UUID
    display_name: str
    skills: list[str]
    goals: list[str]
    certifications_held: list[str]
    certifications_target: list[str]
    tools: list[str]
    industries: list[str]
    languages: list[str]
    years_experience: int
    current_role: str
    headline: str
    bio: str
    employer: str
    city: str
    country: str
    timezone: str


@dataclass(frozen=True)
class EventRow:
    """A scheduled, upcoming event."""

    id: UUID
    association_id: UUID | None
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    online: bool
    city: str
    country: str | None
    latitude: float | None
    longitude: float | None
    tags: list[str]
    description: str
    languages: list[str]
    capacity: int | None
    rsvp_count: int
    ical_uid: str | None


@dataclass(frozen=True)
class AssociationRow:
    """An association."""

    id: UUID
    name: str
    kind: str
    online: bool
    city: str
    country: str | None
    focus: list[str]
    description: str
    languages: list[str]


@dataclass(frozen=True)
class WorldRows:
    """Everything loaded, as plain rows: people (with their weekly windows and edges), the
    catalogue (empty when only some people were loaded), and the taxonomy's part."""

    now: datetime
    people: list[PersonRow]
    windows: dict[UUID, list[tuple[int, int, int]]]
    #: ``(kind, person id, target id)``: member, rsvp or mentor (mentee -> mentor).
    edges: list[tuple[str, UUID, UUID]]
    events: list[EventRow] = field(default_factory=list)
    associations: list[AssociationRow] = field(default_factory=list)
    goal_needs: dict[str, dict[str, float]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class World:
    """The recommender's inputs."""

    people: list[Person]
    items: list[Event | Association]
    edges: list[Edge]


_PEOPLE = """
SELECT p.id, p.display_name, p.skills, p.goals, p.certifications_held,
       p.certifications_target, p.tools, p.industries, p.languages, p.years_experience,
       p."current_role", p.headline, p.bio, p.employer, p.city, p.country, p.timezone
  FROM people p
 WHERE p.claimed_at IS NOT NULL AND ($1::uuid[] IS NULL OR p.id = ANY ($1::uuid[]))
 ORDER BY p.id
"""

_WINDOWS = """
SELECT w.person_id, w.weekday, w.start_minute, w.end_minute
  FROM availability_windows w JOIN people p ON p.id = w.person_id
 WHERE p.claimed_at IS NOT NULL AND ($1::uuid[] IS NULL OR p.id = ANY ($1::uuid[]))
"""

# Edges of people with an account; RSVPs only to the events loaded (scheduled, upcoming). An
# association's admins belong to it as much as its members (nobody is suggested the
# association they run).
_EDGES = """
SELECT 'member' AS kind, x.person_id, x.target
  FROM (SELECT m.person_id, m.association_id AS target FROM association_members m
         WHERE m.status = ANY ($2::text[])
        UNION
        SELECT a.person_id, a.association_id FROM association_admins a) x
  JOIN people p ON p.id = x.person_id
 WHERE p.claimed_at IS NOT NULL AND ($1::uuid[] IS NULL OR p.id = ANY ($1::uuid[]))
UNION ALL
SELECT 'rsvp', v.person_id, v.event_id
  FROM event_rsvps v JOIN people p ON p.id = v.person_id JOIN events e ON e.id = v.event_id
 WHERE e.status = 'scheduled' AND e.starts_at > $4 AND p.claimed_at IS NOT NULL
   AND ($1::uuid[] IS NULL OR p.id = ANY ($1::uuid[]))
UNION ALL
SELECT 'mentor', s.mentee_id, s.mentor_id
  FROM mentorships s JOIN people p ON p.id = s.mentee_id JOIN people o ON o.id = s.mentor_id
 WHERE s.status = ANY ($3::text[]) AND p.claimed_at IS NOT NULL AND o.claimed_at IS NOT NULL
   AND ($1::uuid[] IS NULL OR p.id = ANY ($1::uuid[]))
"""

_EVENTS = """
SELECT id, association_id, title, kind, starts_at, ends_at, timezone, online, city, country,
       latitude, longitude, tags, description, languages, capacity, rsvp_count, ical_uid
  FROM events
 WHERE status = 'scheduled' AND starts_at > $1
 ORDER BY starts_at, id
"""

_ASSOCIATIONS = """
SELECT id, name, kind, online, city, country, focus, description, languages
  FROM associations ORDER BY name, id
"""

# Custom tags as people and events typed them, for reasons in words.
_TAG_TEXTS = """
SELECT t.key, min(t.value) AS value
  FROM (SELECT tag_texts FROM people WHERE claimed_at IS NOT NULL AND tag_texts <> '{}'
        UNION ALL SELECT tag_texts FROM events WHERE tag_texts <> '{}') x,
       jsonb_each_text(x.tag_texts) t
 GROUP BY t.key
"""


async def _people(
    conn: Conn, ids: Sequence[UUID] | None, now: datetime
) -> tuple[list[PersonRow], dict[UUID, list[tuple[int, int, int]]], list[tuple[str, UUID, UUID]]]:
    wanted = None if ids is None else list(ids)
    people = [PersonRow(**dict(r)) for r in await conn.fetch(_PEOPLE, wanted)]
    windows: dict[UUID, list[tuple[int, int, int]]] = {}
    for w in await conn.fetch(_WINDOWS, wanted):
        windows.setdefault(w["person_id"], []).append(
            (w["weekday"], w["start_minute"], w["end_minute"])
        )
    edges = [
        (r["kind"], r["person_id"], r["target"])
        for r in await conn.fetch(_EDGES, wanted, list(MEMBER), list(OPEN), now)
    ]
    return people, windows, edges


async def load_world(conn: Conn, now: datetime) -> WorldRows:
    """Everyone with an account, the catalogue and the edges between them, as of ``now``
    (call inside one repeatable-read transaction, so all of it is one snapshot)."""
    people, windows, edges = await _people(conn, None, now)
    events = [EventRow(**dict(r)) for r in await conn.fetch(_EVENTS, now)]
    associations = [AssociationRow(**dict(r)) for r in await conn.fetch(_ASSOCIATIONS)]
    taxonomy = await load_taxonomy(conn)
    labels = {r["key"]: r["value"] for r in await conn.fetch(_TAG_TEXTS)}
    labels.update({slug: t.label for slug, t in taxonomy.terms.items()})
    return WorldRows(now, people, windows, edges, events, associations, taxonomy.goal_needs, labels)


async def load_people(conn: Conn, ids: Sequence[UUID], now: datetime) -> WorldRows:
    """Some people (those of ``ids`` with an account) with their current edges, no catalogue:
    what refreshing them with an already fitted model needs (a mentor's mentees are the
    fitted model's)."""
    people, windows, edges = await _people(conn, ids, now)
    return WorldRows(now, people, windows, edges)


# ---------------------------------------------------------------------------- build (pure)


def _coordinates(city: str, country: str | None) -> tuple[float, float] | None:
    """A place's coordinates from the offline gazetteer (None when it does not know it)."""
    if not city.strip() or not country:
        return None
    found = find_city(city, country)
    return None if found is None else (found.latitude, found.longitude)


def _first_name(display_name: str) -> str:
    words = display_name.split()
    return words[0] if words else ""


def build_person(row: PersonRow, windows: Sequence[tuple[int, int, int]], week_of: date) -> Person:
    """A recommender Person: availability as UTC minute-of-week intervals of ``week_of``'s
    week (daylight saving as it is then), coordinates from the gazetteer."""
    profile = Profile(
        skills=tuple(row.skills),
        goals=tuple(row.goals),
        certifications_held=tuple(row.certifications_held),
        certifications_target=tuple(row.certifications_target),
        tools=tuple(row.tools),
        industries=tuple(row.industries),
        languages=tuple(row.languages),
        years_experience=float(row.years_experience),
        role=row.current_role,
        text=f"{row.headline}. {row.bio}".strip(". "),
        employer=" ".join(row.employer.casefold().split()),
        country=row.country,
        utc_offset_hours=offset_hours(row.timezone, week_of),
        availability=tuple(
            utc_intervals([WindowRow(d, s, e) for d, s, e in windows], row.timezone, week_of)
        ),
    )
    return Person(
        key=str(row.id),
        first_name=_first_name(row.display_name),
        profile=profile,
        timezone=row.timezone,
        coordinates=_coordinates(row.city, row.country),
        city=row.city,
        country=row.country,
    )


def build_event(row: EventRow) -> Event:
    """A recommender Event; occurrences of one imported recurring series share a series."""
    if row.latitude is not None and row.longitude is not None:
        coordinates: tuple[float, float] | None = (row.latitude, row.longitude)
    else:
        coordinates = _coordinates(row.city, row.country)
    # An occurrence's UID is the series' UID, "/" and its start (sql/0023).
    series = None
    if row.ical_uid and "/" in row.ical_uid:
        series = f"{row.association_id}:{row.ical_uid.rsplit('/', 1)[0]}"
    return Event(
        key=str(row.id),
        title=row.title,
        kind=row.kind,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        timezone=row.timezone,
        online=row.online,
        coordinates=None if row.online else coordinates,
        city=row.city,
        country=row.country or "",
        tags=tuple(row.tags),
        text=row.description,
        languages=tuple(row.languages),
        full=row.capacity is not None and row.rsvp_count >= row.capacity,
        host=None if row.association_id is None else str(row.association_id),
        series=series,
    )


def build_association(row: AssociationRow) -> Association:
    """A recommender Association (coordinates of its city from the gazetteer)."""
    return Association(
        key=str(row.id),
        name=row.name,
        kind=row.kind,
        online=row.online,
        coordinates=None if row.online else _coordinates(row.city, row.country),
        city=row.city,
        country=row.country or "",
        tags=tuple(row.focus),
        text=row.description,
        languages=tuple(row.languages),
    )


def build_world(rows: WorldRows) -> World:
    """The recommender's people, items and edges from loaded rows (pure: no I/O)."""
    week_of = rows.now.date()
    people = [build_person(r, rows.windows.get(r.id, []), week_of) for r in rows.people]
    items: list[Event | Association] = [
        *(build_event(r) for r in rows.events),
        *(build_association(r) for r in rows.associations),
    ]
    edges = [Edge(kind, str(person), str(target)) for kind, person, target in rows.edges]  # type: ignore[arg-type]
    return World(people, items, edges)
