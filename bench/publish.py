"""Publish latency: POST /rounds/{id}/publish of a draft round of 10,000 pairs, through the real
ASGI app on real PostgreSQL and Redis, until it answers (the pairs committed, one job enqueued).

Then the worker's side: the job that queues the 20,000 introduction emails and enqueues their
deliveries in one batch; and, for scale, the same 20,000 jobs enqueued one ``enqueue_job`` at a
time, as publishing used to before answering.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from typing import Any

import asyncpg
import httpx

from bench.app import bench_settings
from bench.app import organiser as log_in_organiser
from service.app import create_app
from service.introductions.service import SEND_JOB, send_job_id
from workers.jobs import introduce_round

#: Pairs in the draft round (KICKOFF_BENCH_PAIRS to try another size).
PAIRS = int(os.environ.get("KICKOFF_BENCH_PAIRS", "10000"))


async def _draft_round(pool: asyncpg.Pool, organiser: str, n: int) -> str:
    """A draft round of ``n`` pairs (fresh mentees and mentors) that ``organiser`` organises."""
    async with pool.acquire() as conn, conn.transaction():
        programme = await conn.fetchval(
            "INSERT INTO programmes (name) VALUES ('Publish bench') RETURNING id"
        )
        await conn.execute(
            "INSERT INTO programme_organisers (programme_id, person_id) VALUES ($1, $2)",
            programme,
            uuid.UUID(organiser),
        )
        tag = uuid.uuid4().hex[:8]
        mentees = await conn.fetch(
            "INSERT INTO people (email, password_hash, display_name, timezone, is_mentee,"
            " email_verified_at) SELECT format('mentee%s.%s@bench.example', g, $2::text), 'x',"
            " format('Mentee %s', g), 'UTC', true, now() FROM generate_series(1, $1) g"
            " RETURNING id",
            n,
            tag,
        )
        mentors = await conn.fetch(
            "INSERT INTO people (email, password_hash, display_name, timezone, is_mentor,"
            " mentor_capacity, email_verified_at)"
            " SELECT format('mentor%s.%s@bench.example', g, $2::text), 'x',"
            " format('Mentor %s', g), 'UTC', true, 1, now() FROM generate_series(1, $1) g"
            " RETURNING id",
            n,
            tag,
        )
        round_id = await conn.fetchval(
            "INSERT INTO rounds (programme_id, status, settings) VALUES ($1, 'draft', '{}')"
            " RETURNING id",
            programme,
        )
        await conn.execute(
            "INSERT INTO round_matches (round_id, mentee_id, mentor_id, score, components,"
            " reasons) SELECT $1, e, o, 0.5, '{}', '[]'"
            " FROM unnest($2::uuid[], $3::uuid[]) AS pair(e, o)",
            round_id,
            [r["id"] for r in mentees],
            [r["id"] for r in mentors],
        )
    return str(round_id)


async def _run() -> dict[str, Any]:
    settings = bench_settings()
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            organiser = await log_in_organiser(client)
            round_id = await _draft_round(app.state.services.pool, str(organiser), PAIRS)
            arq = app.state.services.arq
            # The organiser's own verification email, enqueued at sign-up.
            before = await arq.zcard(settings.arq_queue_name)

            start = time.perf_counter()
            published = await client.post(f"/api/v1/rounds/{round_id}/publish")
            latency = time.perf_counter() - start
            assert published.status_code == 200, published.text
            assert published.json()["emails"] == 2 * PAIRS
            assert await arq.zcard(settings.arq_queue_name) == before + 1  # the introduction job

            # What that job does in the worker (its own connection, the app's Redis).
            start = time.perf_counter()
            ctx = {"pool": app.state.services.pool, "redis": arq}
            introduced = await introduce_round(ctx, round_id)
            introduce_s = time.perf_counter() - start
            emails = [
                str(r["id"])
                for r in await app.state.services.pool.fetch(
                    "SELECT id FROM outbox WHERE kind = 'introduction'"
                )
            ]
            queued = await arq.zcard(settings.arq_queue_name) - before - 1
            other = settings.arq_queue_name + ":one-at-a-time"
            start = time.perf_counter()
            for oid in emails:
                await arq.enqueue_job(
                    SEND_JOB, oid, _job_id=send_job_id(other, oid), _queue_name=other
                )
            one_at_a_time = time.perf_counter() - start
    return {
        "pairs": PAIRS,
        "publish_s": round(latency, 3),
        "emails_queued_by_the_job": introduced,
        "deliveries_enqueued": queued,
        "introduction_job_s": round(introduce_s, 3),
        "its_jobs_one_enqueue_at_a_time_s": round(one_at_a_time, 2),
    }


def main() -> dict[str, Any]:
    """Run the publish benchmark once."""
    return asyncio.run(_run())
