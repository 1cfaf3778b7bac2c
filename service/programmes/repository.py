"""Programme, role, membership and mentorship queries. No commits here: the caller owns the
transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from service.kit.db import OPEN, Conn, deleted


@dataclass(frozen=True)
class Programme:
    """A programme as stored, with its member counts."""

    id: UUID
    name: str
    description: str
    settings: dict[str, Any]
    access: Literal["open", "invitation"]
    invitation_code: str
    next_round_on: date | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
    #: Counts the programme's edits (see update_programme); a save sends the one it read.
    version: int
    #: The association it was created for (sql/0020), and its name.
    association_id: UUID | None
    association_name: str | None
    members: int
    mentees: int
    mentors: int
    #: Places left with its consenting mentors (capacity minus pending and active mentorships).
    open_places: int
    #: Whether the person it was read for (if any) is a member, an organiser of it.
    is_member: bool
    is_organiser: bool


@dataclass(frozen=True)
class RequestParties:
    """What a mentee's request needs to know about both people, read under the mentor's lock."""

    mentee_is_member: bool
    mentee_is_mentee: bool
    mentor_is_member: bool
    mentor_is_mentor: bool
    mentor_consents: bool
    mentor_capacity: int | None


# $1: the open mentorship statuses; $2: the person it is read for (or NULL).
_PROGRAMME = """
SELECT p.id, p.name, p.description, p.settings, p.access, p.invitation_code, p.next_round_on,
       p.created_by, p.created_at, p.updated_at, p.version, p.association_id,
       (SELECT a.name FROM associations a WHERE a.id = p.association_id) AS association_name,
       c.members, c.mentees, c.mentors, c.open_places,
       EXISTS (SELECT 1 FROM programme_members
                WHERE programme_id = p.id AND person_id = $2) AS is_member,
       EXISTS (SELECT 1 FROM programme_organisers
                WHERE programme_id = p.id AND person_id = $2) AS is_organiser
  FROM programmes p
 CROSS JOIN LATERAL (
       SELECT count(*) AS members,
              count(*) FILTER (WHERE pe.is_mentee) AS mentees,
              count(*) FILTER (WHERE pe.is_mentor) AS mentors,
              COALESCE(sum(GREATEST(pe.mentor_capacity - (
                  SELECT count(*) FROM mentorships ms
                   WHERE ms.mentor_id = pe.id AND ms.status = ANY($1::text[])), 0))
                FILTER (WHERE pe.is_mentor AND pe.consent_to_match), 0)::int AS open_places
         FROM programme_members m
         JOIN people pe ON pe.id = m.person_id AND pe.claimed_at IS NOT NULL
        WHERE m.programme_id = p.id) c
