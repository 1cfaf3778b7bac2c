"""Membership: joining (open programmes, or with the invitation code), leaving, members, and
why someone is still waiting for an introduction. Inside the caller's transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from uuid import UUID

from service.errors import Forbidden, NotFound
from service.kit.db import Conn
from service.people import repository as people_repo
from service.programmes import repository as repo
from service.programmes import roles
from service.programmes.repository import Door
from service.programmes.schemas import (
    INVITATION_CODE,
    MembershipOut,
    ProgrammeOut,
    ProgrammeSummary,
)
from service.programmes.service import get_programme, invalid, list_programmes, programme_out


def holds_code(code: str | None, door: Door) -> bool:
    """Whether ``code`` is the programme's current invitation code (compared in constant time)."""
    return (
        code is not None
        and INVITATION_CODE.fullmatch(code) is not None
        and secrets.compare_digest(code, door.invitation_code)
    )


async def _door_by_code(conn: Conn, code: str, *, lock: bool) -> Door:
    found = None
    if INVITATION_CODE.fullmatch(code):
        found = await repo.door(conn, code=code, lock=lock)
    if found is None:
        raise NotFound(
            "this invitation link does not work (it may have been replaced by a new one):"
            " ask the programme's organisers for the current link"
        )
    return found


async def join(
    conn: Conn, caller: UUID, programme_id: UUID, code: str | None = None, *, consent: bool = False
) -> tuple[MembershipOut, bool]:
    """The caller joins the programme; True if newly joined.

    An invitation-only programme needs its current invitation ``code`` (its organisers and site
    admins need none; members joining again change nothing). Joining means being matched, so it
    needs consent_to_match: ``consent`` (the join page's tick box) gives it on the way in.
    """
    door = await repo.door(conn, programme_id=programme_id)
    if door is None:
        raise NotFound("no such programme")
    return await _join(conn, caller, door, code, consent)


async def join_by_code(
    conn: Conn, caller: UUID, code: str, *, consent: bool = False
) -> tuple[MembershipOut, bool]:
    """Join the programme whose invitation code this is (404 for a code that is not current)."""
    door = await _door_by_code(conn, code, lock=True)
    return await _join(conn, caller, door, code, consent)


async def _join(
    conn: Conn, caller: UUID, door: Door, code: str | None, consent: bool
) -> tuple[MembershipOut, bool]:
    if (
        door.access == "invitation"
        and not holds_code(code, door)
        and not await repo.is_member(conn, door.id, caller)
        and not await roles.can_organise(conn, door.id, caller)
    ):
        if code:
            raise Forbidden(
                "this invitation code does not work for this programme (it may have been"
                " replaced): ask its organisers for the current link"
            )
        raise Forbidden("this programme is joined by invitation: send its invitation code")
    if not await repo.consents(conn, caller):
        if not consent:
            raise invalid(
                "consent_to_match",
                "joining a programme means being matched: set consent_to_match to true first",
            )
        await people_repo.update_person(conn, caller, {"consent_to_match": True})
    joined_at, new = await repo.add_member(conn, door.id, caller)
    return MembershipOut(programme_id=door.id, person_id=caller, joined_at=joined_at), new


@dataclass(frozen=True)
class JoinStep:
    """What the join page shows: the programme, and whether the caller already consents."""

    programme: ProgrammeOut
    consents: bool


async def join_step(
    conn: Conn, caller: UUID, *, programme_id: UUID | None = None, code: str | None = None
) -> JoinStep:
    """The programme to join, by id (404 unless the caller may see it) or by invitation code
    (404 unless it is a programme's current code)."""
    if code is not None:
        door = await _door_by_code(conn, code, lock=False)
        found = await repo.get_programme(conn, door.id, reader=caller)
        assert found is not None
        programme = await programme_out(conn, found, caller)
    else:
        assert programme_id is not None
        programme = await get_programme(conn, caller, programme_id)
    return JoinStep(programme, bool(await repo.consents(conn, caller)))


@dataclass(frozen=True)
class Waiting:
    """Why someone has no introductions yet: their programmes, whether they consent and
    whether their email address is verified."""

    consents: bool
    programmes: list[ProgrammeSummary]
    verified: bool = True


async def waiting(conn: Conn, caller: UUID) -> Waiting:
    """The caller's programmes (with their next rounds) and their consent to be matched."""
    listed = await list_programmes(conn, caller)
    return Waiting(
        consents=bool(await repo.consents(conn, caller)),
        programmes=[p for p in listed.programmes if p.is_member],
        verified=await repo.email_verified(conn, caller),
    )


async def leave(conn: Conn, caller: UUID, programme_id: UUID) -> None:
    """The caller leaves the programme; their pending and active mentorships in it end."""
    await roles.require_programme(conn, programme_id)
    if await repo.remove_member(conn, programme_id, caller):
        await repo.end_open_mentorships(conn, programme_id, caller)
