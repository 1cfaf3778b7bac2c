"""Programme request queries. No commits here: the caller owns the transaction."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from service.kit.db import Conn

_REQUEST = """
SELECT r.id, r.association_id, a.name AS association_name, r.name, r.description, r.status,
       r.requested_by, pe.display_name AS requester_name, r.programme_id, r.created_at,
       r.decided_at
  FROM programme_requests r
  JOIN associations a ON a.id = r.association_id
  LEFT JOIN people pe ON pe.id = r.requested_by AND pe.claimed_at IS NOT NULL
"""


async def insert_request(
    conn: Conn, association_id: UUID, requested_by: UUID, name: str, description: str
) -> UUID:
    """Store a pending programme request; returns its id."""
    request_id: UUID = await conn.fetchval(
        "INSERT INTO programme_requests (association_id, requested_by, name, description)"
        " VALUES ($1, $2, $3, $4) RETURNING id",
        association_id,
        requested_by,
        name,
        description,
    )
    return request_id


async def requests(
    conn: Conn, *, association_id: UUID | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """Programme requests, of one association and/or in one status, oldest first."""
    rows = await conn.fetch(
        _REQUEST + " WHERE ($1::uuid IS NULL OR r.association_id = $1)"
        " AND ($2::text IS NULL OR r.status = $2) ORDER BY r.created_at, r.id",
        association_id,
        status,
    )
    return [dict(r) for r in rows]


async def get_request(conn: Conn, request_id: UUID, *, lock: bool = False) -> dict[str, Any] | None:
    """One programme request, locked for a decision if ``lock``."""
    if lock:
        found = await conn.fetchval(
            "SELECT 1 FROM programme_requests WHERE id = $1 FOR UPDATE", request_id
        )
        if found is None:
            return None
    row = await conn.fetchrow(_REQUEST + " WHERE r.id = $1", request_id)
    return None if row is None else dict(row)


async def decide(
    conn: Conn, request_id: UUID, status: str, by: UUID, programme_id: UUID | None = None
) -> None:
    """Record a site admin's decision: created (with its programme) or declined."""
    await conn.execute(
        """UPDATE programme_requests
              SET status = $2, decided_by = $3, decided_at = now(), programme_id = $4
            WHERE id = $1""",
        request_id,
        status,
        by,
        programme_id,
    )


async def set_programme_association(conn: Conn, programme_id: UUID, association_id: UUID) -> None:
    """The programme belongs to the association."""
    await conn.execute(
        "UPDATE programmes SET association_id = $2 WHERE id = $1", programme_id, association_id
    )
