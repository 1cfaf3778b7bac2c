"""Programmes for associations: an association admin asks, a site admin creates the programme
with one click (for the association, the requester its organiser) or declines."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from service.associations import request_repository as repo
from service.associations.schemas import (
    ProgrammeRequestIn,
    ProgrammeRequestList,
    ProgrammeRequestOut,
)
from service.associations.service import require_association
from service.errors import Conflict, NotFound
from service.kit.db import Conn
from service.programmes import repository as programmes_repo
from service.programmes import service as programmes
from service.programmes.schemas import AssociationRef, PersonRef, ProgrammeIn


def request_out(row: dict[str, Any]) -> ProgrammeRequestOut:
    """A stored request (from the repository) as the API shows it."""
    requester = row["requested_by"] if row["requester_name"] is not None else None
    return ProgrammeRequestOut(
        id=row["id"],
        association=AssociationRef(id=row["association_id"], name=row["association_name"]),
        name=row["name"],
        description=row["description"],
        status=row["status"],
        requested_by=None
        if requester is None
        else PersonRef(id=requester, display_name=row["requester_name"]),
        programme_id=row["programme_id"],
        created_at=row["created_at"],
        decided_at=row["decided_at"],
    )


async def ask(
    conn: Conn, association_id: UUID, person_id: UUID, body: ProgrammeRequestIn
) -> ProgrammeRequestOut:
    """An association admin asks for a programme; site admins see it on their page."""
    await require_association(conn, association_id)
    request_id = await repo.insert_request(
        conn, association_id, person_id, body.name, body.description
    )
    found = await repo.get_request(conn, request_id)
    assert found is not None
    return request_out(found)


async def of_association(conn: Conn, association_id: UUID) -> ProgrammeRequestList:
    """The association's programme requests, oldest first."""
    await require_association(conn, association_id)
    rows = await repo.requests(conn, association_id=association_id)
    return ProgrammeRequestList(requests=[request_out(r) for r in rows])


async def listed(conn: Conn, status: str | None) -> ProgrammeRequestList:
    """Every programme request (in one status), oldest first: for site admins."""
    return ProgrammeRequestList(
        requests=[request_out(r) for r in await repo.requests(conn, status=status)]
    )


async def _pending(conn: Conn, request_id: UUID) -> dict[str, Any]:
    found = await repo.get_request(conn, request_id, lock=True)
    if found is None:
        raise NotFound("no such programme request")
    if found["status"] != "pending":
        raise Conflict(f"this request was already decided: {found['status']}")
    return found


async def approve(conn: Conn, request_id: UUID, admin_id: UUID) -> ProgrammeRequestOut:
    """Create the programme asked for: the association's, its requester an organiser of it
    (if they are still here), with the default settings."""
    found = await _pending(conn, request_id)
    programme = await programmes.create_programme(
        conn, admin_id, ProgrammeIn(name=found["name"], description=found["description"])
    )
    await repo.set_programme_association(conn, programme.id, found["association_id"])
    if found["requester_name"] is not None:
        await programmes_repo.add_organiser(conn, programme.id, found["requested_by"])
    await repo.decide(conn, request_id, "created", admin_id, programme.id)
    decided = await repo.get_request(conn, request_id)
    assert decided is not None
    return request_out(decided)


async def decline(conn: Conn, request_id: UUID, admin_id: UUID) -> ProgrammeRequestOut:
    """Decline a programme request (kept, as declined)."""
    await _pending(conn, request_id)
    await repo.decide(conn, request_id, "declined", admin_id)
    decided = await repo.get_request(conn, request_id)
    assert decided is not None
    return request_out(decided)
