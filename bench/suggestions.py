"""Suggestions end to end: 50,000 people, 500 associations, 5,000 events in a fresh database,
precomputed by the worker's own code path, then read through the ASGI app.

The world is :func:`bench.suggest_population.world` (memberships, RSVPs and mentorships that
follow hidden preferences), COPYed into a new database on the server of ``DATABASE_URL`` (or
the embedded one). Then, with a real process pool as the worker has:

- the snapshot load (:func:`service.suggestions.load.load_world`) and the fit in the pool
  (``build_world`` and ``Recommender.fit``, as :mod:`service.suggestions.refresh` does);
- the recomputation of everyone, on a sample of ``SAMPLE`` people (the whole 50,000 would take
  20-30 minutes on one core: people per second is what matters) through the same function,
  batches written as they come;
- the refresh of ``STALE`` people marked stale (a profile change each), by
  :func:`service.suggestions.refresh.refresh` itself: milliseconds per person;
- the other people's suggestions are filled in SQL (copies of computed ones), so that the
  table holds 50,000 x about 30 rows, and ``GET /api/v1/me/suggestions`` is timed for
  ``GETS`` random people through the ASGI app (httpx, Bearer sessions), one at a time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
import secrets
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import numpy as np

from bench.suggest_population import World, world
from matching.suggest import Event
from service import db, embedded
from service.app import create_app
from service.kit.db import Conn
from service.kit.processes import ProcessPool
from service.settings import Settings
from service.suggestions import refresh

SIZE = (
    int(os.environ.get("KICKOFF_BENCH_PEOPLE", "50000")),
    int(os.environ.get("KICKOFF_BENCH_ASSOCIATIONS", "500")),
    int(os.environ.get("KICKOFF_BENCH_EVENTS", "5000")),
)
SAMPLE = int(os.environ.get("KICKOFF_BENCH_SAMPLE", "2000"))
STALE = refresh.STALE_BATCH
GETS = 1000


async def _scratch(admin_dsn: str) -> str:
    """A new empty database on the server of ``admin_dsn``; its DSN."""
    name = "kickoff_bench_suggestions_" + uuid.uuid4().hex[:8]
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return urlunsplit(urlsplit(admin_dsn)._replace(path="/" + name))


async def _drop(admin_dsn: str, dsn: str) -> None:
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{urlsplit(dsn).path[1:]}" WITH (FORCE)')
    finally:
        await admin.close()


def _local_windows(utc: tuple[tuple[int, int], ...], zone: str, now: datetime) -> list[Any]:
    """UTC minute-of-week intervals back to local (weekday, start, end) windows, cut at
    midnight (the generator keeps UTC only)."""
    offset = now.astimezone(ZoneInfo(zone)).utcoffset()
    shift = 0 if offset is None else int(offset.total_seconds() // 60)
    out = {}
    for start, end in utc:
        local = (start + shift) % 10080
        day, minute = divmod(local, 1440)
        out[(day, minute)] = min(1440, minute + end - start)
    return [(day, minute, end) for (day, minute), end in out.items() if end > minute]


async def _store(conn: Conn, w: World) -> dict[str, uuid.UUID]:
    """COPY the world into the database; the id of each key."""
    ids = {k: uuid.uuid4() for k in [p.key for p in w.people] + [i.key for i in w.items]}
    people, windows = [], []
    for p in w.people:
        pid = ids[p.key]
        people.append(
            (
                pid,
                f"{p.key}@bench.example",
                "x",
                f"{p.first_name} {p.key}",
                True,
                p.profile.text,
                p.city,
                p.country,
                p.timezone,
                list(p.profile.languages),
                list(p.profile.skills),
                list(p.profile.goals),
                list(p.profile.certifications_target),
                list(p.profile.tools),
            )
        )
        windows += [
            (pid, *win) for win in _local_windows(p.profile.availability, p.timezone, w.now)
        ]
    await conn.copy_records_to_table(
        "people",
        records=people,
        columns=[
            "id",
            "email",
            "password_hash",
            "display_name",
            "is_mentee",
            "headline",
            "city",
            "country",
            "timezone",
            "languages",
            "skills",
            "goals",
            "certifications_target",
            "tools",
        ],
    )
    await conn.copy_records_to_table(
        "availability_windows",
        records=windows,
        columns=["person_id", "weekday", "start_minute", "end_minute"],
    )
    associations, events = [], []
    for it in w.items:
        if isinstance(it, Event):
            lat, lon = it.coordinates or (None, None)
            uid = None if it.series is None else f"{it.series}/{it.starts_at.isoformat()}"
            events.append(
                (
                    ids[it.key],
                    None if it.host is None else ids[it.host],
                    it.title,
                    it.kind,
                    it.starts_at,
                    it.ends_at,
                    it.timezone,
                    it.online,
                    it.city,
                    it.country or None,
                    lat,
                    lon,
                    list(it.tags),
                    list(it.languages),
                    0 if it.full else None,
                    it.text,
                    uid,
                )
            )
        else:
            associations.append(
                (
                    ids[it.key],
                    it.name,
                    it.kind,
                    it.online,
                    it.city,
                    it.country or None,
                    list(it.tags),
                    list(it.languages),
                    it.text,
                )
            )
    await conn.copy_records_to_table(
        "associations",
        records=associations,
        columns=[
            "id",
            "name",
            "kind",
            "online",
            "city",
            "country",
            "focus",
            "languages",
            "description",
        ],
    )
    await conn.copy_records_to_table(
        "events",
        records=events,
        columns=[
            "id",
            "association_id",
            "title",
            "kind",
            "starts_at",
            "ends_at",
            "timezone",
            "online",
            "city",
            "country",
            "latitude",
            "longitude",
            "tags",
            "languages",
            "capacity",
            "description",
            "ical_uid",
        ],
    )
    members = [(ids[e.target], ids[e.person]) for e in w.edges if e.kind == "member"]
    await conn.execute(
        "INSERT INTO association_members (association_id, person_id, source, status)"
        " SELECT a, p, 'self_declared', 'active' FROM unnest($1::uuid[], $2::uuid[]) AS t(a, p)",
        [a for a, _ in members],
        [p for _, p in members],
    )
    rsvps = [(ids[e.target], ids[e.person]) for e in w.edges if e.kind == "rsvp"]
    await conn.copy_records_to_table(
        "event_rsvps", records=rsvps, columns=["event_id", "person_id"]
    )
    programme = await conn.fetchval(
        "INSERT INTO programmes (name) VALUES ('Suggestions bench') RETURNING id"
    )
    pairs = [(ids[e.person], ids[e.target]) for e in w.edges if e.kind == "mentor"]
    await conn.execute(
        "UPDATE people SET is_mentor = true, mentor_capacity = 10 WHERE id = ANY ($1::uuid[])",
        list({o for _, o in pairs}),
    )
    await conn.execute(
        "INSERT INTO mentorships (programme_id, mentee_id, mentor_id, source, status)"
        " SELECT $1, e, o, 'request', 'active' FROM unnest($2::uuid[], $3::uuid[]) AS t(e, o)",
        programme,
        [e for e, _ in pairs],
        [o for _, o in pairs],
    )
    await conn.execute("ANALYZE")
    return ids


async def _fill_the_rest(conn: Conn) -> int:
    """Everyone not computed gets a computed person's suggestions (a table of full size)."""
    status = await conn.execute(
        """WITH src AS (SELECT person_id, row_number() OVER (ORDER BY person_id) - 1 AS k
                          FROM (SELECT DISTINCT person_id FROM person_suggestions) d),
                n AS (SELECT count(*) AS n FROM src),
                dst AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM people p
                         WHERE NOT EXISTS (SELECT 1 FROM person_suggestions s
                                            WHERE s.person_id = p.id))
           INSERT INTO person_suggestions (person_id, rank, kind, event_id, association_id,
                                           score, reasons, components)
           SELECT dst.id, s.rank, s.kind, s.event_id, s.association_id, s.score, s.reasons,
                  s.components
             FROM dst, n JOIN src ON true
             JOIN person_suggestions s ON s.person_id = src.person_id
            WHERE src.k = dst.k % n.n"""
    )
    await conn.execute("ANALYZE person_suggestions")
    return int(status.rsplit(" ", 1)[-1])