"""


async def is_admin(conn: Conn, person_id: UUID) -> bool:
    """True if the person is a site admin."""
    found: bool | None = await conn.fetchval("SELECT is_admin FROM people WHERE id = $1", person_id)
    return bool(found)


async def roles_of(conn: Conn, person_id: UUID) -> frozenset[str]:
    """The person's roles beyond a member's: "admin" (site admin), "organiser" (of any
    programme), "association_admin" (of any association)."""
    row = await conn.fetchrow(
        "SELECT is_admin AS admin,"
        " EXISTS (SELECT 1 FROM programme_organisers WHERE person_id = $1) AS organiser,"
        " EXISTS (SELECT 1 FROM association_admins WHERE person_id = $1) AS association_admin"
        " FROM people WHERE id = $1",
        person_id,
    )
    return frozenset() if row is None else frozenset(r for r, on in row.items() if on)


async def set_admin(conn: Conn, person_id: UUID, admin: bool = True) -> None:
    """Grant (or withdraw) site admin rights."""
    await conn.execute("UPDATE people SET is_admin = $2 WHERE id = $1", person_id, admin)


async def find_person_id(conn: Conn, email: str) -> UUID | None:
    """The id of the signed-up person with this email in any case, or None."""
    found: UUID | None = await conn.fetchval(
        "SELECT id FROM people WHERE lower(email) = lower($1) AND claimed_at IS NOT NULL", email
    )
    return found


async def person_exists(conn: Conn, person_id: UUID) -> bool:
    """True if there is a signed-up person with this id."""
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM people WHERE id = $1 AND claimed_at IS NOT NULL", person_id
        )
    )


async def insert_programme(
    conn: Conn,
    name: str,
    description: str,
    settings: dict[str, Any],
    created_by: UUID,
    *,
    access: str = "open",
    next_round_on: date | None = None,
) -> UUID:
    """Create a programme (its invitation code made by the column's default); returns its id."""
    programme_id: UUID = await conn.fetchval(
        "INSERT INTO programmes (name, description, settings, created_by, access, next_round_on)"
        " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        name,
        description,
        settings,
        created_by,
        access,
        next_round_on,
    )
    return programme_id


async def update_programme(conn: Conn, programme_id: UUID, changes: dict[str, Any]) -> None:
    """Set name, description, settings, access and/or next_round_on (None clears it), and
    count the edit in the programme's version."""
    await conn.execute(
        """UPDATE programmes
              SET name = COALESCE($2, name),
                  description = COALESCE($3, description),
                  settings = COALESCE($4, settings),
                  access = COALESCE($5, access),
                  next_round_on = CASE WHEN $6 THEN $7::date ELSE next_round_on END,
                  version = version + 1,
                  updated_at = now()
            WHERE id = $1""",
        programme_id,
        changes.get("name"),
        changes.get("description"),
        changes.get("settings"),
        changes.get("access"),
        "next_round_on" in changes,
        changes.get("next_round_on"),
    )


async def new_invitation_code(conn: Conn, programme_id: UUID) -> str | None:
    """Replace the programme's invitation code with a new random one; None if no programme."""
    code: str | None = await conn.fetchval(
        "UPDATE programmes SET invitation_code = DEFAULT, updated_at = now()"
        " WHERE id = $1 RETURNING invitation_code",
        programme_id,
    )
    return code


@dataclass(frozen=True)
class Door:
    """How a programme is joined, read under a share lock (a new code waits for the join)."""

    id: UUID
    access: str
    invitation_code: str


async def door(
    conn: Conn, *, programme_id: UUID | None = None, code: str | None = None, lock: bool = True
) -> Door | None:
    """The programme with this id, or with this invitation code, or None; locked FOR SHARE
    unless ``lock`` is False (read-only transactions).

    The share lock conflicts with the update that replaces the code, so once a new code is
    committed no join can still commit with the old one.
    """
    locking = " FOR SHARE" if lock else ""
    row = await conn.fetchrow(
        "SELECT id, access, invitation_code FROM programmes"  # noqa: S608 - constant fragments
        " WHERE id = $1 OR invitation_code = $2" + locking,
        programme_id,
        code,
    )
    return None if row is None else Door(**dict(row))


async def get_programme(
    conn: Conn, programme_id: UUID, *, for_update: bool = False, reader: UUID | None = None
) -> Programme | None:
    """One programme with its member counts (and ``reader``'s place in it), or None."""
    if for_update:
        locked = await conn.fetchval(
            "SELECT 1 FROM programmes WHERE id = $1 FOR NO KEY UPDATE", programme_id
        )
        if locked is None:
            return None
    row = await conn.fetchrow(_PROGRAMME + " WHERE p.id = $3", list(OPEN), reader, programme_id)
    return None if row is None else Programme(**dict(row))


async def programme_exists(conn: Conn, programme_id: UUID) -> bool:
    """True if there is a programme with this id."""
    return bool(await conn.fetchval("SELECT 1 FROM programmes WHERE id = $1", programme_id))


async def visible_programmes(conn: Conn, reader: UUID, *, everyone: bool) -> list[Programme]:
    """The open programmes and those ``reader`` belongs to or organises (all if ``everyone``),
    with member counts and open places, newest first."""
    rows = await conn.fetch(
        "SELECT * FROM (" + _PROGRAMME + ") v"  # noqa: S608 - constant SQL fragments
        " WHERE v.access = 'open' OR v.is_member OR v.is_organiser OR $3"
        " ORDER BY v.created_at DESC, v.id",
        list(OPEN),
        reader,
        everyone,
    )
    return [Programme(**dict(r)) for r in rows]


async def organisers(conn: Conn, programme_id: UUID) -> list[dict[str, Any]]:
    """The organisers of a programme (id, display_name), in appointment order."""
    found = await organisers_of(conn, [programme_id])
    return found.get(programme_id, [])


async def organisers_of(conn: Conn, programme_ids: list[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    """The organisers (id, display_name) of each of the programmes, in appointment order."""
    rows = await conn.fetch(
        """SELECT o.programme_id, pe.id, pe.display_name
             FROM programme_organisers o JOIN people pe ON pe.id = o.person_id
            WHERE o.programme_id = ANY($1::uuid[]) AND pe.claimed_at IS NOT NULL
            ORDER BY o.appointed_at, pe.id""",
        programme_ids,
    )
    found: dict[UUID, list[dict[str, Any]]] = {}
    for r in rows:
        found.setdefault(r["programme_id"], []).append(
            {"id": r["id"], "display_name": r["display_name"]}
        )
    return found


async def is_organiser(conn: Conn, programme_id: UUID, person_id: UUID) -> bool:
    """True if the person organises this programme."""
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM programme_organisers WHERE programme_id = $1 AND person_id = $2",
            programme_id,
            person_id,
        )
    )


async def add_organiser(conn: Conn, programme_id: UUID, person_id: UUID) -> bool:
    """Appoint an organiser; False if they already were one."""
    added = await conn.fetchval(
        "INSERT INTO programme_organisers (programme_id, person_id) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING RETURNING 1",
        programme_id,
        person_id,
    )
    return added is not None


async def remove_organiser(conn: Conn, programme_id: UUID, person_id: UUID) -> bool:
    """Withdraw an organiser; False if they were not one."""
    gone = await deleted(
        conn,
        "DELETE FROM programme_organisers WHERE programme_id = $1 AND person_id = $2",
        programme_id,
        person_id,
    )
    return gone > 0


async def is_member(conn: Conn, programme_id: UUID, person_id: UUID) -> bool:
    """True if the person is a member of this programme."""
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM programme_members WHERE programme_id = $1 AND person_id = $2",
            programme_id,
            person_id,
        )
    )


