"""Event and RSVP queries. No commits here: the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from service.kit.db import Conn


@dataclass(frozen=True)
class Filters:
    """What a listing of events may be narrowed to (None: any)."""

    kind: str | None = None
    online: bool | None = None
    country: str | None = None
    tag: str | None = None
    language: str | None = None
    association_id: UUID | None = None
    programme_id: UUID | None = None
    #: Days (UTC) the start falls within; without ``start_from``, events not yet ended.
    start_from: date | None = None
    start_to: date | None = None
    #: scheduled, cancelled or None (both).
    status: str | None = "scheduled"


# $1: the person it is read for (or NULL).
_EVENT = """
SELECT e.id, e.association_id, a.name AS association_name, e.programme_id,
       p.name AS programme_name, e.title, e.kind, e.starts_at, e.ends_at, e.timezone, e.online,
       e.city, COALESCE(e.country, '') AS country, e.latitude, e.longitude, e.tags, e.tag_texts,
       e.languages, e.capacity, e.rsvp_count, e.url, e.description, e.status, e.created_at,
       e.updated_at, e.cancelled_at,
       EXISTS (SELECT 1 FROM event_rsvps r WHERE r.event_id = e.id AND r.person_id = $1)
         AS going
  FROM events e
  LEFT JOIN associations a ON a.id = e.association_id
  LEFT JOIN programmes p ON p.id = e.programme_id
"""


def _filtered(n: int) -> str:
    """The WHERE clause of a listing; the filters are the parameters from ``$n`` on."""
    k, o, c, t, lang, a, p, f, to, s = (f"${i}" for i in range(n, n + 10))
    return (
        f" WHERE ({k}::text IS NULL OR e.kind = {k})"
        f" AND ({o}::boolean IS NULL OR e.online = {o})"
        f" AND ({c}::text IS NULL OR e.country = {c})"
        f" AND ({t}::text IS NULL OR {t} = ANY (e.tags))"
        f" AND ({lang}::text IS NULL OR {lang} = ANY (e.languages))"
        f" AND ({a}::uuid IS NULL OR e.association_id = {a})"
        f" AND ({p}::uuid IS NULL OR e.programme_id = {p})"
        f" AND (CASE WHEN {f}::date IS NULL THEN e.ends_at > now()"
        f"           ELSE e.starts_at >= ({f}::date::timestamp AT TIME ZONE 'UTC') END)"
        f" AND ({to}::date IS NULL"
        f"      OR e.starts_at < (({to}::date + 1)::timestamp AT TIME ZONE 'UTC'))"
        f" AND ({s}::text IS NULL OR e.status = {s})"
    )


def _filter_args(f: Filters) -> tuple[object, ...]:
    return (
        f.kind,
        f.online,
        f.country,
        f.tag,
        f.language,
        f.association_id,
        f.programme_id,
        f.start_from,
        f.start_to,
        f.status,
    )


#: Columns a create or an edit sets (country "" stores NULL).
COLUMNS = (
    "title",
    "kind",
    "starts_at",
    "ends_at",
    "timezone",
    "online",
    "city",
    "country",
    "latitude",
    "longitude",
    "tags",
    "tag_texts",
    "languages",
    "capacity",
    "url",
    "description",
)


def _value(column: str, i: int) -> str:
    return f"NULLIF(${i}, '')" if column == "country" else f"${i}"


async def insert_event(conn: Conn, values: dict[str, Any], created_by: UUID | None) -> UUID:
    """Create an event from column values (with ``association_id`` or ``programme_id``)."""
    names = ["association_id", "programme_id", *COLUMNS]
    placeholders = ", ".join(_value(c, i) for i, c in enumerate(names, start=2))
    event_id: UUID = await conn.fetchval(
        f"INSERT INTO events (created_by, {', '.join(names)})"  # noqa: S608 - names from COLUMNS
        f" VALUES ($1, {placeholders}) RETURNING id",
        created_by,
        *[values.get(c) for c in names],
    )
    return event_id


async def update_event(conn: Conn, event_id: UUID, changes: dict[str, Any]) -> None:
    """Set the given columns (names from :data:`COLUMNS`)."""
    names = [c for c in COLUMNS if c in changes]
    if not names:
        return
    sets = ", ".join(f"{c} = {_value(c, i)}" for i, c in enumerate(names, start=2))
    await conn.execute(
        f"UPDATE events SET {sets}, updated_at = now() WHERE id = $1",  # noqa: S608 - COLUMNS
        event_id,
        *[changes[c] for c in names],
    )


async def lock_event(conn: Conn, event_id: UUID) -> dict[str, Any] | None:
    """The event's stored columns, locked against RSVPs and edits, or None."""
    row = await conn.fetchrow(
        "SELECT id, association_id, programme_id, title, kind, starts_at, ends_at, timezone,"
        " online, city, COALESCE(country, '') AS country, latitude, longitude, capacity,"
        " rsvp_count, status FROM events WHERE id = $1 FOR UPDATE",
        event_id,
    )
    return None if row is None else dict(row)


async def cancel_event(conn: Conn, event_id: UUID) -> None:
    """Mark the event cancelled (kept, with its RSVPs)."""
    await conn.execute(
        "UPDATE events SET status = 'cancelled', cancelled_at = now(), updated_at = now()"
        " WHERE id = $1 AND status = 'scheduled'",
        event_id,
    )


