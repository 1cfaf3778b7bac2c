"""The last round of each programme, for the lists its organisers read (a query, no commits)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from service.kit.db import Conn


async def last_rounds(conn: Conn, programme_ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    """Per programme that has rounds, its newest round: id, status, finished_at."""
    rows = await conn.fetch(
        "SELECT DISTINCT ON (programme_id) programme_id, id, status, finished_at FROM rounds"
        " WHERE programme_id = ANY($1::uuid[]) ORDER BY programme_id, created_at DESC, id DESC",
        programme_ids,
    )
    return {r["programme_id"]: {k: r[k] for k in ("id", "status", "finished_at")} for r in rows}
