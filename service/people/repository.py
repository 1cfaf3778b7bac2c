"""People queries. No commits here: the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from service.kit.db import Conn, deleted

#: Tag columns: free text normalised through the taxonomy.
TAG_COLUMNS = (
    "skills",
    "goals",
    "certifications_held",
    "certifications_target",
    "tools",
    "industries",
)
# Columns a profile edit may set; the SET clause is built only from these names.
PROFILE_COLUMNS = (
    "display_name",
    "email",
    "is_mentee",
    "is_mentor",
    "headline",
    "bio",
    "years_experience",
    "current_role",
    "employer",
    "city",
    "country",
    "timezone",
    "languages",
    *TAG_COLUMNS,
    "meeting_modes",
    "mentor_capacity",
    "consent_to_match",
    "shared_contact",
    "tag_texts",
    # What the certification rules read (sql/0025), and the weekly digest setting.
    "education",
    "months_leading_projects",
    "pm_education_hours",
    "digest",
)


@dataclass(frozen=True)
class WindowRow:
    """A stored availability window (minutes from local midnight)."""

    weekday: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class Person:
    """A person and their profile as stored."""

    id: UUID
    email: str
    display_name: str
    is_mentee: bool
    is_mentor: bool
    headline: str
    bio: str
    years_experience: int
    current_role: str
    employer: str
    city: str
    country: str
    timezone: str
    languages: list[str]
    skills: list[str]
    goals: list[str]
    certifications_held: list[str]
    certifications_target: list[str]
    tools: list[str]
    industries: list[str]
    meeting_modes: list[str]
    mentor_capacity: int | None
    consent_to_match: bool
    shared_contact: str
    #: Custom tags as typed, by slug (sql/0015): {"kanban-for-ngos": "Kanban for NGOs"}.
    tag_texts: dict[str, str]
    #: Whether they followed the link emailed to their current address (sql/0013).
    email_verified: bool
    created_at: datetime
    updated_at: datetime
    availability: tuple[WindowRow, ...] = ()
    #: Highest education ("secondary", "bachelor", "master", "doctorate"), or None (sql/0025).
    education: str | None = None
    months_leading_projects: int | None = None
    pm_education_hours: int | None = None
    #: Opted in to the weekly digest email.
    digest: bool = False


def _q(column: str) -> str:
    # Quoted because current_role is a reserved word in PostgreSQL.
    return f'"{column}"'


_SELECT = "SELECT id, {}, created_at, updated_at FROM people".format(  # noqa: S608 - fixed names
    ", ".join([*map(_q, PROFILE_COLUMNS), "email_verified_at IS NOT NULL AS email_verified"])
)


async def insert_person(conn: Conn, values: dict[str, Any], password_hash: str) -> UUID:
    """Insert a person; raises asyncpg.UniqueViolationError on a taken email."""
    cols = [c for c in PROFILE_COLUMNS if c in values]
    placeholders = ", ".join(f"${i}" for i in range(1, len(cols) + 2))
    names = ", ".join(map(_q, cols))
    row = await conn.fetchrow(
        f"INSERT INTO people ({names}, password_hash) VALUES ({placeholders}) RETURNING id",  # noqa: S608 - names from PROFILE_COLUMNS
        *[values[c] for c in cols],
        password_hash,
    )
    assert row is not None
    person_id: UUID = row["id"]
    return person_id


async def create_unclaimed_person(conn: Conn, email: str, display_name: str | None = None) -> UUID:
    """A person created by someone else (an import, an invitation), not yet signed up.

    No password, role or timezone: they cannot log in, are never matched and are in no list,
    count or export of anyone else until they sign up with this email, which claims the row
    (:func:`claim_person`). Raises asyncpg.UniqueViolationError on a taken email.
    """
    person_id: UUID = await conn.fetchval(
        "INSERT INTO people (email, display_name, claimed_at) VALUES ($1, $2, NULL) RETURNING id",
        email,
        display_name,
    )
    return person_id


async def claim_person(conn: Conn, values: dict[str, Any], password_hash: str) -> UUID | None:
    """Sign up as the unclaimed person with ``values["email"]``: their row gets the sign-up's
    profile and password and keeps what was recorded for it (memberships); None if no one
    unclaimed has that email.

    Everything the sign-up sends replaces what the creator wrote, so claiming shows nothing
    of it; the address is unverified until its owner follows the link emailed to it. Two
    sign-ups at once: the second waits on the row, finds it claimed and gets None.

    Memberships of associations that imported the person ("invited": not in Kickoff yet)
    become active in the same statement, however the person joins (signing up, an
    invitation's link, the admin command): only unclaimed people are ever "invited".
    """
    cols = [c for c in PROFILE_COLUMNS if c in values]
    sets = ", ".join(f"{_q(c)} = ${i}" for i, c in enumerate(cols, start=3))
    person_id: UUID | None = await conn.fetchval(
        f"WITH claimed AS (UPDATE people SET {sets}, password_hash = $2, claimed_at = now(),"  # noqa: S608 - names from PROFILE_COLUMNS
        " updated_at = now(), email_verified_at = NULL"
        " WHERE lower(email) = lower($1) AND claimed_at IS NULL RETURNING id),"
        " joined AS (UPDATE association_members m SET status = 'active', updated_at = now()"
        " FROM claimed WHERE m.person_id = claimed.id AND m.status = 'invited')"
        " SELECT id FROM claimed",
        values["email"],
        password_hash,
        *[values[c] for c in cols],
    )
    return person_id


async def claim_or_insert_person(conn: Conn, values: dict[str, Any], password_hash: str) -> UUID:
    """Sign up: claim the unclaimed person with this email, or insert a new one.

    Raises asyncpg.UniqueViolationError when a signed-up person has the email.
    """
    claimed = await claim_person(conn, values, password_hash)
    return claimed or await insert_person(conn, values, password_hash)


async def update_person(conn: Conn, person_id: UUID, changes: dict[str, Any]) -> None:
    """Set the given profile columns (names checked against PROFILE_COLUMNS)."""
    cols = [c for c in PROFILE_COLUMNS if c in changes]
    unknown = set(changes) - set(cols)
    if unknown:
        raise ValueError(f"not profile columns: {sorted(unknown)}")
    if not cols:
        return
    sets = ", ".join(f"{_q(c)} = ${i}" for i, c in enumerate(cols, start=2))
    await conn.execute(
        f"UPDATE people SET {sets}, updated_at = now() WHERE id = $1",  # noqa: S608 - names from PROFILE_COLUMNS
        person_id,
        *[changes[c] for c in cols],
    )


async def replace_availability(conn: Conn, person_id: UUID, windows: list[WindowRow]) -> None:
    """Replace a person's weekly windows."""
    await conn.execute("DELETE FROM availability_windows WHERE person_id = $1", person_id)
    await conn.executemany(
        "INSERT INTO availability_windows (person_id, weekday, start_minute, end_minute)"
        " VALUES ($1, $2, $3, $4)",
        [(person_id, w.weekday, w.start_minute, w.end_minute) for w in windows],
    )


async def get_person(conn: Conn, person_id: UUID, *, for_update: bool = False) -> Person | None:
    """One signed-up person with their availability, or None (also for an unclaimed one)."""
    row = await conn.fetchrow(
        _SELECT
        + " WHERE id = $1 AND claimed_at IS NOT NULL"
        + (" FOR UPDATE" if for_update else ""),
        person_id,
    )
    if row is None:
        return None
    windows = await conn.fetch(
        "SELECT weekday, start_minute, end_minute FROM availability_windows"
        " WHERE person_id = $1 ORDER BY weekday, start_minute",
        person_id,
    )
    data = dict(row)
    data.pop("password_hash", None)
    return Person(**data, availability=tuple(WindowRow(**dict(w)) for w in windows))


async def free_event_places(conn: Conn, person_id: UUID) -> int:
    """Give back the places the person's RSVPs hold (before the RSVPs cascade away with them,
    so each event's count stays the number of people going); how many."""
    freed = await conn.fetch(
        """UPDATE events e SET rsvp_count = e.rsvp_count - 1
             FROM event_rsvps r WHERE r.event_id = e.id AND r.person_id = $1
        RETURNING e.id""",
        person_id,
    )
    return len(freed)


async def delete_person(conn: Conn, person_id: UUID) -> str | None:
    """Delete a person and everything that cascades from them; returns their email."""
    email: str | None = await conn.fetchval(
        "DELETE FROM people WHERE id = $1 RETURNING email", person_id
    )
    return email


async def delete_import_rows(conn: Conn, email: str) -> int:
    """Delete the rows of member files holding this address (any case): staged for an import
    running now, or refused by one; how many."""
    staged = await deleted(conn, "DELETE FROM import_rows WHERE lower(email) = lower($1)", email)
    return staged + await deleted(
        conn,
        "DELETE FROM import_rejects WHERE lower(email) = lower($1) AND email IS NOT NULL",
        email,
    )


async def count_people(conn: Conn) -> dict[str, int]:
    """Mentees and mentors on the site (for the home page), signed-up people only."""
    row = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE is_mentee) AS mentees,"
        " count(*) FILTER (WHERE is_mentor) AS mentors FROM people WHERE claimed_at IS NOT NULL"
    )
    assert row is not None
    return {"mentees": row["mentees"], "mentors": row["mentors"]}