async def host_of(conn: Conn, event_id: UUID) -> tuple[UUID | None, UUID | None] | None:
    """(association_id, programme_id) hosting the event, or None when there is no event."""
    row = await conn.fetchrow(
        "SELECT association_id, programme_id FROM events WHERE id = $1", event_id
    )
    return None if row is None else (row["association_id"], row["programme_id"])


async def get_event(conn: Conn, event_id: UUID, reader: UUID | None) -> dict[str, Any] | None:
    """One event with its host's name (and whether ``reader`` is going)."""
    row = await conn.fetchrow(_EVENT + " WHERE e.id = $2", reader, event_id)
    return None if row is None else dict(row)


async def list_events(
    conn: Conn, reader: UUID | None, filters: Filters, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of events, soonest first, and how many match."""
    args = _filter_args(filters)
    rows = await conn.fetch(
        _EVENT + _filtered(2) + " ORDER BY e.starts_at, e.id LIMIT $12 OFFSET $13",
        reader,
        *args,
        limit,
        offset,
    )
    count = "SELECT count(*) FROM events e" + _filtered(1)  # noqa: S608 - our SQL
    total: int = await conn.fetchval(count, *args)
    return [dict(r) for r in rows], total


async def attendees(conn: Conn, event_id: UUID) -> list[dict[str, Any]]:
    """Who is going (id, display_name), by name: signed-up people only."""
    rows = await conn.fetch(
        """SELECT pe.id, pe.display_name FROM event_rsvps r
             JOIN people pe ON pe.id = r.person_id
            WHERE r.event_id = $1 AND pe.claimed_at IS NOT NULL
            ORDER BY lower(pe.display_name), pe.id""",
        event_id,
    )
    return [dict(r) for r in rows]


async def add_rsvp(conn: Conn, event_id: UUID, person_id: UUID) -> bool:
    """Record that the person is going; False if they already were."""
    added = await conn.fetchval(
        "INSERT INTO event_rsvps (event_id, person_id) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING RETURNING 1",
        event_id,
        person_id,
    )
    return added is not None


async def take_place(conn: Conn, event_id: UUID) -> int | None:
    """Count one more person going, only if the event is scheduled, not started and not full
    (one conditional UPDATE: concurrent RSVPs each see the count the one before left);
    the new count, or None when the event took no one."""
    count: int | None = await conn.fetchval(
        """UPDATE events SET rsvp_count = rsvp_count + 1
            WHERE id = $1 AND status = 'scheduled' AND starts_at > now()
              AND (capacity IS NULL OR rsvp_count < capacity)
        RETURNING rsvp_count""",
        event_id,
    )
    return count


async def remove_rsvp(conn: Conn, event_id: UUID, person_id: UUID) -> bool:
    """Delete the person's RSVP and free its place; False if they were not going."""
    removed = await conn.fetchval(
        "DELETE FROM event_rsvps WHERE event_id = $1 AND person_id = $2 RETURNING 1",
        event_id,
        person_id,
    )
    if removed is None:
        return False
    await conn.execute("UPDATE events SET rsvp_count = rsvp_count - 1 WHERE id = $1", event_id)
    return True


async def rsvp_state(conn: Conn, event_id: UUID) -> dict[str, Any] | None:
    """Why an event took no one: its status, start, capacity and count (or None)."""
    row = await conn.fetchrow(
        "SELECT title, status, starts_at, capacity, rsvp_count, starts_at <= now() AS started"
        " FROM events WHERE id = $1",
        event_id,
    )
    return None if row is None else dict(row)


async def upcoming_of_association(
    conn: Conn, association_id: UUID, limit: int
) -> list[dict[str, Any]]:
    """The association's next scheduled events (id, title, kind, times, place, places)."""
    rows = await conn.fetch(
        """SELECT id, title, kind, starts_at, ends_at, timezone, online, city,
                  COALESCE(country, '') AS country, capacity, rsvp_count
             FROM events
            WHERE association_id = $1 AND status = 'scheduled' AND ends_at > now()
            ORDER BY starts_at, id LIMIT $2""",
        association_id,
        limit,
    )
    return [dict(r) for r in rows]


async def starts_after(conn: Conn, when: datetime) -> bool:
    """Whether ``when`` is still to come by the database's clock (the one RSVPs use)."""
    return bool(await conn.fetchval("SELECT $1::timestamptz > now()", when))


async def host_choices(conn: Conn, person_id: UUID, *, everyone: bool) -> dict[str, list[Any]]:
    """The associations and programmes the person may host events for (all of them for a
    site admin), each (id, name) by name."""
    associations = await conn.fetch(
        """SELECT a.id, a.name FROM associations a
            WHERE $2 OR EXISTS (SELECT 1 FROM association_admins ad
                                 WHERE ad.association_id = a.id AND ad.person_id = $1)
            ORDER BY lower(a.name), a.id""",
        person_id,
        everyone,
    )
    programmes = await conn.fetch(
        """SELECT p.id, p.name FROM programmes p
            WHERE $2 OR EXISTS (SELECT 1 FROM programme_organisers o
                                 WHERE o.programme_id = p.id AND o.person_id = $1)
            ORDER BY lower(p.name), p.id""",
        person_id,
        everyone,
    )
    return {
        "associations": [dict(r) for r in associations],
        "programmes": [dict(r) for r in programmes],
    }
