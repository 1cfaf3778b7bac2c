"""The SQL of calendar imports: the importing association, and events written set-wise."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from service.kit.db import Conn

#: The columns of an event that an import writes, with their SQL types.
_COLUMNS = (
    ("title", "text"),
    ("kind", "text"),
    ("starts_at", "timestamptz"),
    ("ends_at", "timestamptz"),
    ("timezone", "text"),
    ("online", "boolean"),
    ("city", "text"),
    ("country", "text"),
    ("latitude", "double precision"),
    ("longitude", "double precision"),
    ("tags", "text[]"),
    ("tag_texts", "jsonb"),
    ("languages", "text[]"),
    ("url", "text"),
    ("description", "text"),
    ("status", "text"),
)
_NAMES = ", ".join(name for name, _ in _COLUMNS)
_RECORD = ", ".join(f"{name} {kind}" for name, kind in [("ical_uid", "text"), *_COLUMNS])
_SET = ", ".join(f"{name} = EXCLUDED.{name}" for name, _ in _COLUMNS)
_OLD = ", ".join(f"e.{name}" for name, _ in _COLUMNS)
_NEW = ", ".join(f"EXCLUDED.{name}" for name, _ in _COLUMNS)

# Each event once per (association, UID): a new UID is inserted, a known one updated only when
# the file changed it (so unchanged events keep their updated_at), in one statement.
_UPSERT = f"""
    INSERT INTO events AS e (association_id, ical_uid, {_NAMES}, cancelled_at, created_by)
    SELECT $1, r.ical_uid, {", ".join(f"r.{n}" for n, _ in _COLUMNS)},
           CASE WHEN r.status = 'cancelled' THEN now() END, $3
      FROM jsonb_to_recordset($2::jsonb) AS r({_RECORD})
     ORDER BY r.ical_uid  -- one lock order, whoever imports the same calendar at once
    ON CONFLICT (association_id, ical_uid) DO UPDATE SET {_SET},
           cancelled_at = CASE WHEN EXCLUDED.status = 'cancelled'
                               THEN coalesce(e.cancelled_at, now()) END,
           updated_at = now()
     WHERE ({_OLD}) IS DISTINCT FROM ({_NEW})
    RETURNING e.ical_uid, (xmax = 0) AS inserted
"""  # noqa: S608 - built from the constant column list above


async def association_home(conn: Conn, association_id: UUID) -> dict[str, Any] | None:
    """The association's name, place and languages (None when there is no such one)."""
    row = await conn.fetchrow(
        "SELECT name, online, city, country, languages FROM associations WHERE id = $1",
        association_id,
    )
    return dict(row) if row else None


async def upsert_events(
    conn: Conn, association_id: UUID, rows: list[dict[str, Any]], created_by: UUID | None
) -> dict[str, bool]:
    """Insert or update the events by UID; the UIDs written, each True when it was new."""
    if not rows:
        return {}
    found = await conn.fetch(_UPSERT, association_id, rows, created_by)
    return {r["ical_uid"]: r["inserted"] for r in found}


async def events_by_uid(conn: Conn, association_id: UUID, uids: list[str]) -> list[dict[str, Any]]:
    """The association's events of these UIDs, by start."""
    found = await conn.fetch(
        """SELECT id, ical_uid, title, starts_at, timezone, status FROM events
            WHERE association_id = $1 AND ical_uid = ANY($2::text[])
            ORDER BY starts_at, title""",
        association_id,
        uids,
    )
    return [dict(r) for r in found]


async def cancel_missing(
    conn: Conn, association_id: UUID, uids: list[str], refused: list[str], window: timedelta
) -> list[dict[str, Any]]:
    """Cancel the association's imported, scheduled events starting in the coming ``window``
    whose UID is not in ``uids`` nor ``refused`` (still in the file, if unreadable now: of a
    series, any occurrence "UID/start"); those events, by start. (Only that window: a file
    holds nothing later, so an event after it cannot be missing from it.)"""
    found = await conn.fetch(
        """UPDATE events e SET status = 'cancelled', cancelled_at = now(), updated_at = now()
            WHERE association_id = $1 AND ical_uid IS NOT NULL AND status = 'scheduled'
              AND starts_at >= now() AND starts_at < now() + $4
              AND NOT (ical_uid = ANY($2::text[]))
              AND NOT EXISTS (SELECT 1 FROM unnest($3::text[]) AS r(uid)
                              WHERE e.ical_uid = r.uid OR starts_with(e.ical_uid, r.uid || '/'))
        RETURNING id, ical_uid, title, starts_at, timezone, status""",
        association_id,
        uids,
        refused,
        window,
    )
    return sorted((dict(r) for r in found), key=lambda r: (r["starts_at"], r["title"]))
