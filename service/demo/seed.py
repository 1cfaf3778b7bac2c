"""Load the demo population: validated like sign-ups, written with COPY in one transaction."""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from service.demo.generator import generate_people
from service.kit.db import Conn
from service.people.repository import WindowRow
from service.people.schemas import SignupIn
from service.people.service import profile_values, window_rows
from service.security import Passwords
from service.taxonomy.normalise import Taxonomy

DEMO_PASSWORD = "kickoff-demo-password"  # noqa: S105 - demo accounts only, printed to the user


def demo_person(
    raw: dict[str, object], taxonomy: Taxonomy
) -> tuple[dict[str, Any], list[WindowRow]]:
    """A generated person as a sign-up stores them: column values and availability rows.

    Validated by :class:`SignupIn` and normalised by :func:`profile_values` (tags to taxonomy
    slugs), as a real sign-up is; the password is not among the values.
    """
    body = SignupIn.model_validate({**raw, "password": DEMO_PASSWORD})
    return profile_values(body.model_dump(), taxonomy), window_rows(body.availability)


@dataclass(frozen=True)
class SeedResult:
    """What the seeder did."""

    mentees: int
    mentors: int
    skipped: bool


async def seed_demo(
    pool: asyncpg.Pool,
    taxonomy: Taxonomy,
    passwords: Passwords,
    *,
    mentees: int = 300,
    mentors: int = 100,
    random_state: int = 2027,
    reset: bool = False,
) -> SeedResult:
    """Insert the demo population unless it is already there (or ``reset`` replaces it)."""
    async with pool.acquire() as conn, conn.transaction():
        # One seeder at a time; a second waits and then finds the data present.
        await conn.execute("SELECT pg_advisory_xact_lock(7212604002)")
        existing = await conn.fetchval("SELECT count(*) FROM people WHERE is_demo")
        if existing and not reset:
            counts = await conn.fetchrow(
                "SELECT count(*) FILTER (WHERE is_mentee AND NOT is_mentor) AS mentees,"
                " count(*) FILTER (WHERE is_mentor) AS mentors FROM people WHERE is_demo"
            )
            assert counts is not None
            return SeedResult(counts["mentees"], counts["mentors"], True)
        if existing:
            await conn.execute("DELETE FROM programmes WHERE name = $1", DEMO_PROGRAMME)
            await conn.execute("DELETE FROM people WHERE is_demo")
        # Every demo account shares one hash: hashing 400 passwords with argon2 would take a minute.
        password_hash = await asyncio.to_thread(passwords.hash, DEMO_PASSWORD)
        rng = random.Random(random_state)
        people_rows: list[tuple[object, ...]] = []
        window_records: list[tuple[object, ...]] = []
        columns: list[str] | None = None
        for raw in generate_people(mentees, mentors, random_state=random_state):
            values, windows = demo_person(raw, taxonomy)
            person_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            if columns is None:
                columns = sorted(values)
            people_rows.append((person_id, password_hash, True, *[values[c] for c in columns]))
            window_records.extend(
                (person_id, w.weekday, w.start_minute, w.end_minute) for w in windows
            )
        assert columns is not None
        await conn.copy_records_to_table(
            "people",
            records=people_rows,
            columns=["id", "password_hash", "is_demo", *columns],
        )
        await conn.copy_records_to_table(
            "availability_windows",
            records=window_records,
            columns=["person_id", "weekday", "start_minute", "end_minute"],
        )
        await _demo_programme(conn)
    return SeedResult(mentees, mentors, False)


DEMO_PROGRAMME = "Kickoff demo cohort"


async def _demo_programme(conn: Conn) -> None:
    """A programme with every demo person, organised by the first demo mentor (a site admin)."""
    organiser = await conn.fetchval(
        "SELECT id FROM people WHERE is_demo AND is_mentor ORDER BY email LIMIT 1"
    )
    await conn.execute("UPDATE people SET is_admin = true WHERE id = $1", organiser)
    programme = await conn.fetchval(
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


async def demo_programme_id(pool: asyncpg.Pool) -> str | None:
    """The demo programme's id, if the demo data is loaded."""
    found = await pool.fetchval(
        "SELECT id FROM programmes WHERE name = $1 ORDER BY created_at LIMIT 1", DEMO_PROGRAMME
    )
    return None if found is None else str(found)


async def demo_examples(pool: asyncpg.Pool) -> list[tuple[str, str]]:
    """One demo mentee's and one demo mentor's email, to log in with."""
    rows = await pool.fetch(
        """(SELECT 'mentee' AS role, email FROM people
             WHERE is_demo AND is_mentee AND NOT is_mentor ORDER BY email LIMIT 1)
           UNION ALL
           (SELECT 'mentor', email FROM people
             WHERE is_demo AND is_mentor ORDER BY email LIMIT 1)"""
    )
    return [(r["role"], r["email"]) for r in rows]
