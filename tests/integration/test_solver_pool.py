"""Round solves in the spawn process pool: their progress reported back, each to its own round;
the pool's processes ending with the worker that holds them, however it ends."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time

import numpy as np
import psutil

from bench.outbox import start_worker
from bench.population import goal_needs_from_seed, population
from matching.pipeline import RoundProblem, solve_and_explain, solve_round
from service import queue
from service.demo.seed import seed_demo
from service.kit.processes import ProcessPool
from service.rounds import service as rounds
from service.security import Passwords
from service.taxonomy.repository import load_taxonomy


def _problem(n: int, m: int) -> RoundProblem:
    mentees, mentors, caps = population(n, m)
    # Small blocks and short shortlists: several block and certificate reports.
    return RoundProblem(
        mentees,
        mentors,
        caps,
        goal_needs=goal_needs_from_seed(),
        chunk=64,
        shortlist=2,
        k_mentor=1,
        n_jobs=1,
    )


async def test_every_report_comes_back_in_order_to_its_own_round():
    problems = {"round-a": _problem(300, 100), "round-b": _problem(200, 60)}
    expected = {}
    for name, problem in problems.items():
        reports: list[tuple[float, str]] = []
        result = solve_round(problem, lambda f, msg, into=reports: into.append((f, msg)))
        expected[name] = (result, reports)

    received: dict[str, list[tuple[float, str]]] = {name: [] for name in problems}

    def collector(name: str):
        async def on_progress(fraction: float, message: str) -> None:
            received[name].append((fraction, message))

        return on_progress

    cpu = ProcessPool(max_workers=2)
    try:
        outcomes = await asyncio.gather(
            *(
                cpu.run(name, collector(name), solve_and_explain, p, {})
                for name, p in problems.items()
            )
        )
    finally:
        cpu.shutdown()
    for (name, (in_process, reports)), (result, reasons) in zip(
        expected.items(), outcomes, strict=True
    ):
        # Same reports as the same solve run in this process, none of the other round's.
        assert received[name] == reports
        assert len(reports) > 8 and reports[-1] == (1.0, "done")
        assert np.array_equal(result.assignment, in_process.assignment)
        assert len(reasons) == len(result.matches)


async def test_pool_processes_end_when_their_worker_is_killed(pool, settings, tmp_path):
    """A worker SIGKILLed after a round leaves neither its pool process nor the tracker."""
    await seed_demo(pool, await load_taxonomy(pool), Passwords(1024, 1), mentees=40, mentors=12)
    programme = await pool.fetchval("INSERT INTO programmes (name) VALUES ('Kill') RETURNING id")
    await pool.execute(
        "INSERT INTO programme_members (programme_id, person_id) SELECT $1, id FROM people",
        programme,
    )
    async with pool.acquire() as conn:
        round_id = await rounds.queue_round(conn, programme, {}, None)
    env = {
        "DATABASE_URL": str(settings.database_url),
        "REDIS_URL": str(settings.redis_url),
        "ARQ_QUEUE_NAME": settings.arq_queue_name,
        "KICKOFF_HOME": str(settings.kickoff_home),
        "SECRET_KEY": str(settings.secret_key),
        "LOG_LEVEL": "WARNING",
    }
    worker = start_worker(env, tmp_path / "worker.log")
    left: list[psutil.Process] = []
    try:
        arq = await queue.connect(str(settings.redis_url), settings.arq_queue_name)
        try:
            await arq.enqueue_job(rounds.JOB_NAME, str(round_id))
        finally:
            await arq.aclose()
        deadline = time.monotonic() + 120
        while await pool.fetchval("SELECT status FROM rounds WHERE id = $1", round_id) != "draft":
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "the round did not finish"
            await asyncio.sleep(0.1)
        # The worker holds its pool: an idle solver process and multiprocessing's tracker.
        left = psutil.Process(worker.pid).children(recursive=True)
        commands = [" ".join(p.cmdline()) for p in left]
        assert any("resource_tracker" in c for c in commands), commands
        assert any("spawn_main" in c for c in commands), commands

        os.kill(worker.pid, signal.SIGKILL)  # the worker only, not its process group
        worker.wait(10)
        _, alive = await asyncio.to_thread(psutil.wait_procs, left, timeout=15)
        assert not alive, [" ".join(p.cmdline()) for p in alive]
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
        for proc in left:
            with contextlib.suppress(psutil.NoSuchProcess):
                proc.kill()
