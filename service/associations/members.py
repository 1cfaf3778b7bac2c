"""Memberships: the association's member list and its decisions on requests, and a person's
own memberships (declared on their profile, confirmed by the association)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from service.associations import repository as repo
from service.associations.repository import MemberFilters
from service.associations.schemas import (
    AssociationMemberList,
    AssociationMemberOut,
    MembershipIn,
    MyMembershipList,
    MyMembershipOut,
)
from service.associations.service import require_association
from service.errors import Conflict, NotFound
from service.kit.db import Conn
from service.programmes.schemas import AssociationRef
from service.programmes.service import invalid


async def sees_emails(
    conn: Conn, association_id: UUID, person_id: UUID | None, key_of: UUID | None = None
) -> bool:
    """Whether imported members' emails are shown: to the association's own admins and keys
    (``key_of``: the association of the API key calling), as it gave Kickoff those addresses;
    never to a site admin who is not one of its admins."""
    if key_of is not None:
        return key_of == association_id
    return person_id is not None and await repo.is_admin(conn, association_id, person_id)


async def member_list(
    conn: Conn,
    association_id: UUID,
    filters: MemberFilters,
    *,
    with_emails: bool,
    limit: int,
    offset: int,
) -> AssociationMemberList:
    """A page of the association's members by name (emails as :func:`repo.members` says)."""
    await require_association(conn, association_id)
    rows, total = await repo.members(
        conn, association_id, filters, with_emails=with_emails, limit=limit, offset=offset
    )
    return AssociationMemberList(
        members=[AssociationMemberOut(**r) for r in rows], total=total, limit=limit, offset=offset
    )


async def _member(
    conn: Conn, association_id: UUID, person_id: UUID, with_emails: bool
) -> AssociationMemberOut:
    rows, _ = await repo.members(
        conn, association_id, MemberFilters(person_id=person_id), with_emails=with_emails
    )
    return AssociationMemberOut(**rows[0])


async def _locked(conn: Conn, association_id: UUID, person_id: UUID) -> dict[str, Any]:
    await require_association(conn, association_id)
    found = await repo.membership(conn, association_id, person_id, lock=True)
    if found is None:
        raise NotFound("this person is not a member of this association and did not ask to be")
    return found


async def confirm(
    conn: Conn, association_id: UUID, person_id: UUID, *, with_emails: bool
) -> AssociationMemberOut:
    """Confirm a person's request to be a member (active); a confirmed one stays as it is."""
    found = await _locked(conn, association_id, person_id)
    if found["status"] == "requested":
        await repo.set_status(conn, association_id, person_id, "active")
    elif found["status"] != "active":
        raise Conflict(
            "only a request can be confirmed: this membership is "
            + (
                "still an invitation the person has not answered"
                if found["status"] == "invited"
                else "ended (the person can ask again)"
            )
        )
    return await _member(conn, association_id, person_id, with_emails)


async def end(
    conn: Conn, association_id: UUID, person_id: UUID, *, with_emails: bool
) -> AssociationMemberOut:
    """End a membership, or refuse a request (ended); an ended one stays as it is."""
    found = await _locked(conn, association_id, person_id)
    if found["status"] != "ended":
        await repo.set_status(conn, association_id, person_id, "ended")
    return await _member(conn, association_id, person_id, with_emails)


def _mine(row: dict[str, Any]) -> MyMembershipOut:
    return MyMembershipOut(
        association=AssociationRef(id=row["association_id"], name=row["association_name"]),
        **{k: v for k, v in row.items() if not k.startswith("association_")},
    )


async def mine(conn: Conn, person_id: UUID) -> MyMembershipList:
    """The person's memberships, by association name."""
    return MyMembershipList(
        memberships=[_mine(r) for r in await repo.memberships_of(conn, person_id)]
    )


async def declare(conn: Conn, person_id: UUID, body: MembershipIn) -> tuple[MyMembershipOut, bool]:
    """The person says they belong to an association: a request it confirms. True when a new
    request was made (also when an ended membership is asked for again)."""
    association_id = body.association_id
    if not await repo.association_exists(conn, association_id):
        raise invalid("association_id", "No such association; choose one from the list")
    new = await repo.declare(conn, association_id, person_id, body.member_ref)
    if not new:
        found = await repo.membership(conn, association_id, person_id, lock=True)
        if found is not None and found["status"] == "ended":
            await repo.request_again(conn, association_id, person_id, body.member_ref)
            new = True
    row = next(
        r
        for r in await repo.memberships_of(conn, person_id)
        if r["association_id"] == association_id
    )
    return _mine(row), new


async def withdraw(conn: Conn, person_id: UUID, association_id: UUID) -> None:
    """The person leaves an association: a request not yet confirmed is removed, any other
    membership ends. Nothing to leave is a 404."""
    found = await repo.membership(conn, association_id, person_id, lock=True)
    if found is None:
        raise NotFound("you are not a member of this association")
    if found["status"] == "requested":
        await repo.delete_membership(conn, association_id, person_id)
    elif found["status"] != "ended":
        await repo.set_status(conn, association_id, person_id, "ended")
