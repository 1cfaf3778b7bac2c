"""Associations and their admins, inside the caller's transaction.

Who may call is checked before these run (the API's declared access); :func:`require_admin`
is that check, for the guard and the pages.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from service.associations import repository as repo
from service.associations.repository import Filters
from service.associations.schemas import (
    NEEDS_COUNTRY,
    AssociationIn,
    AssociationList,
    AssociationOut,
    AssociationPatch,
)
from service.errors import Forbidden, NotFound, ValidationFailed
from service.kit.db import Conn
from service.programmes import repository as programmes_repo
from service.programmes import roles
from service.programmes.schemas import OrganiserIn, PersonRef
from service.programmes.service import invalid
from service.taxonomy.normalise import Taxonomy


async def require_association(conn: Conn, association_id: UUID) -> None:
    """Raise NotFound unless the association exists."""
    if not await repo.association_exists(conn, association_id):
        raise NotFound("no such association")


async def can_admin(conn: Conn, association_id: UUID, person_id: UUID) -> bool:
    """True if the person is one of the association's admins or a site admin."""
    return await repo.is_admin(conn, association_id, person_id) or await roles.is_admin(
        conn, person_id
    )


async def require_admin(conn: Conn, association_id: UUID, person_id: UUID) -> None:
    """NotFound for an unknown association; Forbidden unless one of its admins or site admin."""
    await require_association(conn, association_id)
    if not await can_admin(conn, association_id, person_id):
        raise Forbidden("only this association's admins may do this")


def _focus(values: dict[str, Any], taxonomy: Taxonomy) -> None:
    """Focus tags to slugs (custom ones' words kept in ``focus_texts``), in place."""
    if "focus" in values:
        typed = values["focus"]
        values["focus"] = taxonomy.normalise(typed)
        values["focus_texts"] = taxonomy.custom_texts(typed)


def out(row: dict[str, Any], admins: list[dict[str, Any]], taxonomy: Taxonomy) -> AssociationOut:
    """A stored association (from the repository) as the API shows it."""
    texts: dict[str, str] = row["focus_texts"]
    return AssociationOut(
        **{k: v for k, v in row.items() if k != "focus_texts"},
        focus_labels=[texts.get(slug) or taxonomy.label(slug) for slug in row["focus"]],
        admins=[PersonRef(**a) for a in admins],
    )


async def get_association(
    conn: Conn, taxonomy: Taxonomy, reader: UUID | None, association_id: UUID
) -> AssociationOut:
    """One association (404 if there is none)."""
    row = await repo.get_association(conn, association_id, reader)
    if row is None:
        raise NotFound("no such association")
    admins = await repo.admins_of(conn, [association_id])
    return out(row, admins.get(association_id, []), taxonomy)


async def create_association(
    conn: Conn, taxonomy: Taxonomy, caller: UUID, body: AssociationIn
) -> AssociationOut:
    """Create an association (site admins)."""
    values = body.model_dump()
    _focus(values, taxonomy)
    association_id = await repo.insert_association(conn, values, caller)
    return await get_association(conn, taxonomy, caller, association_id)


async def list_associations(
    conn: Conn, taxonomy: Taxonomy, reader: UUID, filters: Filters, limit: int, offset: int
) -> AssociationList:
    """A page of associations by name (the tag filter is normalised like the tags)."""
    if filters.tag is not None:
        slugs = taxonomy.normalise([filters.tag])
        filters = Filters(**{**filters.__dict__, "tag": slugs[0] if slugs else filters.tag})
    rows, total = await repo.list_associations(conn, reader, filters, limit, offset)
    admins = await repo.admins_of(conn, [r["id"] for r in rows])
    return AssociationList(
        associations=[out(r, admins.get(r["id"], []), taxonomy) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


async def update_association(
    conn: Conn,
    taxonomy: Taxonomy,
    reader: UUID | None,
    association_id: UUID,
    patch: AssociationPatch,
) -> AssociationOut:
    """Apply a partial edit (its admins, its keys and site admins); only the fields sent."""
    sent = patch.model_fields_set
    nulls = sorted(f for f in sent if getattr(patch, f) is None)
    if nulls:
        raise ValidationFailed(
            "some fields are invalid",
            fields=[
                {"field": f, "message": "May not be null; send an empty text to clear it"}
                for f in nulls
            ],
        )
    current = await repo.lock_association(conn, association_id)
    if current is None:
        raise NotFound("no such association")
    changes = {f: getattr(patch, f) for f in sent}
    merged = {**current, **changes}
    if merged["city"] and not merged["country"]:
        raise invalid("country", NEEDS_COUNTRY)
    _focus(changes, taxonomy)
    await repo.update_association(conn, association_id, changes)
    return await get_association(conn, taxonomy, reader, association_id)


async def appoint_admin(
    conn: Conn, association_id: UUID, body: OrganiserIn
) -> tuple[PersonRef, bool]:
    """Make a signed-up person an admin of the association (site admins); True if new."""
    await require_association(conn, association_id)
    if body.email is not None:
        person_id = await programmes_repo.find_person_id(conn, str(body.email))
        if person_id is None:
            raise invalid("email", "No one has signed up with this email")
    else:
        assert body.person_id is not None
        person_id = body.person_id
        if not await programmes_repo.person_exists(conn, person_id):
            raise invalid("person_id", "No such person")
    added = await repo.add_admin(conn, association_id, person_id)
    admins = await repo.admins_of(conn, [association_id])
    ref = next(PersonRef(**a) for a in admins[association_id] if a["id"] == person_id)
    return ref, added


async def remove_admin(conn: Conn, association_id: UUID, person_id: UUID) -> bool:
    """Withdraw an association admin (site admins); False if they were not one."""
    await require_association(conn, association_id)
    return await repo.remove_admin(conn, association_id, person_id)