async def consents(conn: Conn, person_id: UUID) -> bool | None:
    """The person's consent_to_match, or None if there is no such person."""
    found: bool | None = await conn.fetchval(
        "SELECT consent_to_match FROM people WHERE id = $1", person_id
    )
    return found


async def email_verified(conn: Conn, person_id: UUID) -> bool:
    """Whether the person has verified their email address (rounds leave out those who have
    not)."""
    return bool(
        await conn.fetchval(
            "SELECT email_verified_at IS NOT NULL FROM people WHERE id = $1", person_id
        )
    )


async def add_member(conn: Conn, programme_id: UUID, person_id: UUID) -> tuple[datetime, bool]:
    """Make the person a member; returns (joined_at, whether they were new)."""
    row = await conn.fetchrow(
        """WITH added AS (
               INSERT INTO programme_members (programme_id, person_id) VALUES ($1, $2)
               ON CONFLICT DO NOTHING RETURNING joined_at)
           SELECT joined_at, true AS new FROM added
           UNION ALL
           SELECT joined_at, false FROM programme_members
            WHERE programme_id = $1 AND person_id = $2 AND NOT EXISTS (SELECT 1 FROM added)""",
        programme_id,
        person_id,
    )
    assert row is not None
    return row["joined_at"], row["new"]


async def remove_member(conn: Conn, programme_id: UUID, person_id: UUID) -> bool:
    """Remove the person from the programme's members; False if they were not one."""
    removed = await conn.fetchval(
        "DELETE FROM programme_members WHERE programme_id = $1 AND person_id = $2 RETURNING 1",
        programme_id,
        person_id,
    )
    return removed is not None


async def end_open_mentorships(conn: Conn, programme_id: UUID, person_id: UUID) -> int:
    """End the person's pending and active mentorships in a programme; returns how many."""
    ended = await conn.fetch(
        """UPDATE mentorships SET status = 'ended', updated_at = now()
            WHERE programme_id = $1 AND (mentee_id = $2 OR mentor_id = $2)
              AND status = ANY($3::text[])
           RETURNING 1""",
        programme_id,
        person_id,
        list(OPEN),
    )
    return len(ended)


