"""Load the demo population (validated like sign-ups) and its associations with their members,
written with COPY in one transaction."""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from service.demo import repository as repo
from service.demo.associations import Resident, demo_associations, demo_memberships
from service.demo.events import PER_ASSOCIATION, demo_events, demo_rsvps, more_events
from service.demo.generator import generate_people
from service.kit.db import transaction
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
    """Insert the demo population unless it is already there (or ``reset`` replaces it).

    A command (``kickoff seed``, the demo, tests): it owns its transaction, and hashes the one
    password every demo account shares before opening it.
    """
    # One hash for every demo account: hashing 400 passwords with argon2 would take a minute.
    password_hash = await asyncio.to_thread(passwords.hash, DEMO_PASSWORD)
    async with transaction(pool) as conn:
        await repo.lock_seeding(conn)  # a second seeder waits, then finds the data present
        existing = await repo.demo_counts(conn)
        if existing and not reset:
            return SeedResult(*existing, skipped=True)
        if existing:
            await repo.delete_demo(conn)
        rng = random.Random(random_state)
        verified_at = datetime.now(UTC)
        people_rows: list[tuple[object, ...]] = []
        window_records: list[tuple[object, ...]] = []
        typed: list[tuple[uuid.UUID, dict[str, str]]] = []
        columns: list[str] | None = None
        residents: list[Resident] = []
        for raw in generate_people(mentees, mentors, random_state=random_state):
            values, windows = demo_person(raw, taxonomy)
            person_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            residents.append(
                Resident(person_id, values["country"], values["city"], tuple(values["languages"]))
            )
            # COPY's binary format cannot carry our jsonb codec: custom tags' words go after.
            if texts := values.pop("tag_texts", None):
                typed.append((person_id, texts))
            if columns is None:
                columns = sorted(values)
            people_rows.append(
                (person_id, password_hash, True, verified_at, *[values[c] for c in columns])
            )
            window_records.extend(
                (person_id, w.weekday, w.start_minute, w.end_minute) for w in windows
            )
        assert columns is not None
        await repo.copy_people(conn, columns, people_rows)
        await repo.set_tag_texts(conn, typed)
        await repo.copy_windows(conn, window_records)
        await repo.create_demo_programme(conn)
        associations = demo_associations(taxonomy, rng)
        await repo.insert_associations(conn, associations)
        memberships = demo_memberships(associations, residents, rng, verified_at)
        await repo.copy_memberships(conn, memberships)
        await repo.appoint_association_admins(conn)
        events = demo_events(associations, taxonomy, rng, verified_at)
        members: dict[uuid.UUID, list[uuid.UUID]] = {}
        for row in memberships:
            if row[4] == "active":
                members.setdefault(row[0], []).append(row[1])  # type: ignore[arg-type]
        rsvps: list[tuple[object, ...]] = list(demo_rsvps(events, members, residents, rng))
        await repo.insert_events(conn, events)
        await repo.copy_rsvps(conn, rsvps)
    return SeedResult(mentees, mentors, False)


async def top_up_events(
    pool: asyncpg.Pool,
    taxonomy: Taxonomy,
    now: datetime | None = None,
    random_state: int | None = None,
) -> int:
    """Keep a demo loaded weeks ago worth opening: each demo association with fewer than
    :data:`PER_ASSOCIATION`'s least upcoming events gets new ones over the coming 90 days, with
    RSVPs drawn as the seed draws them. How many were added (none when nothing is loaded)."""
    now = now or datetime.now(UTC)
    async with transaction(pool) as conn:
        await repo.lock_seeding(conn)
        wanted = [
            (host, PER_ASSOCIATION[0] - host["upcoming"])
            for host in await repo.demo_hosts(conn)
            if host["upcoming"] < PER_ASSOCIATION[0]
        ]
        if not wanted:
            return 0
        # Not the seed's fixed state: ids are drawn too, and a second top-up (after events
        # were cancelled, say) must not draw the ids of the first again.
        rng = random.Random(random_state)
        events = more_events(wanted, taxonomy, rng, now)
        members = await repo.active_demo_members(conn)
        residents = await repo.demo_residents(conn)
        rsvps: list[tuple[object, ...]] = list(demo_rsvps(events, members, residents, rng))
        await repo.insert_events(conn, events)
        await repo.copy_rsvps(conn, rsvps)
    return len(events)
