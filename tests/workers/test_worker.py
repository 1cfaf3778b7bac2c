"""The arq worker on real Redis: JSON-serialised jobs, burst runs, idempotent purge, its
cron jobs beside another deployment's, and a database connection for every job slot."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from datetime import UTC, datetime, timedelta

from aiosmtpd.controller import Controller

from bench.outbox import make_introductions
from service import queue
from service.imports import service as imports
from service.introductions.service import enqueue_emails
from tests.conftest import free_port, sign_up_and_login
from workers import jobs
from workers.settings import MAX_JOBS, build_worker


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
    await pool.execute(
        "INSERT INTO rate_limit_hits (action, key, at)"
        " VALUES ('password_reset_ip', '1.2.3.4', now() - interval '2 days'),"
        " ('password_reset_ip', '1.2.3.4', now())"
    )
    # The second person's verification link expired two days ago; the first one's works.
    await pool.execute(
        "UPDATE email_links SET created_at = now() - interval '9 days',"
        " expires_at = now() - interval '2 days'"
        " WHERE person_id = (SELECT id FROM people WHERE email = 'second@example.org')"
    )
    redis = await queue.connect(settings.redis_url, settings.arq_queue_name)
    try:
        await redis.delete(settings.arq_queue_name)  # the sign-ups' verification emails
        # Uploaded member files: one an hour old that no import waits for, one just uploaded.
        uploads = imports.upload_dir(settings.home)
        uploads.mkdir(parents=True)
        (uploads / "orphan").write_bytes(b"Email\n")
        (uploads / "fresh").write_bytes(b"Email\n")
        old = time.time() - 2 * 3600
        os.utime(uploads / "orphan", (old, old))
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
        assert await job.result(timeout=5) == {
            "sessions": 1,
            "login_failures": 1,
            "rate_limit_hits": 1,
            "email_links": 1,
            "import_files": 1,
        }
        assert await pool.fetchval("SELECT count(*) FROM sessions") == 1
        assert await pool.fetchval("SELECT count(*) FROM rate_limit_hits") == 1
        assert await pool.fetchval("SELECT count(*) FROM email_links") == 1
        assert sorted(p.name for p in uploads.iterdir()) == ["fresh"]

        again = await redis.enqueue_job("purge_expired")
        worker = build_worker(
            settings, burst=True, handle_signals=False, poll_delay=0.05, cron_jobs=[]
        )
        await worker.main()
        await worker.close()
        assert await again.result(timeout=5) == {
            "sessions": 0,
            "login_failures": 0,
            "rate_limit_hits": 0,
            "email_links": 0,
            "import_files": 0,
        }
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


class _HoldingSink:
    """An SMTP server that holds each message until ``expected`` are in hand at once (or
    ``patience`` seconds pass), and records the most it held together."""

    def __init__(self, expected: int, patience: float = 10.0) -> None:
        self.expected, self.patience = expected, patience
        self.active = self.peak = 0
        self.all_in: asyncio.Event | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        self.all_in = self.all_in or asyncio.Event()  # on the server's own loop
        self.active += 1
        self.peak = max(self.peak, self.active)
        if self.active >= self.expected:
            self.all_in.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.all_in.wait(), self.patience)
        self.active -= 1
        return "250 OK"


async def test_every_job_slot_can_hold_a_delivery_at_the_smtp_server(settings, pool):
    """A delivery keeps its database connection while the SMTP server answers: one per slot."""
    sink = _HoldingSink(expected=MAX_JOBS)
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{controller.port}"})
    arq = await queue.connect(str(settings.redis_url), settings.arq_queue_name)
    worker = build_worker(settings, burst=True, handle_signals=False, cron_jobs=[])
    try:
        ids = await make_introductions(pool, MAX_JOBS // 2)
        assert await enqueue_emails(arq, ids) == MAX_JOBS
        await worker.main()
        assert worker.jobs_complete == MAX_JOBS
        assert sink.peak == MAX_JOBS
        assert worker.ctx["pool"].get_max_size() >= worker.max_jobs
    finally:
        await worker.close()
        await arq.aclose()
        controller.stop()
