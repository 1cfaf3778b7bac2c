"""SQL of suggestions: a person's precomputed suggestions as they stand when read, and what a
programme's members are being suggested."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from service.kit.db import Conn

# What stays worth suggesting when read: an event still scheduled, not started, with a place
# left and not already chosen; an association the person has not joined or asked to join.
_STANDING = """
    (s.kind = 'event' AND e.status = 'scheduled' AND e.starts_at > now()
     AND (e.capacity IS NULL OR e.rsvp_count < e.capacity)
     AND NOT EXISTS (SELECT 1 FROM event_rsvps v
                     WHERE v.event_id = s.event_id AND v.person_id = s.person_id))
    OR (s.kind = 'association'
     AND NOT EXISTS (SELECT 1 FROM association_members m
                     WHERE m.association_id = s.association_id AND m.person_id = s.person_id
                       AND m.status <> 'ended'))
"""

_SUGGESTIONS = f"""
SELECT s.rank, s.kind, coalesce(s.event_id, s.association_id) AS id, s.score, s.reasons,
       s.computed_at,
       coalesce(e.title, a.name) AS title,
       e.kind AS event_kind, e.starts_at, e.ends_at, e.timezone,
       coalesce(e.online, a.online) AS online, coalesce(e.city, a.city) AS city,
       coalesce(e.country, a.country) AS country,
       CASE WHEN e.capacity IS NULL THEN NULL ELSE e.capacity - e.rsvp_count END AS places_left,
       a.kind AS association_kind, h.name AS host_name, h.id AS host_id,
       count(*) OVER () AS total
FROM person_suggestions s
LEFT JOIN events e ON e.id = s.event_id
LEFT JOIN associations a ON a.id = s.association_id
LEFT JOIN associations h ON h.id = e.association_id
WHERE s.person_id = $1 AND ({_STANDING})
ORDER BY s.rank
LIMIT $2 OFFSET $3
"""  # noqa: S608 - constant SQL


@dataclass(frozen=True)
class SuggestionRow:
    """One suggestion as read: the item, where and when, and why."""

    rank: int
    kind: str
    id: UUID
    score: float
    reasons: list[str]
    computed_at: datetime
    title: str
    event_kind: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    timezone: str | None
    online: bool
    city: str
    country: str | None
    places_left: int | None
    association_kind: str | None
    host_name: str | None
    host_id: UUID | None


async def suggestions(
    conn: Conn, person_id: UUID, limit: int, offset: int
) -> tuple[list[SuggestionRow], int]:
    """A page of the person's standing suggestions, best first, and how many there are."""
    rows = await conn.fetch(_SUGGESTIONS, person_id, limit, offset)
    total = rows[0]["total"] if rows else await _standing_count(conn, person_id, offset)
    return [SuggestionRow(**_without(dict(r), "total")) for r in rows], total


async def _standing_count(conn: Conn, person_id: UUID, offset: int) -> int:
    """How many standing suggestions there are (for a page past the last)."""
    if offset == 0:
        return 0
    total: int = await conn.fetchval(
        f"SELECT count(*) FROM person_suggestions s"  # noqa: S608 - constant SQL
        " LEFT JOIN events e ON e.id = s.event_id"
        f" WHERE s.person_id = $1 AND ({_STANDING})",
        person_id,
    )
    return total


def _without(row: dict[str, Any], key: str) -> dict[str, Any]:
    row.pop(key)
    return row


async def computed_at(conn: Conn, person_id: UUID) -> datetime | None:
    """When the person's suggestions were last computed (None: never yet)."""
    at: datetime | None = await conn.fetchval(
        "SELECT max(computed_at) FROM person_suggestions WHERE person_id = $1", person_id
    )
    return at


@dataclass(frozen=True)
class ItemTally:
    """An item suggested to a programme's members: to how many, and how many took it up."""

    kind: str
    id: UUID
    title: str
    starts_at: datetime | None
    suggested_to: int
    taken_up: int


@dataclass(frozen=True)
class ProgrammeTally:
    """What a programme's members are being suggested, in counts."""

    members: int
    with_suggestions: int
    suggestions: int
    rsvps: int
    joined: int
    items: list[ItemTally]


_PROGRAMME_MEMBERS = """
SELECT pm.person_id FROM programme_members pm WHERE pm.programme_id = $1
"""

_TALLY = f"""
WITH members AS ({_PROGRAMME_MEMBERS}),
suggested AS (
    SELECT s.* FROM person_suggestions s JOIN members USING (person_id)
),
taken AS (
    SELECT s.kind, coalesce(s.event_id, s.association_id) AS id, s.person_id,
           CASE WHEN s.kind = 'event' THEN EXISTS (
                    SELECT 1 FROM event_rsvps v
                    WHERE v.event_id = s.event_id AND v.person_id = s.person_id)
                ELSE EXISTS (
                    SELECT 1 FROM association_members m
                    WHERE m.association_id = s.association_id AND m.person_id = s.person_id
                      AND m.status IN ('requested', 'active')) END AS taken_up
    FROM suggested s
)
SELECT (SELECT count(*) FROM members) AS members,
       (SELECT count(DISTINCT person_id) FROM suggested) AS with_suggestions,
       (SELECT count(*) FROM suggested) AS suggestions,
       (SELECT count(*) FROM taken WHERE taken_up AND kind = 'event') AS rsvps,
       (SELECT count(*) FROM taken WHERE taken_up AND kind = 'association') AS joined
"""  # noqa: S608 - constant SQL

_TOP_ITEMS = f"""
WITH members AS ({_PROGRAMME_MEMBERS}),
taken AS (
    SELECT s.kind, coalesce(s.event_id, s.association_id) AS id,
           CASE WHEN s.kind = 'event' THEN EXISTS (
                    SELECT 1 FROM event_rsvps v
                    WHERE v.event_id = s.event_id AND v.person_id = s.person_id)
                ELSE EXISTS (
                    SELECT 1 FROM association_members m
                    WHERE m.association_id = s.association_id AND m.person_id = s.person_id
                      AND m.status IN ('requested', 'active')) END AS taken_up
    FROM person_suggestions s JOIN members USING (person_id)
)
SELECT t.kind, t.id, coalesce(e.title, a.name) AS title, e.starts_at,
       count(*) AS suggested_to, count(*) FILTER (WHERE t.taken_up) AS taken_up
FROM taken t
LEFT JOIN events e ON t.kind = 'event' AND e.id = t.id
LEFT JOIN associations a ON t.kind = 'association' AND a.id = t.id
GROUP BY t.kind, t.id, e.title, a.name, e.starts_at
ORDER BY count(*) DESC, coalesce(e.title, a.name), t.id
LIMIT $2
"""  # noqa: S608 - constant SQL


async def programme_tally(conn: Conn, programme_id: UUID, top: int) -> ProgrammeTally:
    """What the programme's members are being suggested: counts, and the ``top`` items."""
    row = await conn.fetchrow(_TALLY, programme_id)
    assert row is not None
    items = await conn.fetch(_TOP_ITEMS, programme_id, top)
    return ProgrammeTally(**dict(row), items=[ItemTally(**dict(r)) for r in items])
