"""The arq worker on real Redis: JSON-serialised jobs, burst runs, idempotent purge."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from service import queue
from tests.conftest import sign_up_and_login
from workers import jobs
from workers.settings import build_worker


async def test_purge_job_runs_in_burst_worker_and_is_idempotent(client, settings, pool):
    await sign_up_and_login(client)
    await sign_up_and_login(client, email="second@example.org")
    await pool.execute(
        "UPDATE sessions SET expires_at = now() - interval '1 minute'"
        " WHERE person_id = (SELECT id FROM people WHERE email = 'second@example.org')"
    )
    await pool.execute(
        "INSERT INTO login_failures (email_lower, ip, at)"
        " VALUES ('x@example.org', '1.2.3.4', now() - interval '2 days')"
    )
    redis = await queue.connect(settings.redis_url, settings.arq_queue_name)
    try:
        job = await redis.enqueue_job("purge_expired")
        assert job is not None
        # Jobs are stored as JSON, never pickle.
        raw = await redis.get(f"arq:job:{job.job_id}")
        assert json.loads(raw)["f"] == "purge_expired"

        # No cron jobs here: the outbox sweeper fires every 5 s and would be counted too.
        worker = build_worker(
            settings, burst=True, handle_signals=False, poll_delay=0.05, cron_jobs=[]
        )
        await worker.main()
        await worker.close()
        assert worker.jobs_complete == 1 and worker.jobs_failed == 0
        assert await job.result(timeout=5) == {"sessions": 1, "login_failures": 1}
        assert await pool.fetchval("SELECT count(*) FROM sessions") == 1

        again = await redis.enqueue_job("purge_expired")
        worker = build_worker(
            settings, burst=True, handle_signals=False, poll_delay=0.05, cron_jobs=[]
        )
        await worker.main()
        await worker.close()
        assert await again.result(timeout=5) == {"sessions": 0, "login_failures": 0}
    finally:
        await redis.aclose()


async def test_each_worker_keeps_its_own_cron_schedule(settings):
    first = build_worker(settings, burst=True, handle_signals=False)
    # As if the first worker had last run its crons ten minutes ago.
    for job in first.cron_jobs:
        job.next_run = datetime.now(UTC) - timedelta(minutes=10)
    second = build_worker(settings, burst=True, handle_signals=False, poll_delay=0.05)
    await second.main()
    await second.close()
    # The start-up sweep (and at most one 5-second tick), not 120 missed ticks replayed.
    assert 1 <= second.jobs_complete <= 2


async def test_two_deployments_on_one_redis_database_each_run_their_sweeps(settings):
    """Job ids carry the queue name: arq keys a job by its id alone, whatever its queue."""
    other = settings.model_copy(update={"arq_queue_name": settings.arq_queue_name + ":other"})
    # The same outbox sweep tick for both: the cron job ids arq derives from it must differ.
    tick = datetime.now(UTC).replace(microsecond=123_000) - timedelta(seconds=1)
    ran = []
    for deployment in (settings, other):
        worker = build_worker(deployment, burst=True, handle_signals=False, poll_delay=0.05)
        for job in worker.cron_jobs:
            sweep = job.coroutine is jobs.sweep_outbox
            job.next_run = tick if sweep else datetime.now(UTC) + timedelta(days=1)
        try:
            # Until its queue is empty; a job it cannot start (another's id) would keep it
            # polling until that id's in-progress key expires, a minute later.
            await asyncio.wait_for(worker.main(), timeout=20)
        finally:
            await worker.close()
        ran.append(worker.jobs_complete)
    assert ran[0] >= 1 and ran[1] >= 1, ran
