"""Delivery benchmark: 1,000 introductions (2,000 emails) from publish to the last email
accepted by a local SMTP server, with one worker process; and that server's own rate alone.
"""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib

from bench.outbox import free_port, make_published_round, start_sink, start_worker, wait_until_sent
from service import db, embedded, queue
from service.introductions.service import INTRODUCE_JOB
from service.settings import Settings

INTRODUCTIONS = 1000
#: Concurrent deliveries: arq's default max_jobs for one worker.
CONCURRENCY = 20  # the worker's max_jobs (workers.settings.MAX_JOBS)


async def _smtp_alone(port: int, n: int) -> float:
    """Messages per second the sink accepts from CONCURRENCY senders, a connection each."""
    sem = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "bench@example.org", f"p{i}@example.org", "hi"
        msg["Message-ID"] = f"<alone.{i}@bench>"
        msg.set_content("Hello\n" * 20)
        async with sem:
            await aiosmtplib.send(msg, hostname="127.0.0.1", port=port)

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    return n / (time.perf_counter() - start)


async def _run() -> dict[str, Any]:
    home = Path(os.environ.get("KICKOFF_BENCH_HOME", tempfile.mkdtemp(prefix="kickoff-bench-")))
    port = free_port()
    settings = Settings(
        KICKOFF_HOME=home,
        LOG_LEVEL="WARNING",
        SMTP_URL=f"smtp://127.0.0.1:{port}",
        ARQ_QUEUE_NAME="kickoff:bench:" + uuid.uuid4().hex[:8],
    )
    database_url, redis_url = embedded.database_url(settings), embedded.redis_url(settings)
    pool = await db.create_pool(database_url, 4)
    async with pool.acquire() as conn:
        await db.migrate(conn)
    controller, sink = start_sink(port)
    arq = await queue.connect(redis_url, settings.arq_queue_name)
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMTP_URL": settings.smtp_url,
        "ARQ_QUEUE_NAME": settings.arq_queue_name,
        "KICKOFF_HOME": str(home),
        "LOG_LEVEL": "WARNING",
    }
    worker = start_worker(env, home / "bench-worker.log")
    try:
        await asyncio.sleep(3)  # let the worker start, as it would be before a publish
        emails = 2 * INTRODUCTIONS
        start = time.perf_counter()
        # What publishing does: commit the pairs, then enqueue the job that introduces them.
        round_id = await make_published_round(pool, INTRODUCTIONS)
        await arq.enqueue_job(
            INTRODUCE_JOB,
            str(round_id),
            _job_id=queue.job_id(settings.arq_queue_name, "introduce", round_id),
        )
        await wait_until_sent(pool, emails, within=120)
        wall = time.perf_counter() - start
        duplicates = len(sink.ids) - len(set(sink.ids))
        alone = await _smtp_alone(port, emails)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(60)
        controller.stop()
        await arq.aclose()
        await pool.close()
    return {
        "introductions": INTRODUCTIONS,
        "emails": emails,
        "publish_to_last_email_recorded_s": round(wall, 2),
        "emails_per_s": round(emails / wall, 1),
        "duplicates": duplicates,
        "smtp_server_alone_per_s": round(alone, 1),
        "worker_processes": 1,
        "concurrent_deliveries": CONCURRENCY,
    }


def main() -> dict[str, Any]:
    """Run the delivery benchmark once."""
    return asyncio.run(_run())
