"""Member import, end to end: a generated CSV of 100,000 members and 12 columns through
``kickoff import``'s code path (the page's and the API's): stored and its head read, every row
parsed, validated and normalised, staged with COPY and applied set-wise, a chunk while the
next is read, all in one transaction (people, memberships, invitation emails in the outbox),
the report written, the file deleted and the invitations' deliveries enqueued in Redis.

Each size runs in its own process, in a fresh database on the server of ``DATABASE_URL`` (or
the embedded one): wall time by phase, peak RSS, and peak Python memory (tracemalloc, in a
second run, since tracing slows Python down). Beside it, the physical limit: the same file
COPYed as CSV by the server into an empty table of 12 text columns; and the schema's own floor:
the three writes each new member needs (person, membership, invitation email) from SQL alone,
with and without their foreign keys.

``KICKOFF_BENCH_IMPORT_ROWS`` (default ``10000,100000``) sets the sizes.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import unicodedata
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from service import db, embedded, queue
from service.imports import run
from service.imports import service as imports
from service.imports.repository import ImportRow
from service.imports.service import Progress
from service.introductions.service import enqueue_emails
from service.kit.db import transaction
from service.settings import Settings

SIZES = [int(n) for n in os.environ.get("KICKOFF_BENCH_IMPORT_ROWS", "10000,100000").split(",")]
HEADER = [
    "Email",
    "First name",
    "Last name",
    "Member ID",
    "Chapter",
    "Certifications",
    "Years of experience",
    "City",
    "Country",
    "Mentor?",
    "Languages",
    "Notes",
]
_FIRST = ["Ana", "Rui", "Inês", "João", "Maria", "Luís", "Sofia", "Pedro", "Marta", "Tiago"]
_LAST = ["Silva", "Costa", "Araújo", "Pereira", "Santos", "Ferreira", "Gomes", "Lopes"]
_CERTS = ["PMP", "PRINCE2 Foundation", "CAPM", "PMI-ACP", "Scrum Master", "", "", "PgMP"]
_YEARS = ["10+", "n/a", "5 years", "3", "", "15", "2", "20+"]
_PLACES = [("Lisbon", "Portugal"), ("Porto", "PT"), ("Berlin", "Germany"), ("Madrid", "ES")]
_PLACES += [("London", "United Kingdom"), ("Paris", "FR"), ("São Paulo", "Brazil")]
_LANGUAGES = ["Portuguese; English", "en", "German, English", "es", "pt", "French"]


def _ascii(name: str) -> str:
    """A name as addresses spell it: 'Inês' -> 'ines'."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def write_members(path: Path, rows: int, seed: int = 7) -> None:
    """A member file as an association exports one: 12 columns, messy values, accents."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i in range(rows):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            city, country = rng.choice(_PLACES)
            certs = "; ".join(c for c in rng.sample(_CERTS, 2) if c)
            out.writerow(
                [
                    f"{_ascii(first)}.{_ascii(last)}.{i}@member{i % 300}.example.org",
                    first,
                    last,
                    f"M-{i:07d}",
                    f"{city} chapter",
                    certs,
                    rng.choice(_YEARS),
                    city,
                    country,
                    rng.choice(["yes", "no", "", "Y"]),
                    rng.choice(_LANGUAGES),
                    "Joined at the spring event" if i % 7 == 0 else "",
                ]
            )


async def _scratch(admin_dsn: str) -> str:
    """A new empty database on the server of ``admin_dsn``; its DSN."""
    name = "kickoff_bench_import_" + uuid.uuid4().hex[:8]
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return urlunsplit(urlsplit(admin_dsn)._replace(path="/" + name))


async def _drop(admin_dsn: str, dsn: str) -> None:
    admin = await asyncpg.connect(admin_dsn)
    try:
        name = urlsplit(dsn).path.lstrip("/")
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _one(rows: int, trace: bool) -> dict[str, Any]:
    """Import a generated file of ``rows`` members into a fresh database; its figures."""
    home = Path(tempfile.mkdtemp(prefix="kickoff-bench-import-"))
    base = Settings(KICKOFF_HOME=home, LOG_LEVEL="WARNING")
    admin_dsn = embedded.database_url(base)
    dsn = await _scratch(admin_dsn)
    settings = base.model_copy(
        update={"database_url": dsn, "arq_queue_name": "kickoff:bench:" + uuid.uuid4().hex[:8]}
    )
    path = home / "members.csv"
    write_members(path, rows)
    pool = await db.create_pool(dsn, 4)
    arq = await queue.connect(embedded.redis_url(settings), settings.arq_queue_name)
    try:
        async with pool.acquire() as raw:
            await db.migrate(raw)
            association = await raw.fetchval(
                "INSERT INTO associations (name, kind) VALUES ('Bench chapter', 'chapter')"
                " RETURNING id"
            )
        marks: dict[str, float] = {}

        def progress(fraction: float, message: str) -> None:
            # "applying": the file is read and each chunk's new members are in; the rest then.
            phase = "apply" if message.startswith("applying") else "read"
            phase = "enqueue" if fraction >= 1 else phase
            marks.setdefault(phase, time.perf_counter())

        async def notify(ids: Any) -> int:
            return await enqueue_emails(arq, ids)

        async def import_once(report: Progress | None) -> ImportRow:
            """The whole import of the file, as the page, the API and the CLI run it."""
            with path.open("rb") as source:
                accepted = await imports.accept_upload(home, source, path.name, None)
            async with transaction(pool) as conn:
                row = await imports.queue_import(
                    conn, accepted, association, full_sync=False, created_by=None
                )
            outcome = await run.run_import(pool, row.id, notify, report)
            assert outcome == "done", outcome
            async with transaction(pool, readonly=True) as conn:
                return await imports.get_import(conn, row.id)

        if trace:
            tracemalloc.start()
        backends = await _backends(pool)
        server_before = {pid: _cpu_seconds(pid) for pid in backends}
        python_before = _own_cpu()
        start = time.perf_counter()
        done = await import_once(progress)
        end = time.perf_counter()
        python_cpu = _own_cpu() - python_before
        server_cpu = _server_cpu(server_before, await _backends(pool))
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        tracemalloc.stop()
        assert done.created == rows and done.invitations == rows, done
        enqueued = await arq.zcard(settings.arq_queue_name)
        # The same file again: nothing to create or change (every row compared).
        again_start = time.perf_counter()
        again = await import_once(None)
        again_s = time.perf_counter() - again_start
        assert (again.created, again.updated, again.unchanged) == (0, 0, rows), again
        copy_s = await _plain_copy(pool, path)
        floor = {} if trace else await _schema_floor(admin_dsn, rows)
    finally:
        await _forget_jobs(arq, settings.arq_queue_name)
        await arq.aclose()
        await pool.close()
        await _drop(admin_dsn, dsn)
    figures: dict[str, Any] = {
        "rows": rows,
        "file_mib": round(path.stat().st_size / 2**20, 1),
        "report_written_s": round(marks["enqueue"] - start, 2),
        "with_deliveries_enqueued_s": round(end - start, 2),
        "store_and_read_head_s": round(marks["read"] - start, 2),
        "read_stage_and_apply_chunks_s": round(marks["apply"] - marks["read"], 2),
        "finish_apply_s": round(marks["enqueue"] - marks["apply"], 2),
        "enqueue_s": round(end - marks["enqueue"], 2),
        "rows_per_s": round(rows / (marks["enqueue"] - start)),
        # Where the time goes: this process's CPU (reading, normalising, COPY encoding, Redis)
        # and the database's (its backends' CPU, when the server runs on this machine).
        "python_cpu_s": round(python_cpu, 2),
        "database_cpu_s": None if server_cpu is None else round(server_cpu, 2),
        "same_file_again_s": round(again_s, 2),
        "deliveries_enqueued": enqueued,
        "plain_copy_s": round(copy_s, 2),
        "plain_copy_rows_per_s": round(rows / copy_s),
        # What the schema costs alone: the three writes per new member from SQL, with and
        # without their foreign keys (the import cannot be faster than the first).
        "schema_floor": floor,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if trace:
        figures = {"rows": rows, "peak_traced_mib": round(peak / 2**20, 1)}
    path.unlink()
    if os.environ.get("DATABASE_URL"):  # nothing of an embedded server's lives in home then
        shutil.rmtree(home, ignore_errors=True)
    return figures


async def _backends(pool: asyncpg.Pool) -> set[int]:
    """Process ids of the database's server processes serving this benchmark's database."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        )
    return {r["pid"] for r in rows}


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a local process (None: not on this machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_cpu(before: dict[int, float | None], pids: set[int]) -> float | None:
    """CPU seconds the database's processes spent since ``before`` (None if not local)."""
    total = 0.0
    for pid in pids | set(before):
        now, then = _cpu_seconds(pid), before.get(pid) or 0.0
        if now is None:
            if pid in pids:
                return None
            continue
        total += now - then
    return total


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _plain_copy(pool: asyncpg.Pool, path: Path) -> float:
    """Seconds the server takes to COPY the file as CSV into an empty table of text columns."""
    columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    async with pool.acquire() as conn:
        await conn.execute(f"CREATE TABLE bench_plain_copy ({columns})")
        start = time.perf_counter()
        with path.open("rb") as source:
            await conn.copy_to_table("bench_plain_copy", source=source, format="csv", header=True)
        return time.perf_counter() - start


# The writes an import cannot do without, for each new member, alone: SQL over generated rows,
# no file, no Python, no staging or deduplication (what the schema itself costs).
_FLOOR_SOURCE = """
CREATE TEMP TABLE floor_src AS
SELECT gen_random_uuid() AS id, gen_random_uuid() AS link_id,
       'member' || i || '@example.org' AS email, 'Member ' || i AS name
FROM generate_series(1, $1::int) i
"""
_FLOOR_WRITES = {
    "people": "INSERT INTO people (id, email, display_name, claimed_at)"
    " SELECT id, email, name, NULL FROM floor_src ORDER BY lower(email)",
    "memberships": "INSERT INTO association_members (association_id, person_id, member_ref,"
    " source, status, details) SELECT $1, id, '', 'import', 'invited', '{}' FROM floor_src"
    " ORDER BY id",
    "outbox": "INSERT INTO outbox (kind, subject_kind, subject_id, recipient_id, message_id)"
    " SELECT 'invitation', 'email_link', link_id::text, id,"
    " outbox_message_id('invitation', link_id::text, id) FROM floor_src ORDER BY link_id",
}
_FOREIGN_KEYS = (
    "ALTER TABLE association_members DROP CONSTRAINT association_members_person_id_fkey,"
    " DROP CONSTRAINT association_members_association_id_fkey",
    "ALTER TABLE outbox DROP CONSTRAINT outbox_recipient_id_fkey",
)


async def _schema_floor(admin_dsn: str, rows: int) -> dict[str, float]:
    """Seconds of the three writes per new member (people, memberships, invitation emails) for
    ``rows`` members in one transaction on the real schema in a fresh database, then again
    (after a TRUNCATE) without their foreign keys."""
    dsn = await _scratch(admin_dsn)
    conn = await asyncpg.connect(dsn)
    figures: dict[str, float] = {}
    try:
        await db.migrate(conn)
        association = await conn.fetchval(
            "INSERT INTO associations (name, kind) VALUES ('Floor', 'chapter') RETURNING id"
        )
        await conn.execute(_FLOOR_SOURCE, rows)
        for label in ("", "_without_foreign_keys"):
            if label:
                await conn.execute("TRUNCATE people CASCADE")
                for statement in _FOREIGN_KEYS:
                    await conn.execute(statement)
            total = 0.0
            async with conn.transaction():
                for table, sql in _FLOOR_WRITES.items():
                    args = (association,) if "$1" in sql else ()
                    start = time.perf_counter()
                    await conn.execute(sql, *args)
                    took = time.perf_counter() - start
                    figures[f"{table}{label}_s"] = round(took, 2)
                    total += took
            figures[f"total{label}_s"] = round(total, 2)
    finally:
        await conn.close()
        await _drop(admin_dsn, dsn)
    return figures


async def _forget_jobs(arq: Any, queue_name: str) -> None:
    """Remove the benchmark's queued jobs from Redis."""
    await arq.delete(queue_name)
    batch = []
    async for key in arq.scan_iter(match=f"arq:job:{queue_name}:*", count=5000):
        batch.append(key)
        if len(batch) >= 5000:
            await arq.unlink(*batch)
            batch.clear()
    if batch:
        await arq.unlink(*batch)


def _in_process(rows: int, trace: bool) -> dict[str, Any]:
    """Run one size in a fresh process (its peak RSS is its own)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.imports", str(rows), "trace" if trace else "time"],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> dict[str, Any]:
    """Each size timed, then traced, each in its own process."""
    timed = [_in_process(n, trace=False) for n in SIZES]
    traced = {r["rows"]: r["peak_traced_mib"] for r in (_in_process(n, True) for n in SIZES)}
    for figures in timed:
        figures["peak_traced_mib"] = traced[figures["rows"]]
    return {"sizes": timed}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_one(int(sys.argv[1]), sys.argv[2] == "trace"))))
