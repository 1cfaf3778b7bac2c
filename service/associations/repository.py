"""Association, admin and membership queries. No commits here: the caller owns the
transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from service.kit.db import Conn


@dataclass(frozen=True)
class Filters:
    """What a listing of associations may be narrowed to (None: any)."""

    kind: str | None = None
    country: str | None = None
    online: bool | None = None
    language: str | None = None
    tag: str | None = None


# $1: the person it is read for (or NULL).
_ASSOCIATION = """
SELECT a.id, a.name, a.kind, a.online, a.city, COALESCE(a.country, '') AS country, a.website,
       a.description, a.focus, a.focus_texts, a.languages, a.created_at, a.updated_at,
       (SELECT count(*) FROM association_members m
         WHERE m.association_id = a.id AND m.status = 'active')::int AS members,
       EXISTS (SELECT 1 FROM association_admins ad
                WHERE ad.association_id = a.id AND ad.person_id = $1) AS is_admin
  FROM associations a
"""


def _filtered(n: int) -> str:
    """The WHERE clause of a listing: kind, country, online, language and tag are the
    parameters from ``$n`` on (NULL: any)."""
    k, c, o, lang, t = (f"${i}" for i in range(n, n + 5))
    return (
        f" WHERE ({k}::text IS NULL OR a.kind = {k}) AND ({c}::text IS NULL OR a.country = {c})"
        f" AND ({o}::boolean IS NULL OR a.online = {o})"
        f" AND ({lang}::text IS NULL OR {lang} = ANY (a.languages))"
        f" AND ({t}::text IS NULL OR {t} = ANY (a.focus))"
    )


def _filter_args(f: Filters) -> tuple[object, ...]:
    return f.kind, f.country, f.online, f.language, f.tag


async def insert_association(conn: Conn, values: dict[str, Any], created_by: UUID | None) -> UUID:
    """Create an association from column values; returns its id."""
    association_id: UUID = await conn.fetchval(
        """INSERT INTO associations (name, kind, online, city, country, website, description,
                                     focus, focus_texts, languages, created_by)
           VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, $7, $8, $9, $10, $11) RETURNING id""",
        values["name"],
        values["kind"],
        values["online"],
        values["city"],
        values["country"],
        values["website"],
        values["description"],
        values["focus"],
        values["focus_texts"],
        values["languages"],
        created_by,
    )
    return association_id


#: Columns an edit may set (country "" stores NULL).
EDITABLE = (
    "name",
    "kind",
    "online",
    "city",
    "country",
    "website",
    "description",
    "focus",
    "focus_texts",
    "languages",
)


async def update_association(conn: Conn, association_id: UUID, changes: dict[str, Any]) -> None:
    """Set the given columns (names from :data:`EDITABLE`)."""
    names = [c for c in EDITABLE if c in changes]
    if not names:
        return
    sets = ", ".join(
        f"{c} = NULLIF(${i}, '')" if c == "country" else f"{c} = ${i}"
        for i, c in enumerate(names, start=2)
    )
    await conn.execute(
        f"UPDATE associations SET {sets}, updated_at = now() WHERE id = $1",  # noqa: S608 - names from EDITABLE
        association_id,
        *[changes[c] for c in names],
    )


async def lock_association(conn: Conn, association_id: UUID) -> dict[str, Any] | None:
    """The association's stored columns, locked for an edit, or None."""
    row = await conn.fetchrow(
        "SELECT name, kind, online, city, COALESCE(country, '') AS country, focus, focus_texts"
        " FROM associations WHERE id = $1 FOR NO KEY UPDATE",
        association_id,
    )
    return None if row is None else dict(row)


async def association_exists(conn: Conn, association_id: UUID) -> bool:
    """True if there is an association with this id."""
    return bool(await conn.fetchval("SELECT 1 FROM associations WHERE id = $1", association_id))


async def get_association(
    conn: Conn, association_id: UUID, reader: UUID | None
) -> dict[str, Any] | None:
    """One association with its active member count (and whether ``reader`` admins it)."""
    row = await conn.fetchrow(_ASSOCIATION + " WHERE a.id = $2", reader, association_id)
    return None if row is None else dict(row)


