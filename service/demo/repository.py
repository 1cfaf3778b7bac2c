"""Demo data queries. No commits here: the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

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
    """Remove the demo programme and every demo person (and what cascades from them)."""
    await conn.execute("DELETE FROM programmes WHERE name = $1", DEMO_PROGRAMME)
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
