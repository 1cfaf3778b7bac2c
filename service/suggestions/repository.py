"""SQL of suggestions: a person's precomputed suggestions as they stand when read, and what a
programme's members are being suggested."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from service.kit.db import Conn, deleted

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
                       AND m.status <> 'ended')
     AND NOT EXISTS (SELECT 1 FROM association_admins a
                     WHERE a.association_id = s.association_id AND a.person_id = s.person_id))
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
    """When the person's suggestions were last computed, even to nothing (None: never yet)."""
    at: datetime | None = await conn.fetchval(
        "SELECT greatest((SELECT computed_at FROM person_suggestions_computed"
        "                 WHERE person_id = $1),"
        "                (SELECT max(computed_at) FROM person_suggestions WHERE person_id = $1))",
        person_id,
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


# Each suggestion held for a member of programme $1, and whether they took it up: RSVPed to
# the event, or joined (or asked to join) the association.
_TAKEN = """
WITH taken AS (
    SELECT s.kind, coalesce(s.event_id, s.association_id) AS id, s.person_id,
           CASE WHEN s.kind = 'event' THEN EXISTS (
                    SELECT 1 FROM event_rsvps v
                    WHERE v.event_id = s.event_id AND v.person_id = s.person_id)
                ELSE EXISTS (
                    SELECT 1 FROM association_members m
                    WHERE m.association_id = s.association_id AND m.person_id = s.person_id
                      AND m.status IN ('requested', 'active')) END AS taken_up
    FROM person_suggestions s
    JOIN programme_members pm ON pm.person_id = s.person_id AND pm.programme_id = $1
)
"""

_TALLY = f"""{_TAKEN}
SELECT (SELECT count(*) FROM programme_members WHERE programme_id = $1) AS members,
       (SELECT count(DISTINCT person_id) FROM taken) AS with_suggestions,
       (SELECT count(*) FROM taken) AS suggestions,
       (SELECT count(*) FROM taken WHERE taken_up AND kind = 'event') AS rsvps,
       (SELECT count(*) FROM taken WHERE taken_up AND kind = 'association') AS joined
"""  # noqa: S608 - constant SQL

_TOP_ITEMS = f"""{_TAKEN}
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


# ---------------------------------------------------------------------------- the worker's writes


@dataclass(frozen=True)
class StoredSuggestion:
    """One suggestion to store: rank 1 is the best."""

    person_id: UUID
    rank: int
    kind: str
    item_id: UUID
    score: float
    reasons: list[str]
    components: dict[str, float]


_CLEAR = "DELETE FROM person_suggestions WHERE person_id = ANY ($1::uuid[])"

# People erased and items deleted since they were loaded are left out (locked so that they
# stay until the commit); a rank may then be skipped, which reading by rank does not mind.
_INSERT = """
WITH t AS (
    SELECT * FROM unnest($1::uuid[], $2::smallint[], $3::text[], $4::uuid[], $5::real[],
                         $6::text[], $7::text[])
                  AS t(person_id, rank, kind, item_id, score, reasons, components)
),
live_people AS (SELECT id FROM people WHERE id IN (SELECT person_id FROM t) FOR KEY SHARE),
live_events AS (
    SELECT id FROM events WHERE id IN (SELECT item_id FROM t WHERE kind = 'event') FOR KEY SHARE
),
live_associations AS (
    SELECT id FROM associations WHERE id IN (SELECT item_id FROM t WHERE kind = 'association')
    FOR KEY SHARE
)
INSERT INTO person_suggestions (person_id, rank, kind, event_id, association_id, score,
                                reasons, components, computed_at)
SELECT t.person_id, t.rank, t.kind,
       CASE WHEN t.kind = 'event' THEN t.item_id END,
       CASE WHEN t.kind = 'association' THEN t.item_id END,
       t.score, t.reasons::jsonb, t.components::jsonb, now()
  FROM t
 WHERE t.person_id IN (SELECT id FROM live_people)
   AND (t.item_id IN (SELECT id FROM live_events)
        OR t.item_id IN (SELECT id FROM live_associations))
"""

_COMPUTED = """
INSERT INTO person_suggestions_computed (person_id, computed_at)
SELECT p.id, now() FROM people p WHERE p.id = ANY ($1::uuid[]) FOR KEY SHARE OF p
ON CONFLICT (person_id) DO UPDATE SET computed_at = EXCLUDED.computed_at
"""


async def replace_suggestions(
    conn: Conn, people: Sequence[UUID], rows: Sequence[StoredSuggestion]
) -> int:
    """Replace the suggestions of ``people`` (all of them, even those given no row) with
    ``rows``, set-wise: one DELETE and one INSERT from arrays whatever their number; how many
    rows were stored."""
    ids = list(people)
    await conn.execute(_CLEAR, ids)
    status = await conn.execute(
        _INSERT,
        [r.person_id for r in rows],
        [r.rank for r in rows],
        [r.kind for r in rows],
        [r.item_id for r in rows],
        [r.score for r in rows],
        [json.dumps(r.reasons, ensure_ascii=False) for r in rows],
        [json.dumps(r.components) for r in rows],
    )
    await conn.execute(_COMPUTED, ids)
    return int(status.rsplit(" ", 1)[-1])


async def claim_stale(conn: Conn, limit: int) -> list[UUID]:
    """Take up to ``limit`` people marked stale, oldest mark first, removing their marks;
    rows another transaction is claiming are skipped, so two workers never take one person."""
    rows = await conn.fetch(
        "DELETE FROM suggestions_stale WHERE person_id IN ("
        " SELECT person_id FROM suggestions_stale ORDER BY since, person_id LIMIT $1"
        " FOR UPDATE SKIP LOCKED) RETURNING person_id",
        limit,
    )
    return [r["person_id"] for r in rows]


async def mark_stale(conn: Conn, people: Sequence[UUID]) -> None:
    """Mark people stale again (a refresh that claimed them failed)."""
    await conn.execute("SELECT suggestions_mark($1::uuid[])", list(people))


async def stale_marks(conn: Conn) -> list[tuple[UUID, datetime]]:
    """Every stale mark as this transaction sees it: person and time marked."""
    rows = await conn.fetch("SELECT person_id, since FROM suggestions_stale")
    return [(r["person_id"], r["since"]) for r in rows]


async def clear_marks(conn: Conn, marks: Sequence[tuple[UUID, datetime]]) -> int:
    """Remove these marks, each only if it was not moved since (its person marked again);
    how many were removed."""
    return await deleted(
        conn,
        "DELETE FROM suggestions_stale s USING unnest($1::uuid[], $2::timestamptz[])"
        " AS t(person_id, since) WHERE s.person_id = t.person_id AND s.since = t.since",
        [m[0] for m in marks],
        [m[1] for m in marks],
    )


async def stale_count(conn: Conn) -> int:
    """How many people wait for a refresh."""
    count: int = await conn.fetchval("SELECT count(*) FROM suggestions_stale")
    return count


@dataclass(frozen=True)
class RefreshState:
    """When the catalogue last changed, when everyone was last recomputed and which
    catalogue change that saw, and the database's clock (the snapshot's time)."""

    catalogue_changed_at: datetime
    everyone_at: datetime | None
    everyone_catalogue: datetime | None
    now: datetime
    #: How long the last recomputation of everyone took (None: none on record).
    everyone_took: timedelta | None = None


async def refresh_state(conn: Conn) -> RefreshState:
    """The refresh state as this transaction sees it."""
    row = await conn.fetchrow(
        "SELECT catalogue_changed_at, everyone_at, everyone_catalogue, now() AS now,"
        " everyone_took FROM suggestions_state"
    )
    assert row is not None
    return RefreshState(**dict(row))


async def set_everyone(conn: Conn, at: datetime, catalogue: datetime) -> None:
    """Record a recomputation of everyone from the snapshot taken at ``at``, which saw the
    catalogue as changed last at ``catalogue``, and how long it took (until now)."""
    await conn.execute(
        "UPDATE suggestions_state SET everyone_at = $1, everyone_catalogue = $2,"
        " everyone_took = greatest(clock_timestamp() - $1, interval '0')",
        at,
        catalogue,
    )


async def try_lock_refresh(conn: Conn) -> bool:
    """Take the refresh's session advisory lock if free (one refresh at a time, whatever
    the number of workers)."""
    got: bool = await conn.fetchval("SELECT pg_try_advisory_lock(hashtext('suggestions'), 0)")
    return got


async def unlock_refresh(conn: Conn) -> None:
    """Release :func:`try_lock_refresh`'s lock."""
    await conn.execute("SELECT pg_advisory_unlock(hashtext('suggestions'), 0)")