async def list_associations(
    conn: Conn, reader: UUID, filters: Filters, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of associations by name, and how many match."""
    args = _filter_args(filters)
    rows = await conn.fetch(
        _ASSOCIATION + _filtered(2) + " ORDER BY lower(a.name), a.id LIMIT $7 OFFSET $8",
        reader,
        *args,
        limit,
        offset,
    )
    count = "SELECT count(*) FROM associations a" + _filtered(1)  # noqa: S608 - our SQL
    total: int = await conn.fetchval(count, *args)
    return [dict(r) for r in rows], total


async def names(conn: Conn) -> list[dict[str, Any]]:
    """Every association's id and name, by name (for the forms' lists)."""
    rows = await conn.fetch("SELECT id, name FROM associations ORDER BY lower(name), id")
    return [dict(r) for r in rows]


async def admins_of(conn: Conn, association_ids: list[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    """The admins (id, display_name) of each association, in appointment order."""
    rows = await conn.fetch(
        """SELECT ad.association_id, pe.id, pe.display_name
             FROM association_admins ad JOIN people pe ON pe.id = ad.person_id
            WHERE ad.association_id = ANY($1::uuid[]) AND pe.claimed_at IS NOT NULL
            ORDER BY ad.appointed_at, pe.id""",
        association_ids,
    )
    found: dict[UUID, list[dict[str, Any]]] = {}
    for r in rows:
        found.setdefault(r["association_id"], []).append(
            {"id": r["id"], "display_name": r["display_name"]}
        )
    return found


async def is_admin(conn: Conn, association_id: UUID, person_id: UUID) -> bool:
    """True if the person is one of the association's admins."""
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM association_admins WHERE association_id = $1 AND person_id = $2",
            association_id,
            person_id,
        )
    )


async def add_admin(conn: Conn, association_id: UUID, person_id: UUID) -> bool:
    """Appoint an admin; False if they already were one."""
    added = await conn.fetchval(
        "INSERT INTO association_admins (association_id, person_id) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING RETURNING 1",
        association_id,
        person_id,
    )
    return added is not None


async def remove_admin(conn: Conn, association_id: UUID, person_id: UUID) -> bool:
    """Withdraw an admin; False if they were not one."""
    removed = await conn.fetchval(
        "DELETE FROM association_admins WHERE association_id = $1 AND person_id = $2 RETURNING 1",
        association_id,
        person_id,
    )
    return removed is not None


async def administered_by(conn: Conn, person_id: UUID) -> list[dict[str, Any]]:
    """The associations (id, name) the person admins, by name."""
    rows = await conn.fetch(
        """SELECT a.id, a.name FROM associations a
             JOIN association_admins ad ON ad.association_id = a.id AND ad.person_id = $1
            ORDER BY lower(a.name), a.id""",
        person_id,
    )
    return [dict(r) for r in rows]


def _like(text: str) -> str:
    """``text`` as a LIKE pattern that matches it anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class MemberFilters:
    """What a member list may be narrowed to (None: any): status, source, a name or member
    reference containing ``search``, one person."""

    status: str | None = None
    source: str | None = None
    search: str | None = None
    person_id: UUID | None = None


# $1 association, $2 status, $3 source, $4 name pattern, $5 person (NULL: any).
_MEMBERS_WHERE = """
  FROM association_members m JOIN people pe ON pe.id = m.person_id
 WHERE m.association_id = $1 AND ($2::text IS NULL OR m.status = $2)
   AND ($3::text IS NULL OR m.source = $3)
   AND ($4::text IS NULL OR pe.display_name ILIKE $4 OR m.member_ref ILIKE $4)
   AND ($5::uuid IS NULL OR m.person_id = $5)
"""


async def members(
    conn: Conn,
    association_id: UUID,
    filters: MemberFilters,
    *,
    with_emails: bool,
    limit: int = 1,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the association's members by name, and how many match. Emails only when
    ``with_emails``, and then only of members it imported (it gave Kickoff those)."""
    f = filters
    args = (association_id, f.status, f.source, _like(f.search) if f.search else None, f.person_id)
    rows = await conn.fetch(
        """SELECT m.person_id, pe.display_name, m.member_ref, m.source, m.status,
                  CASE WHEN $6 AND m.source = 'import' THEN pe.email END AS email,
                  m.created_at, m.updated_at, m.ended_at"""
        + _MEMBERS_WHERE
        + " ORDER BY lower(pe.display_name) NULLS LAST, m.person_id LIMIT $7 OFFSET $8",
        *args,
        with_emails,
        limit,
        offset,
    )
    total: int = await conn.fetchval("SELECT count(*)" + _MEMBERS_WHERE, *args)
    return [dict(r) for r in rows], total


async def membership(
    conn: Conn, association_id: UUID, person_id: UUID, *, lock: bool = False
) -> dict[str, Any] | None:
    """One membership (status, source, member_ref), locked for a change if ``lock``."""
    row = await conn.fetchrow(
        "SELECT status, source, member_ref FROM association_members"  # noqa: S608 - constant
        " WHERE association_id = $1 AND person_id = $2" + (" FOR UPDATE" if lock else ""),
        association_id,
        person_id,
    )
    return None if row is None else dict(row)


