"""Reviewing stored rounds: compare two 10,000-mentee rounds, and export a round's matches as
CSV with flat memory; through the real ASGI app on real PostgreSQL (and the domain functions
the pages call, timed alone).

Two draft rounds of one programme are stored as a round stores them (10,000 mentees, 3,000
mentors; about 80 % matched, each pair with its components and both sides' reasons; figures
from :func:`matching.metrics.round_metrics`), the second moving a share of the pairs, so the
compare has pairs of every kind. A third round holds the first 1,000 mentees of the first, for
the memory of a small export against a large one.

Pages are timed from :data:`PAGES`: append ``(name, path)`` there (``path`` a function of the
stored :class:`Rounds`, e.g. the review page of ``rounds.after``) and each is loaded 20 times as
the organiser, charts cached after the first load.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import tracemalloc
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import numpy as np

from bench.app import bench_settings
from bench.app import organiser as log_in_organiser
from matching.metrics import round_metrics
from matching.profiles import DEFAULT_WEIGHTS
from service.app import create_app
from service.kit.csv import export_chunks
from service.kit.db import Conn, transaction
from service.rounds.compare import compare_rounds
from service.rounds.export import matches_export

MENTEES = int(os.environ.get("KICKOFF_BENCH_MENTEES", "10000"))
MENTORS = MENTEES * 3 // 10
SMALL = MENTEES // 10
RUNS = 20


@dataclass(frozen=True)
class Rounds:
    """The stored rounds and who organises them."""

    programme: uuid.UUID
    before: uuid.UUID
    after: uuid.UUID
    small: uuid.UUID
    organiser: uuid.UUID


#: Pages to time as the organiser: (name, path of the page given the stored rounds). The
#: organiser pages append theirs here, e.g. ("review page", lambda r: f"/organise/rounds/...").
PAGES: list[tuple[str, Callable[[Rounds], str]]] = [
    ("review_page", lambda r: f"/organise/rounds/{r.before}"),
    ("compare_page", lambda r: f"/organise/rounds/{r.before}/compare?with={r.after}"),
    ("outcomes_page", lambda r: f"/organise/{r.programme}/outcomes"),
]


def _assignment(rng: np.random.Generator, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per mentee a mentor index within capacity (or -1) and a score: about 80 % matched."""
    places = np.repeat(np.arange(len(capacity)), capacity)
    rng.shuffle(places)
    match = np.full(MENTEES, -1, dtype=np.int64)
    takers = rng.permutation(MENTEES)[: min(len(places), int(MENTEES * 0.8))]
    match[takers] = places[: len(takers)]
    return match, rng.uniform(0.3, 0.95, MENTEES)


