"""Outbox delivery harness: many introductions, real worker processes, a real SMTP sink.

Used by the delivery benchmark (``python -m bench introductions``) and by the reliability
tests, which kill and restart the worker while it delivers.
"""

from __future__ import annotations

import asyncio
import email
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
from aiosmtpd.controller import Controller

from service.introductions import repository as intro_repo
from service.kit.db import Conn, transaction
from service.rounds import repository as rounds_repo

KICKOFF = Path(sys.executable).with_name("kickoff")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    """aiosmtpd handler counting every message by Message-ID (thread-safe)."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.lock = threading.Lock()
        self.delay = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep the Message-ID; optionally take a while, like a slow server."""
        if self.delay:
            await asyncio.sleep(self.delay)
        msg = email.message_from_bytes(envelope.original_content)
        with self.lock:
            self.ids.append(str(msg["Message-ID"]))
        return "250 OK"

    def count(self) -> int:
        """Messages received so far."""
        with self.lock:
            return len(self.ids)


def start_sink(port: int) -> tuple[Controller, Sink]:
    """An SMTP server on 127.0.0.1:``port`` feeding a :class:`Sink`."""
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, sink


async def _people(conn: Conn, n: int) -> tuple[UUID, list[UUID], list[UUID]]:
    """A programme with ``n`` fresh mentees and ``n`` fresh mentors (addresses verified)."""
    programme: UUID = await conn.fetchval(
        "INSERT INTO programmes (name) VALUES ('Bench') RETURNING id"
    )
    mentees = await conn.fetch(
        "INSERT INTO people (email, password_hash, display_name, is_mentee, timezone,"
        " email_verified_at)"
        " SELECT format('mentee%s.%s@bench.example', g, $2::uuid), 'x', format('Mentee %s', g),"
        " true, 'UTC', now() FROM generate_series(1, $1) g RETURNING id",
        n,
        programme,
    )
    mentors = await conn.fetch(
        "INSERT INTO people (email, password_hash, display_name, is_mentor, mentor_capacity,"
        " timezone, email_verified_at)"
        " SELECT format('mentor%s.%s@bench.example', g, $2::uuid), 'x', format('Mentor %s', g),"
        " true, 1, 'UTC', now() FROM generate_series(1, $1) g RETURNING id",
        n,
        programme,
    )
    return programme, [r["id"] for r in mentees], [r["id"] for r in mentors]


async def make_introductions(pool: asyncpg.Pool, n: int) -> list[UUID]:
    """``n`` pending mentorships (fresh mentees and mentors) and their 2n introduction emails,
    in one transaction."""
    async with transaction(pool) as conn:
        programme, mentees, mentors = await _people(conn, n)
        rows = await conn.fetch(
            "INSERT INTO mentorships (programme_id, mentee_id, mentor_id, source)"
            " SELECT $1, e, o, 'round' FROM unnest($2::uuid[], $3::uuid[]) AS pair(e, o)"
            " RETURNING id",
            programme,
            mentees,
            mentors,
        )
        return await intro_repo.queue_introductions(conn, [r["id"] for r in rows])


async def make_published_round(pool: asyncpg.Pool, n: int) -> UUID:
    """A round of ``n`` pairs (fresh mentees and mentors) as publishing commits it: published,
    its pending mentorships introduced now, their emails not yet queued (a job does that)."""
    async with transaction(pool) as conn:
        programme, mentees, mentors = await _people(conn, n)
        round_id: UUID = await conn.fetchval(
            "INSERT INTO rounds (programme_id, status, settings, published_at)"
            " VALUES ($1, 'published', '{}', now()) RETURNING id",
            programme,
        )
        await rounds_repo.insert_round_mentorships(
            conn, programme, round_id, list(zip(mentees, mentors, strict=True))
        )
        return round_id


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A ``kickoff worker`` process with ``env`` added to this one's environment."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(KICKOFF), "worker"],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


async def wait_until_sent(pool: asyncpg.Pool, expected: int, within: float) -> float:
    """Seconds until ``expected`` outbox rows are sent (raises TimeoutError after ``within``)."""
    start = time.monotonic()
    while True:
        sent = await pool.fetchval("SELECT count(*) FROM outbox WHERE status = 'sent'")
        if sent >= expected:
            return time.monotonic() - start
        if time.monotonic() - start > within:
            raise TimeoutError(f"{sent} of {expected} emails sent after {within} s")
        await asyncio.sleep(0.05)