async def related_records(conn: Conn, person_id: UUID) -> dict[str, Any]:
    """Everything outside the profile that names this person (for the data export)."""

    async def rows(sql: str) -> list[dict[str, Any]]:
        return [dict(r) for r in await conn.fetch(sql, person_id)]

    return {
        "is_admin": bool(
            await conn.fetchval("SELECT is_admin FROM people WHERE id = $1", person_id)
        ),
        "programmes": await rows(
            """SELECT p.id, p.name, m.joined_at, EXISTS (SELECT 1 FROM programme_organisers o
                        WHERE o.programme_id = p.id AND o.person_id = $1) AS organiser
                 FROM programmes p JOIN programme_members m ON m.programme_id = p.id
                WHERE m.person_id = $1
               UNION
               SELECT p.id, p.name, NULL, true FROM programmes p
                 JOIN programme_organisers o ON o.programme_id = p.id
                WHERE o.person_id = $1 AND NOT EXISTS (SELECT 1 FROM programme_members m
                        WHERE m.programme_id = p.id AND m.person_id = $1)"""
        ),
        "associations": await rows(
            """SELECT a.id, a.name, m.member_ref, m.source, m.status, m.created_at, m.ended_at,
                      EXISTS (SELECT 1 FROM association_admins ad
                               WHERE ad.association_id = a.id AND ad.person_id = $1) AS admin
                 FROM associations a JOIN association_members m ON m.association_id = a.id
                WHERE m.person_id = $1
               UNION ALL
               SELECT a.id, a.name, NULL, NULL, NULL, NULL, NULL, true FROM associations a
                 JOIN association_admins ad ON ad.association_id = a.id
                WHERE ad.person_id = $1 AND NOT EXISTS (SELECT 1 FROM association_members m
                        WHERE m.association_id = a.id AND m.person_id = $1)"""
        ),
        "mentorships": await rows(
            """SELECT ms.id, ms.programme_id, ms.source, ms.status, ms.created_at, ms.updated_at,
                      CASE WHEN ms.mentee_id = $1 THEN 'mentee' ELSE 'mentor' END AS my_role,
                      other.display_name AS other_display_name
                 FROM mentorships ms LEFT JOIN people other ON other.id =
                      CASE WHEN ms.mentee_id = $1 THEN ms.mentor_id ELSE ms.mentee_id END
                      AND other.claimed_at IS NOT NULL  -- nobody's name before they sign up
                WHERE $1 IN (ms.mentee_id, ms.mentor_id) ORDER BY ms.created_at"""
        ),
        "round_proposals": await rows(
            """SELECT rm.round_id, CASE WHEN rm.mentee_id = $1 THEN 'mentee' ELSE 'mentor' END
                      AS my_role, rm.score, rm.components, rm.reasons, rm.pinned
                 FROM round_matches rm WHERE $1 IN (rm.mentee_id, rm.mentor_id)"""
        ),
        "email_links": await rows(
            "SELECT purpose, email, created_at, expires_at, used_at FROM email_links"
            " WHERE person_id = $1 ORDER BY created_at"
        ),
        "round_unmatched": await rows(
            "SELECT round_id, code, reason FROM round_unmatched WHERE mentee_id = $1"
        ),
        "event_rsvps": await rows(
            """SELECT e.id AS event_id, e.title, e.starts_at, e.status, r.created_at
                 FROM event_rsvps r JOIN events e ON e.id = r.event_id
                WHERE r.person_id = $1 ORDER BY e.starts_at, e.id"""
        ),
        "round_not_entered": await rows(
            "SELECT round_id, role, code, reason FROM round_not_entered WHERE person_id = $1"
        ),
        "overrides": await rows(
            """SELECT programme_id, kind, created_at,
                      CASE WHEN mentee_id = $1 THEN 'mentee' ELSE 'mentor' END AS my_role
                 FROM programme_overrides WHERE $1 IN (mentee_id, mentor_id)"""
        ),
    }