def _moved(rng: np.random.Generator, match: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """The second round: 10 % of the matched change mentor, 5 % lose theirs, as many gain one."""
    out = match.copy()
    matched = np.flatnonzero(match >= 0)
    change = rng.choice(matched, len(matched) // 10, replace=False)
    out[change] = rng.permutation(out[change])  # swaps keep every mentor within capacity
    drop = rng.choice(np.setdiff1d(matched, change), len(matched) // 20, replace=False)
    gain = rng.choice(np.flatnonzero(match < 0), len(drop), replace=False)
    out[gain] = out[drop]
    out[drop] = -1
    return out


async def _store(
    conn: Conn,
    programme: uuid.UUID,
    mentees: list[uuid.UUID],
    mentors: list[uuid.UUID],
    match: np.ndarray,
    scores: np.ndarray,
    capacity: np.ndarray,
) -> uuid.UUID:
    """A draft round with these pairs, its unmatched mentees and its figures."""
    groups = {"country": [("PT", "BR", "GB", "DE")[i % 4] for i in range(len(match))]}
    figures = round_metrics(match, scores, capacity, 0, groups).as_dict()
    matched = np.flatnonzero(match >= 0)
    figures.update(mentors=len(mentors), unmatched=int((match < 0).sum()))
    rid: uuid.UUID = await conn.fetchval(
        "INSERT INTO rounds (programme_id, status, settings, metrics, alternative, started_at,"
        " finished_at) VALUES ($1, 'draft', '{}', $2, $2, now(), now()) RETURNING id",
        programme,
        figures,
    )
    components = ", ".join(
        f"'{name}', round(mod((s * {i + 1})::numeric, 1), 4)"
        for i, name in enumerate(DEFAULT_WEIGHTS)
    )
    await conn.execute(
        "INSERT INTO round_matches (round_id, mentee_id, mentor_id, score,"  # noqa: S608 - ours
        " components, reasons, reasons_for_mentor, pinned)"
        f" SELECT $1, e, o, s, jsonb_build_object({components}),"
        "  jsonb_build_array('holds PMP, which you are aiming for',"
        "   format('you can both meet Tuesday evenings, your time (%s h a week)', 1 + n % 5),"
        "   '23 years leading projects; you are starting out'),"
        "  jsonb_build_array('you hold PMP, which they are aiming for',"
        "   'you can both meet Tuesday evenings, your time (2 h a week)'), n % 97 = 0"
        " FROM unnest($2::uuid[], $3::uuid[], $4::float8[]) WITH ORDINALITY AS p(e, o, s, n)",
        rid,
        [mentees[i] for i in matched],
        [mentors[match[i]] for i in matched],
        [float(scores[i]) for i in matched],
    )
    await conn.execute(
        "INSERT INTO round_unmatched (round_id, mentee_id, code, reason, details)"
        " SELECT $1, e, 'all_full', 'The mentors who fit you best were full this round: Markus"
        " Weber and Ana Silva. You stay on the waitlist for the next round.', '{}'"
        " FROM unnest($2::uuid[]) AS e",
        rid,
        [mentees[i] for i in np.flatnonzero(match < 0)],
    )
    return rid


async def _rounds(pool: asyncpg.Pool, organiser: uuid.UUID) -> Rounds:
    """Store the benchmark's three rounds of one programme."""
    rng = np.random.default_rng(7)
    async with pool.acquire() as conn, conn.transaction():
        programme = await conn.fetchval(
            "INSERT INTO programmes (name) VALUES ('Review bench') RETURNING id"
        )
        await conn.execute(
            "INSERT INTO programme_organisers (programme_id, person_id) VALUES ($1, $2)",
            programme,
            organiser,
        )
        tag = uuid.uuid4().hex[:8]
        people = []
        for role, n in (("mentee", MENTEES), ("mentor", MENTORS)):
            rows = await conn.fetch(
                "INSERT INTO people (email, password_hash, display_name, timezone, is_mentee,"
                " is_mentor, mentor_capacity, email_verified_at)"
                " SELECT format('%s%s.%s@bench.example', $3::text, g, $2::text), 'x',"
                " format('%s %s', initcap($3::text), g), 'UTC', $3 = 'mentee', $3 = 'mentor',"
                " CASE WHEN $3 = 'mentor' THEN 3 END, now() FROM generate_series(1, $1) g"
                " RETURNING id",
                n,
                tag,
                role,
            )
            people.append([r["id"] for r in rows])
        mentees, mentors = people
        capacity = rng.integers(2, 4, MENTORS)
        match, scores = _assignment(rng, capacity)
        before = await _store(conn, programme, mentees, mentors, match, scores, capacity)
        moved = _moved(rng, match, capacity)
        after = await _store(
            conn, programme, mentees, mentors, moved, rng.uniform(0.3, 0.95, MENTEES), capacity
        )
        small = await _store(
            conn, programme, mentees[:SMALL], mentors, match[:SMALL], scores[:SMALL], capacity
        )
    return Rounds(programme, before, after, small, organiser)


async def _median(call: Callable[[], Awaitable[object]], runs: int = RUNS) -> float:
    """Median wall time of ``runs`` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 1)


async def _export_memory(pool: asyncpg.Pool, round_id: uuid.UUID) -> tuple[int, float]:
    """Bytes and peak traced memory (MiB) of streaming a round's matches.csv, server side."""
    async with transaction(pool, readonly=True) as conn:
        export = await matches_export(conn, round_id)
    tracemalloc.start()
    size = 0
    async for chunk in export_chunks(pool, export):
        size += len(chunk)  # sent and forgotten, as the response does
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return size, round(peak / 2**20, 2)


async def _run() -> dict[str, Any]:
    settings = bench_settings()
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        pool = app.state.services.pool
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            organiser = await log_in_organiser(client)
            rounds = await _rounds(pool, organiser)
            async with pool.acquire() as conn:
                await conn.execute("ANALYZE round_matches, round_unmatched, people")

            async def domain() -> object:
                async with transaction(pool, readonly=True) as conn:
                    return await compare_rounds(conn, rounds.before, rounds.after, organiser)

            url = f"/api/v1/rounds/{rounds.before}/compare?with={rounds.after}"

            async def api() -> object:
                r = await client.get(url)
                assert r.status_code == 200, r.text
                return r

            counts = (await client.get(url)).json()["counts"]
            compare_domain_ms = await _median(domain)
            compare_api_ms = await _median(api)

            csv_url = f"/api/v1/rounds/{rounds.before}/matches.csv"

            async def download() -> object:
                r = await client.get(csv_url)
                assert r.status_code == 200, r.text
                return r

            export_ms = await _median(download, 5)
            big_bytes, big_peak = await _export_memory(pool, rounds.before)
            small_bytes, small_peak = await _export_memory(pool, rounds.small)

            pages = {}
            for name, path in PAGES:
                page = path(rounds)

                async def load(page: str = page) -> object:
                    r = await client.get(page)
                    assert r.status_code == 200, (page, r.status_code)
                    return r

                await load()  # the first load renders and caches the charts
                pages[name + "_median_ms"] = await _median(load)
    return {
        "mentees": MENTEES,
        "mentors": MENTORS,
        "pairs": counts,
        "compare_domain_median_ms": compare_domain_ms,
        "compare_api_median_ms": compare_api_ms,
        "matches_csv_api_median_ms": export_ms,
        "matches_csv_rows": {"large": MENTEES, "small": SMALL},
        "matches_csv_mib": {
            "large": round(big_bytes / 2**20, 2),
            "small": round(small_bytes / 2**20, 2),
        },
        "matches_csv_peak_traced_mib": {"large": big_peak, "small": small_peak},
        **pages,
    }


def main() -> dict[str, Any]:
    """Run the review benchmark once."""
    return asyncio.run(_run())
