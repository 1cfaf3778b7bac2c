"""Charts of a stored 10,000-mentee round: the first call renders them (vl-convert) and stores
them, later calls read them back.

The round is solved from the benchmark population (:func:`bench.population.round_problem`, as
``bench matching`` builds it) and stored as the worker stores one: its figures, the other
mode's, and every pair with its score, so the charts show what an organiser would see.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg

from bench.population import round_problem
from matching.pipeline import RoundResult, solve_round
from service.app import create_app
from service.kit.db import transaction
from service.rounds.charts.render import VL_VERSION
from service.rounds.charts.service import round_figures
from service.settings import Settings

MENTEES = int(os.environ.get("KICKOFF_BENCH_MENTEES", "10000"))
MENTORS = int(os.environ.get("KICKOFF_BENCH_MENTORS", str(MENTEES * 3 // 10)))
#: Cached reads timed (the median is reported).
READS = 20


async def _store(pool: asyncpg.Pool, result: RoundResult, n: int, m: int) -> uuid.UUID:
    """A programme, ``n`` mentees and ``m`` mentors, and a draft round holding ``result``."""
    async with pool.acquire() as conn, conn.transaction():
        programme = await conn.fetchval(
            "INSERT INTO programmes (name) VALUES ('Charts bench') RETURNING id"
        )
        tag = uuid.uuid4().hex[:8]
        people = {}
        for role, count in (("mentee", n), ("mentor", m)):
            people[role] = await conn.fetchval(
                "WITH p AS (INSERT INTO people (email, password_hash, display_name, timezone,"
                " is_mentee, is_mentor, mentor_capacity, email_verified_at)"
                " SELECT format('%s%s.%s@bench.example', $2::text, g, $3::text), 'x',"
                " format('%s %s', initcap($2::text), g), 'UTC', $2 = 'mentee', $2 = 'mentor',"
                " CASE WHEN $2 = 'mentor' THEN 3 END, now() FROM generate_series(1, $1) g"
                " RETURNING id) SELECT array_agg(id) FROM p",
                count,
                role,
                tag,
            )
        round_id: uuid.UUID = await conn.fetchval(
            "INSERT INTO rounds (programme_id, status, settings, progress, metrics, alternative,"
            " started_at, finished_at) VALUES ($1, 'draft', '{}', 1, $2, $3, now(), now())"
            " RETURNING id",
            programme,
            result.metrics.as_dict(),
            result.alternative.as_dict(),
        )
        await conn.execute(
            "INSERT INTO round_matches (round_id, mentee_id, mentor_id, score, components,"
            " reasons) SELECT $1, e, o, s, '{}', '[]'"
            " FROM unnest($2::uuid[], $3::uuid[], $4::float8[]) AS pair(e, o, s)",
            round_id,
            [people["mentee"][x.mentee] for x in result.matches],
            [people["mentor"][x.mentor] for x in result.matches],
            [x.score for x in result.matches],
        )
    return round_id


async def _figures(pool: asyncpg.Pool, round_id: uuid.UUID) -> tuple[float, int]:
    """Seconds for one round_figures call (its own transaction, as a page's), and SVG bytes."""
    start = time.perf_counter()
    async with transaction(pool) as conn:
        figures = await round_figures(conn, round_id)
    return time.perf_counter() - start, sum(len(str(f.svg)) for f in figures)


async def _run() -> dict[str, Any]:
    started = time.perf_counter()
    result = solve_round(round_problem(MENTEES, MENTORS))
    solve_s = time.perf_counter() - started
    home = Path(os.environ.get("KICKOFF_BENCH_HOME", tempfile.mkdtemp(prefix="kickoff-bench-")))
    settings = Settings(KICKOFF_HOME=home, LOG_LEVEL="WARNING")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        pool = app.state.services.pool
        round_id = await _store(pool, result, MENTEES, MENTORS)
        # This process has not rendered anything yet: the first call starts vl-convert's
        # runtime, as the first chart a web process draws does.
        cold, size = await _figures(pool, round_id)
        stored = await pool.fetchval(
            "SELECT count(*) FROM round_charts WHERE round_id = $1", round_id
        )
        await pool.execute("DELETE FROM round_charts WHERE round_id = $1", round_id)
        warm, _ = await _figures(pool, round_id)
        reads = [(await _figures(pool, round_id))[0] for _ in range(READS)]
    return {
        "mentees": MENTEES,
        "mentors": MENTORS,
        "pairs": len(result.matches),
        "vega_lite": VL_VERSION,
        "solve_s": round(solve_s, 2),
        "charts": stored,
        "svg_kib": round(size / 1024, 1),
        "first_render_and_store_cold_s": round(cold, 3),
        "first_render_and_store_warm_s": round(warm, 3),
        "cached_read_median_ms": round(statistics.median(reads) * 1000, 1),
        "cached_read_max_ms": round(max(reads) * 1000, 1),
    }


def main() -> dict[str, Any]:
    """Run the charts benchmark once."""
    return asyncio.run(_run())