async def _sessions(conn: Conn, people: list[uuid.UUID]) -> list[str]:
    """A live session (Bearer token) for each person."""
    tokens = [secrets.token_urlsafe(32) for _ in people]
    await conn.execute(
        "INSERT INTO sessions (token_hash, person_id, expires_at)"
        " SELECT h, p, now() + interval '1 day' FROM unnest($1::bytea[], $2::uuid[]) AS t(h, p)",
        [hashlib.sha256(t.encode()).digest() for t in tokens],
        people,
    )
    return tokens


def _ms(values: list[float]) -> dict[str, float]:
    a = np.array(values) * 1000
    return {
        "p50": round(float(np.percentile(a, 50)), 1),
        "p99": round(float(np.percentile(a, 99)), 1),
        "max": round(float(a.max()), 1),
    }


async def _run() -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="kickoff-bench-suggestions-"))
    base = Settings(
        KICKOFF_HOME=home,
        LOG_LEVEL="WARNING",
        ARQ_QUEUE_NAME="kickoff:bench:" + uuid.uuid4().hex[:8],
    )
    admin_dsn = embedded.database_url(base)
    dsn = await _scratch(admin_dsn)
    settings = base.model_copy(update={"database_url": dsn})
    out: dict[str, Any] = {"people": SIZE[0], "associations": SIZE[1], "events": SIZE[2]}
    t = time.perf_counter()
    w = world(*SIZE)
    out["generate_s"] = round(time.perf_counter() - t, 1)
    out["edges"] = len(w.edges)
    pool = await db.create_pool(dsn, 4)
    cpu = ProcessPool()
    try:
        async with pool.acquire() as conn:
            await db.migrate(conn)
            t = time.perf_counter()
            ids = await _store(conn, w)
            out["copy_s"] = round(time.perf_counter() - t, 1)
        now = datetime.now(UTC)
        fitted = refresh.Fitted()
        async with pool.acquire() as conn:
            t = time.perf_counter()
            snap = await refresh._snapshot(conn, now)
            out["load_s"] = round(time.perf_counter() - t, 1)
            t = time.perf_counter()
            await refresh._fit(cpu, fitted, snap.rows)
            out["fit_s"] = round(time.perf_counter() - t, 1)
            rng = np.random.default_rng(0)
            chosen = rng.choice(len(snap.rows.people), min(SAMPLE, len(snap.rows.people)), False)
            sample = dataclasses.replace(
                snap,
                rows=dataclasses.replace(
                    snap.rows, people=[snap.rows.people[int(i)] for i in chosen]
                ),
                marks=[],
            )
            t = time.perf_counter()
            await refresh._everyone(conn, cpu, fitted, sample)
            full_s = time.perf_counter() - t
        out["everyone_sample_people"] = len(sample.rows.people)
        out["everyone_people_per_s"] = round(len(sample.rows.people) / full_s, 1)
        out["everyone_all_estimate_min"] = round(SIZE[0] / (len(chosen) / full_s) / 60, 1)
        # The stale refresh, through refresh() itself: only the marked people are computed.
        async with pool.acquire() as conn:
            await conn.execute("TRUNCATE suggestions_stale")
            stale = [ids[w.people[int(i)].key] for i in rng.choice(len(w.people), STALE, False)]
            await conn.execute(
                "UPDATE people SET headline = headline || ' (changed)' WHERE id = ANY ($1)", stale
            )
        t = time.perf_counter()
        result = await refresh.refresh(pool, cpu, fitted, datetime.now(UTC))
        stale_s = time.perf_counter() - t
        assert result["stale"] == STALE and not result["fitted"], result
        out["stale_people"] = STALE
        out["stale_refresh_ms_per_person"] = round(stale_s / STALE * 1000, 1)
        async with pool.acquire() as conn:
            out["rows_filled_in_sql"] = await _fill_the_rest(conn)
            out["person_suggestions_rows"] = await conn.fetchval(
                "SELECT count(*) FROM person_suggestions"
            )
            readers = [ids[w.people[int(i)].key] for i in rng.choice(len(w.people), GETS, False)]
            tokens = await _sessions(conn, readers)
        out.update(await _reads(settings, tokens))
        out["load_average_1min"] = round(os.getloadavg()[0], 1)
    finally:
        cpu.shutdown()
        await pool.close()
        await _drop(admin_dsn, dsn)
    return out


async def _reads(settings: Settings, tokens: list[str]) -> dict[str, Any]:
    """GET /api/v1/me/suggestions for each token's person, one at a time: latency figures."""
    app = create_app(settings)
    times, counts = [], []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for token in tokens[:20]:  # warm: statements prepared, pool connections open
                await client.get(
                    "/api/v1/me/suggestions", headers={"Authorization": f"Bearer {token}"}
                )
            for token in tokens:
                t = time.perf_counter()
                r = await client.get(
                    "/api/v1/me/suggestions", headers={"Authorization": f"Bearer {token}"}
                )
                times.append(time.perf_counter() - t)
                assert r.status_code == 200, r.text
                counts.append(len(r.json()["suggestions"]))
    return {
        "get_ms": _ms(times),
        "get_mean_ms": round(statistics.mean(times) * 1000, 1),
        "suggestions_per_page_median": statistics.median(counts),
    }


def main() -> dict[str, Any]:
    """Run the suggestions benchmark once."""
    return asyncio.run(_run())
