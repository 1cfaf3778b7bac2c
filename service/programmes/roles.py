"""Who may do what: site admins everywhere, organisers on their own programmes."""

from __future__ import annotations

from uuid import UUID

from service.errors import Forbidden, NotFound
from service.kit.db import Conn
from service.programmes import repository as repo


async def is_admin(conn: Conn, person_id: UUID) -> bool:
    """True if the person is a site admin."""
    return await repo.is_admin(conn, person_id)


async def require_admin(conn: Conn, person_id: UUID) -> None:
    """Raise Forbidden unless the person is a site admin."""
    if not await repo.is_admin(conn, person_id):
        raise Forbidden("only site admins may do this")


async def require_programme(conn: Conn, programme_id: UUID) -> None:
    """Raise NotFound unless the programme exists."""
    if not await repo.programme_exists(conn, programme_id):
        raise NotFound("no such programme")


async def can_organise(conn: Conn, programme_id: UUID, person_id: UUID) -> bool:
    """True if the person organises the programme or is a site admin."""
    return await repo.is_organiser(conn, programme_id, person_id) or await repo.is_admin(
        conn, person_id
    )


async def require_organiser(conn: Conn, programme_id: UUID, person_id: UUID) -> None:
    """NotFound for an unknown programme; Forbidden unless organiser of it or site admin."""
    await require_programme(conn, programme_id)
    if not await can_organise(conn, programme_id, person_id):
        raise Forbidden("only this programme's organisers may do this")
