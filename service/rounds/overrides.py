"""An organiser's pins and forbids of a programme (its next rounds apply them): listing and
removing them. Queries here take a connection and never commit."""

from __future__ import annotations

from uuid import UUID

from service.errors import NotFound
from service.kit.db import Conn, deleted
from service.rounds.schemas import OverrideList, OverrideOut


async def list_overrides(conn: Conn, programme_id: UUID) -> OverrideList:
    """The programme's pins and forbids with both names, newest first."""
    rows = await conn.fetch(
        """SELECT o.mentee_id, e.display_name AS mentee_name, o.mentor_id,
                  m.display_name AS mentor_name, o.kind, o.created_at,
                  COALESCE(b.display_name, '') AS created_by_name
             FROM programme_overrides o
             JOIN people e ON e.id = o.mentee_id
             JOIN people m ON m.id = o.mentor_id
             LEFT JOIN people b ON b.id = o.created_by
            WHERE o.programme_id = $1
            ORDER BY o.created_at DESC, o.mentee_id, o.mentor_id""",
        programme_id,
    )
    return OverrideList(overrides=[OverrideOut.model_validate(dict(r)) for r in rows])


async def remove_override(conn: Conn, programme_id: UUID, mentee_id: UUID, mentor_id: UUID) -> None:
    """Remove a pin or forbid, so the next rounds choose this pair freely (404 if none)."""
    gone = await deleted(
        conn,
        "DELETE FROM programme_overrides WHERE programme_id = $1 AND mentee_id = $2"
        " AND mentor_id = $3",
        programme_id,
        mentee_id,
        mentor_id,
    )
    if not gone:
        raise NotFound("this pair has no pin or forbid in this programme")
