"""Demo data queries. No commits here: the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from service.demo.associations import Resident
from service.kit.db import Conn

#: The demo programme: every demo person, organised by the first demo mentor.
DEMO_PROGRAMME = "Kickoff demo cohort"
#: Taken for the rest of the transaction, so one seeder runs at a time.
SEED_LOCK_ID = 7212604002


async def lock_seeding(conn: Conn) -> None:
    """Wait for any other seeder to finish (until this transaction ends)."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", SEED_LOCK_ID)


async def demo_counts(conn: Conn) -> tuple[int, int] | None:
    """(mentees, mentors) of the demo population, or None when none is loaded."""
    row = await conn.fetchrow(
        "SELECT count(*) AS people, count(*) FILTER (WHERE is_mentee AND NOT is_mentor) AS mentees,"
        " count(*) FILTER (WHERE is_mentor) AS mentors FROM people WHERE is_demo"
    )
    assert row is not None
    return (row["mentees"], row["mentors"]) if row["people"] else None


async def delete_demo(conn: Conn) -> None:
    """Remove the demo programme, the demo associations and every demo person (and what
    cascades from them)."""
    await conn.execute("DELETE FROM programmes WHERE name = $1", DEMO_PROGRAMME)
    await conn.execute("DELETE FROM associations WHERE is_demo")
    # Places demo people hold at events that stay (not the demo's own) are given back first.
    await conn.execute(
        """UPDATE events e SET rsvp_count = e.rsvp_count - going.n
             FROM (SELECT r.event_id, count(*)::int AS n FROM event_rsvps r
                     JOIN people p ON p.id = r.person_id AND p.is_demo
                    GROUP BY r.event_id) going
            WHERE going.event_id = e.id"""
    )
    await conn.execute("DELETE FROM people WHERE is_demo")


async def copy_people(conn: Conn, columns: Sequence[str], people: list[tuple[object, ...]]) -> None:
    """Write demo people (``id, password_hash, is_demo, email_verified_at`` then ``columns``)
    with COPY. Demo people are created verified: their addresses are made up, and rounds
    take only verified people."""
    await conn.copy_records_to_table(
        "people",
        records=people,
        columns=["id", "password_hash", "is_demo", "email_verified_at", *columns],
    )


async def set_tag_texts(conn: Conn, typed: list[tuple[UUID, dict[str, str]]]) -> None:
    """Record people's custom tags as typed (person, {slug: words})."""
    await conn.executemany("UPDATE people SET tag_texts = $2 WHERE id = $1", typed)


async def copy_windows(conn: Conn, windows: list[tuple[object, ...]]) -> None:
    """Write availability windows (person, weekday, start and end minute) with COPY."""
    await conn.copy_records_to_table(
        "availability_windows",
        records=windows,
        columns=["person_id", "weekday", "start_minute", "end_minute"],
    )


async def create_demo_programme(conn: Conn) -> UUID:
    """The demo programme with every demo person, organised by the first demo mentor, who
    becomes a site admin."""
    organiser = await conn.fetchval(
        "SELECT id FROM people WHERE is_demo AND is_mentor ORDER BY email LIMIT 1"
    )
    await conn.execute("UPDATE people SET is_admin = true WHERE id = $1", organiser)
    programme: UUID = await conn.fetchval(
        "INSERT INTO programmes (name, description, created_by) VALUES ($1, $2, $3) RETURNING id",
        DEMO_PROGRAMME,
        "Every demo mentee and mentor, ready for a matching round.",
        organiser,
    )
    await conn.execute(
        "INSERT INTO programme_organisers (programme_id, person_id) VALUES ($1, $2)",
        programme,
        organiser,
    )
    await conn.execute(
        "INSERT INTO programme_members (programme_id, person_id)"
        " SELECT $1, id FROM people WHERE is_demo",
        programme,
    )
    return programme


async def demo_programme_id(conn: Conn) -> str | None:
    """The demo programme's id, if the demo data is loaded."""
    found = await conn.fetchval(
        "SELECT id FROM programmes WHERE name = $1 ORDER BY created_at LIMIT 1", DEMO_PROGRAMME
    )
    return None if found is None else str(found)


async def demo_examples(conn: Conn) -> list[tuple[str, str]]:
    """One demo mentee's and one demo mentor's email, to log in with."""
    rows = await conn.fetch(
        """(SELECT 'mentee' AS role, email FROM people
             WHERE is_demo AND is_mentee AND NOT is_mentor ORDER BY email LIMIT 1)
           UNION ALL
           (SELECT 'mentor', email FROM people
             WHERE is_demo AND is_mentor ORDER BY email LIMIT 1)"""
    )
    return [(r["role"], r["email"]) for r in rows]


async def insert_associations(conn: Conn, rows: list[dict[str, Any]]) -> None:
    """Write the demo associations (column values with their ids), marked as demo data."""
    await conn.executemany(
        """INSERT INTO associations (id, name, kind, online, city, country, website,
                                     description, focus, focus_texts, languages, is_demo)
           VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), $7, $8, $9, $10, $11, true)""",
        [
            (
                r["id"],
                r["name"],
                r["kind"],
                r["online"],
                r["city"],
                r["country"],
                r["website"],
                r["description"],
                r["focus"],
                r["focus_texts"],
                r["languages"],
            )
            for r in rows
        ],
    )


