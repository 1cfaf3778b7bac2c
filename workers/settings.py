"""The arq worker: its functions, cron jobs and the pools it owns."""

from __future__ import annotations

import logging
from typing import Any, Final

from arq import cron, func
from arq.cron import CronJob
from arq.worker import Worker

from service import db, embedded, queue
from service.kit.processes import ProcessPool
from service.settings import Settings
from workers import jobs

log = logging.getLogger(__name__)

#: Seconds a suggestions refresh may take: recomputing everyone at 50,000 people takes
#: 20-30 minutes on one core (README, Benchmarks).
REFRESH_TIMEOUT = 3 * 3600

FUNCTIONS = [
    jobs.purge_expired,
    jobs.run_round,
    jobs.run_import,
    jobs.introduce_round,
    # No kept result: once an attempt is over, the sweeper may enqueue the next one.
    func(jobs.send_email, keep_result=0, max_tries=3),
    # Also runnable on demand (the crons below run them regularly).
    func(jobs.sweep_outbox, keep_result=0),
    func(jobs.follow_up_introductions, keep_result=0),
    func(jobs.follow_up_invitations, keep_result=0),
    func(jobs.refresh_suggestions, keep_result=0, timeout=REFRESH_TIMEOUT, max_tries=1),
    func(jobs.queue_digests, keep_result=0),
]
#: Jobs one worker runs at once.
MAX_JOBS = 20
#: Seconds between outbox sweeps.
SWEEP_EVERY = 5
#: When the weekly digest goes (UTC): Mondays from 08:00, every hour until the day ends, so a
#: worker that was down at 08:00, or someone who opted in since, still gets this week's (each
#: person once a week: the outbox's uniqueness on the ISO week).
DIGEST_WEEKDAY: Final = "mon"
DIGEST_HOURS = set(range(8, 24))


def cron_jobs(queue_name: str) -> list[CronJob]:
    """The periodic jobs of the deployment whose queue is ``queue_name``, new for each worker.

    arq keeps each CronJob's next run time on the object itself, so a list shared by two
    workers in one process (tests, benchmarks) would make the second one start from the
    first one's schedule and replay every tick it missed. arq's id for a tick of a cron job
    is its name and the tick's time; the name starts with the queue's (see queue.job_id), or
    another deployment on the same Redis database would take this one's ticks for its own.
    """

    def name(job: Any) -> str:
        return queue.job_id(queue_name, "cron", job.__name__)

    return [
        cron(
            jobs.purge_expired,
            name=name(jobs.purge_expired),
            minute={7, 37},
            run_at_startup=False,
            unique=True,
        ),
        cron(
            jobs.sweep_outbox,
            name=name(jobs.sweep_outbox),
            second=set(range(0, 60, SWEEP_EVERY)),
            run_at_startup=True,
            unique=True,
            keep_result=0,
        ),
        cron(
            jobs.follow_up_introductions,
            name=name(jobs.follow_up_introductions),
            second={30},
            run_at_startup=False,
            unique=True,
        ),
        cron(
            jobs.follow_up_invitations,
            name=name(jobs.follow_up_invitations),
            minute=set(range(0, 60, 5)),
            second={45},
            run_at_startup=False,
            unique=True,
        ),
        # Every minute: the stale people, or everyone after a change to the catalogue. Not at
        # startup: `kickoff demo` enqueues one itself, and tests run the job when they mean to.
        cron(
            jobs.refresh_suggestions,
            name=name(jobs.refresh_suggestions),
            second={20},
            run_at_startup=False,
            unique=True,
            keep_result=0,
            timeout=REFRESH_TIMEOUT,
            max_tries=1,
        ),
        cron(
            jobs.queue_digests,
            name=name(jobs.queue_digests),
            weekday=DIGEST_WEEKDAY,
            hour=DIGEST_HOURS,
            minute={20},
            second={0},
            run_at_startup=False,
            unique=True,
            keep_result=0,
        ),
    ]


async def startup(ctx: dict[str, Any]) -> None:
    """Open the database pool and the process pool for CPU-heavy work."""
    settings: Settings = ctx["settings"]
    # A connection for every job slot (not DB_POOL_MAX, which sizes the web process's pool):
    # a job holds at most one, and a delivery holds its own until the SMTP server has answered
    # (its row stays locked so a duplicate job waits), so with fewer, the other deliveries would
    # queue for a connection while the ones in hand wait on their mail servers. One more: a
    # member import writes its progress on a second connection for a moment (its own is inside
    # its transaction), and with a spare those moments never wait on every slot being busy.
    ctx["pool"] = await db.create_pool(embedded.database_url(settings), ctx["max_jobs"] + 1)
    async with ctx["pool"].acquire() as conn:
        await db.migrate(conn)
    # Spawn processes (not fork: the worker's event loop and pools must not be copied).
    ctx["cpu"] = ProcessPool(max_workers=ctx.get("cpu_workers", 1))


async def shutdown(ctx: dict[str, Any]) -> None:
    """Close what :func:`startup` opened."""
    if "cpu" in ctx:
        ctx["cpu"].shutdown()
    if "pool" in ctx:
        await ctx["pool"].close()


def build_worker(
    settings: Settings | None = None,
    *,
    burst: bool = False,
    handle_signals: bool = True,
    **overrides: Any,
) -> Worker:
    """An arq Worker wired to Kickoff's Redis, queue, serializer and pools."""
    settings = settings or Settings()
    redis_url = embedded.redis_url(settings)
    queue_name = overrides.get("queue_name", settings.arq_queue_name)
    options: dict[str, Any] = {
        "functions": FUNCTIONS,
        "cron_jobs": cron_jobs(queue_name),
        "queue_name": queue_name,
        "redis_settings": queue.redis_settings(redis_url),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "job_serializer": queue.serialize,
        "job_deserializer": queue.deserialize,
        "burst": burst,
        "handle_signals": handle_signals,
        # Finish jobs in hand on SIGTERM instead of cancelling them half-done.
        "job_completion_wait": 30,
        # Emails are many short jobs: poll often (arq's default waits 0.5 s between polls,
        # leaving slots idle) and keep more deliveries in flight; each holds a database
        # connection while its SMTP server answers, so startup() sizes the pool to match.
        "poll_delay": 0.05,
        "max_jobs": MAX_JOBS,
        "max_tries": 5,
    }
    options.update(overrides)
    options["ctx"] = {
        "settings": settings,
        "max_jobs": options["max_jobs"],
        **options.get("ctx", {}),
    }
    return Worker(**options)