async def lock_mentor(conn: Conn, mentor_id: UUID) -> bool:
    """Lock the mentor's people row until the transaction ends; False if there is none.

    FOR NO KEY UPDATE serialises every request for this mentor like FOR UPDATE would, but does
    not block the KEY SHARE locks that foreign keys to ``people`` take, so two people who are
    both mentee and mentor cannot deadlock by asking each other at the same moment.
    """
    found = await conn.fetchval("SELECT 1 FROM people WHERE id = $1 FOR NO KEY UPDATE", mentor_id)
    return found is not None


async def request_parties(
    conn: Conn, programme_id: UUID, mentee_id: UUID, mentor_id: UUID
) -> RequestParties:
    """Roles, membership, consent and capacity of a request's two people."""
    row = await conn.fetchrow(
        """SELECT
             EXISTS (SELECT 1 FROM programme_members
                      WHERE programme_id = $1 AND person_id = $2) AS mentee_is_member,
             COALESCE((SELECT is_mentee FROM people WHERE id = $2), false) AS mentee_is_mentee,
             EXISTS (SELECT 1 FROM programme_members
                      WHERE programme_id = $1 AND person_id = $3) AS mentor_is_member,
             COALESCE((SELECT is_mentor FROM people WHERE id = $3), false) AS mentor_is_mentor,
             COALESCE((SELECT consent_to_match FROM people WHERE id = $3), false)
               AS mentor_consents,
             (SELECT mentor_capacity FROM people WHERE id = $3) AS mentor_capacity""",
        programme_id,
        mentee_id,
        mentor_id,
    )
    assert row is not None
    return RequestParties(**dict(row))


async def open_mentorship_of_mentee(conn: Conn, programme_id: UUID, mentee_id: UUID) -> bool:
    """True if the mentee already has a pending or active mentorship in the programme."""
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM mentorships WHERE programme_id = $1 AND mentee_id = $2"
            " AND status = ANY($3::text[])",
            programme_id,
            mentee_id,
            list(OPEN),
        )
    )


async def mentor_load(conn: Conn, mentor_id: UUID) -> int:
    """The mentor's pending and active mentorships across all programmes."""
    load: int = await conn.fetchval(
        "SELECT count(*) FROM mentorships WHERE mentor_id = $1 AND status = ANY($2::text[])",
        mentor_id,
        list(OPEN),
    )
    return load


async def insert_mentorship(
    conn: Conn,
    programme_id: UUID,
    mentee_id: UUID,
    mentor_id: UUID,
    *,
    source: str,
    status: str = "pending",
    round_id: UUID | None = None,
) -> UUID:
    """Create a mentorship; raises asyncpg.UniqueViolationError if the mentee has an open one."""
    mentorship_id: UUID = await conn.fetchval(
        "INSERT INTO mentorships (programme_id, mentee_id, mentor_id, source, status, round_id)"
        " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        programme_id,
        mentee_id,
        mentor_id,
        source,
        status,
        round_id,
    )
    return mentorship_id


_MENTORSHIPS = """
SELECT ms.id, ms.programme_id, pr.name AS programme_name, ms.source, ms.status,
       ms.created_at, ms.updated_at,
       CASE WHEN ms.mentee_id = $1 THEN 'mentee' ELSE 'mentor' END AS my_role,
       other.id AS other_id, other.display_name AS other_display_name,
       other.headline AS other_headline
  FROM mentorships ms
  JOIN programmes pr ON pr.id = ms.programme_id
  JOIN people other
    ON other.id = CASE WHEN ms.mentee_id = $1 THEN ms.mentor_id ELSE ms.mentee_id END
"""


async def mentorships_of(conn: Conn, person_id: UUID) -> list[dict[str, Any]]:
    """The person's mentorships with the other person's name and headline, newest first."""
    rows = await conn.fetch(
        _MENTORSHIPS + " WHERE ms.mentee_id = $1 OR ms.mentor_id = $1"
        " ORDER BY ms.created_at DESC, ms.id",
        person_id,
    )
    return [dict(r) for r in rows]


async def get_mentorship_for(
    conn: Conn, person_id: UUID, mentorship_id: UUID
) -> dict[str, Any] | None:
    """One mentorship as ``person_id`` (one of its two people) sees it, or None."""
    row = await conn.fetchrow(
        _MENTORSHIPS + " WHERE ms.id = $2 AND (ms.mentee_id = $1 OR ms.mentor_id = $1)",
        person_id,
        mentorship_id,
    )
    return None if row is None else dict(row)