async def copy_memberships(conn: Conn, rows: list[tuple[object, ...]]) -> None:
    """Write memberships (association, person, member_ref, source, status, ended_at) with COPY."""
    await conn.copy_records_to_table(
        "association_members",
        records=rows,
        columns=["association_id", "person_id", "member_ref", "source", "status", "ended_at"],
    )


async def appoint_association_admins(conn: Conn) -> None:
    """Each demo association is run by one of its active mentor members; the demo's site admin
    runs the association of their city (else country, else an online one) too, and one other
    association waits for a programme it asked for."""
    await conn.execute(
        """INSERT INTO association_admins (association_id, person_id)
           SELECT DISTINCT ON (m.association_id) m.association_id, m.person_id
             FROM association_members m
             JOIN associations a ON a.id = m.association_id AND a.is_demo
             JOIN people p ON p.id = m.person_id AND p.is_mentor AND NOT p.is_admin
            WHERE m.status = 'active'
            ORDER BY m.association_id, p.email"""
    )
    await conn.execute(
        """WITH admin AS (SELECT id, country, city FROM people
                           WHERE is_demo AND is_admin ORDER BY email LIMIT 1)
           INSERT INTO association_admins (association_id, person_id)
           SELECT a.id, admin.id FROM admin, associations a WHERE a.is_demo
            ORDER BY a.country IS NOT DISTINCT FROM admin.country AND a.city = admin.city DESC,
                     a.country IS NOT DISTINCT FROM admin.country DESC, a.online DESC, a.name
            LIMIT 1"""
    )
    await conn.execute(
        """INSERT INTO programme_requests (association_id, requested_by, name, description)
           SELECT ad.association_id, ad.person_id, a.name || ' mentoring 2027',
                  'Our members would like to mentor each other: newcomers with our seniors.'
             FROM association_admins ad
             JOIN associations a ON a.id = ad.association_id AND a.is_demo
             JOIN people p ON p.id = ad.person_id AND NOT p.is_admin
            ORDER BY a.name LIMIT 1"""
    )


async def demo_association(conn: Conn) -> tuple[str, str] | None:
    """(id, name) of the demo association the demo's site admin runs, if the demo is loaded."""
    row = await conn.fetchrow(
        """SELECT a.id, a.name FROM associations a
             JOIN association_admins ad ON ad.association_id = a.id
             JOIN people p ON p.id = ad.person_id AND p.is_demo AND p.is_admin
            WHERE a.is_demo ORDER BY p.email LIMIT 1"""
    )
    return None if row is None else (str(row["id"]), row["name"])


async def insert_events(conn: Conn, rows: list[dict[str, Any]]) -> None:
    """Write the demo events (column values with their ids and counts), marked as demo data."""
    await conn.executemany(
        """INSERT INTO events (id, association_id, title, kind, starts_at, ends_at, timezone,
                               online, city, country, latitude, longitude, tags, tag_texts,
                               languages, capacity, rsvp_count, url, description, is_demo)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULLIF($10, ''), $11, $12, $13, $14,
                   $15, $16, $17, $18, $19, true)""",
        [
            (
                r["id"],
                r["association_id"],
                r["title"],
                r["kind"],
                r["starts_at"],
                r["ends_at"],
                r["timezone"],
                r["online"],
                r["city"],
                r["country"],
                r["latitude"],
                r["longitude"],
                r["tags"],
                r["tag_texts"],
                r["languages"],
                r["capacity"],
                r["rsvp_count"],
                r["url"],
                r["description"],
            )
            for r in rows
        ],
    )


async def copy_rsvps(conn: Conn, rows: list[tuple[object, ...]]) -> None:
    """Write RSVPs (event, person) with COPY."""
    await conn.copy_records_to_table("event_rsvps", records=rows, columns=["event_id", "person_id"])


async def demo_hosts(conn: Conn) -> list[dict[str, Any]]:
    """The demo associations as the event drawing reads them, with how many scheduled events
    each has still to come (``upcoming``)."""
    rows = await conn.fetch(
        """SELECT a.id, a.name, a.city, a.country, a.languages,
                  (SELECT count(*) FROM events e
                    WHERE e.association_id = a.id AND e.status = 'scheduled'
                      AND e.starts_at > now())::int AS upcoming
             FROM associations a WHERE a.is_demo ORDER BY a.name, a.id"""
    )
    return [dict(r) for r in rows]


async def demo_residents(conn: Conn) -> list[Resident]:
    """Every demo person and where they live (whom demo RSVPs are drawn from)."""
    rows = await conn.fetch(
        "SELECT id, country, city, languages FROM people WHERE is_demo ORDER BY id"
    )
    return [Resident(r["id"], r["country"], r["city"], tuple(r["languages"])) for r in rows]


async def active_demo_members(conn: Conn) -> dict[UUID, list[UUID]]:
    """The active members of each demo association."""
    rows = await conn.fetch(
        """SELECT m.association_id, m.person_id FROM association_members m
             JOIN associations a ON a.id = m.association_id AND a.is_demo
            WHERE m.status = 'active' ORDER BY m.association_id, m.person_id"""
    )
    members: dict[UUID, list[UUID]] = {}
    for r in rows:
        members.setdefault(r["association_id"], []).append(r["person_id"])
    return members