async def set_status(conn: Conn, association_id: UUID, person_id: UUID, status: str) -> None:
    """Move a membership to ``status`` (ended_at follows: set when ended, cleared otherwise)."""
    await conn.execute(
        """UPDATE association_members
              SET status = $3, updated_at = now(),
                  ended_at = CASE WHEN $3 = 'ended' THEN now() END
            WHERE association_id = $1 AND person_id = $2""",
        association_id,
        person_id,
        status,
    )


async def declare(conn: Conn, association_id: UUID, person_id: UUID, member_ref: str) -> bool:
    """A self-declared membership, waiting for the association (False if one existed)."""
    added = await conn.fetchval(
        """INSERT INTO association_members (association_id, person_id, member_ref, source, status)
           VALUES ($1, $2, $3, 'self_declared', 'requested')
           ON CONFLICT DO NOTHING RETURNING 1""",
        association_id,
        person_id,
        member_ref,
    )
    return added is not None


async def request_again(conn: Conn, association_id: UUID, person_id: UUID, member_ref: str) -> None:
    """An ended membership asked for again: requested, with the reference given (if any)."""
    await conn.execute(
        """UPDATE association_members
              SET status = 'requested', ended_at = NULL, updated_at = now(),
                  member_ref = CASE WHEN $3 = '' THEN member_ref ELSE $3 END
            WHERE association_id = $1 AND person_id = $2""",
        association_id,
        person_id,
        member_ref,
    )


async def delete_membership(conn: Conn, association_id: UUID, person_id: UUID) -> None:
    """Remove a membership altogether (a request withdrawn before it was confirmed)."""
    await conn.execute(
        "DELETE FROM association_members WHERE association_id = $1 AND person_id = $2",
        association_id,
        person_id,
    )


async def memberships_of(conn: Conn, person_id: UUID) -> list[dict[str, Any]]:
    """The person's memberships with their association's name, by that name."""
    rows = await conn.fetch(
        """SELECT a.id AS association_id, a.name AS association_name, m.member_ref, m.source,
                  m.status, m.created_at, m.updated_at, m.ended_at
             FROM association_members m JOIN associations a ON a.id = m.association_id
            WHERE m.person_id = $1 ORDER BY lower(a.name), a.id""",
        person_id,
    )
    return [dict(r) for r in rows]


_KEY = "id, name, prefix, created_at, last_used_at, revoked_at"


async def insert_key(
    conn: Conn, association_id: UUID, name: str, prefix: str, key_hash: bytes, by: UUID | None
) -> dict[str, Any]:
    """Store a new key (its hash only); returns it as listed."""
    row = await conn.fetchrow(
        "INSERT INTO association_api_keys (association_id, name, prefix, key_hash, created_by)"
        " VALUES ($1, $2, $3, $4, $5)"
        " RETURNING id, name, prefix, created_at, last_used_at, revoked_at",
        association_id,
        name,
        prefix,
        key_hash,
        by,
    )
    assert row is not None
    return dict(row)


async def keys_of(conn: Conn, association_id: UUID) -> list[dict[str, Any]]:
    """The association's keys, newest first (revoked ones too)."""
    rows = await conn.fetch(
        f"SELECT {_KEY} FROM association_api_keys WHERE association_id = $1"  # noqa: S608
        " ORDER BY created_at DESC, id",
        association_id,
    )
    return [dict(r) for r in rows]


async def revoke_key(conn: Conn, association_id: UUID, key_id: UUID) -> bool:
    """Revoke one of the association's keys (a revoked one stays revoked); False if it has no
    such key."""
    found = await conn.fetchval(
        """UPDATE association_api_keys SET revoked_at = COALESCE(revoked_at, now())
            WHERE association_id = $1 AND id = $2 RETURNING 1""",
        association_id,
        key_id,
    )
    return found is not None


async def key_by_hash(conn: Conn, key_hash: bytes) -> dict[str, Any] | None:
    """The key with this hash (id, association_id, revoked), or None."""
    row = await conn.fetchrow(
        "SELECT id, association_id, revoked_at IS NOT NULL AS revoked"
        " FROM association_api_keys WHERE key_hash = $1",
        key_hash,
    )
    return None if row is None else dict(row)


async def touch_key(conn: Conn, key_id: UUID) -> None:
    """Record that the key was just used."""
    await conn.execute("UPDATE association_api_keys SET last_used_at = now() WHERE id = $1", key_id)
