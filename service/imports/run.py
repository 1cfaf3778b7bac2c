"""Running a member import (the worker's job, or ``kickoff import`` in-process).

:func:`run_import` reads the stored file in chunks on its own connection, in one transaction:
each chunk is read in a thread while the database stages the one before with COPY (refused
rows kept) and applies its new members (:mod:`service.imports.apply_repository`); the rest is
applied at the end, the transaction commits, the file is deleted and the emails queued are
enqueued. Progress is written on another connection, so it can be followed meanwhile. A run
interrupted anywhere applies nothing; the next run starts over; a finished import is never run
again.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from service.imports import apply_repository as applying
from service.imports import repository as repo
from service.imports.columns import resolve
from service.imports.reader import NotASpreadsheet, Sniffed
from service.imports.repository import ImportRow
from service.imports.rows import Rows, Table, open_table
from service.imports.service import Progress, delete_file, get_import
from service.kit.db import Conn
from service.taxonomy.repository import load_taxonomy

log = logging.getLogger(__name__)

#: Records read, staged and reported per step.
CHUNK = 5000
#: Emails enqueued per Redis round trip after the apply.
ENQUEUE_BATCH = 5000
#: Share of the progress bar the reading takes (applying takes the rest).
_READING = 0.85
FINISHED = ("done", "failed")
_OUR_FAULT = (
    "The import failed on our side and changed nothing. Upload the file again; if it fails"
    " again, tell us."
)

#: Enqueues the delivery of outbox emails (ids); how many it enqueued.
Notify = Callable[[Sequence[UUID]], Awaitable[int]]


async def run_import(
    pool: asyncpg.Pool,
    import_id: UUID,
    notify: Notify | None = None,
    progress: Progress | None = None,
) -> str:
    """Run a queued import to done or failed; its status. Safe to run again and at once: a
    finished import is left alone, and one run at a time holds the import's lock."""
    async with pool.acquire() as conn:
        row = await repo.get_import(conn, import_id)
        if row is None:
            return "no such import"
        if row.status in FINISHED:
            return row.status
        if not await repo.try_lock(conn, import_id):
            return "running elsewhere"
        try:
            row = await get_import(conn, import_id)  # another run may have finished it
            if row.status in FINISHED:
                return row.status
            return await _run_locked(pool, conn, row, notify, progress)
        finally:
            await applying.forget_emails(conn)
            await repo.unlock(conn, import_id)


async def _run_locked(
    pool: asyncpg.Pool,
    conn: Conn,
    row: ImportRow,
    notify: Notify | None,
    progress: Progress | None,
) -> str:
    async def step(fraction: float, message: str) -> None:
        # On a connection of its own: the import's transaction shows nothing until it commits.
        async with pool.acquire() as other:
            await repo.set_progress(other, row.id, fraction, message)
        if progress:
            progress(fraction, message)

    await repo.start(conn, row.id)
    await step(0.0, "reading rows")
    try:
        async with conn.transaction():
            await applying.begin(conn)
            rows_read, rejected = await _stage(conn, row, step)
            await step(_READING, f"applying {rows_read - rejected:,} rows")
            applied = await applying.finish(
                conn, row.id, row.association_id, full_sync=row.full_sync
            )
            message = _summary(applied, rejected, row.full_sync)
            await repo.finish(conn, row.id, _counts(applied, rows_read, rejected), message)
    except NotASpreadsheet as exc:
        await repo.fail(conn, row.id, exc.message)
        delete_file(row.file_path)
        return "failed"
    except Exception:
        log.exception("import %s failed", row.id)
        await repo.fail(conn, row.id, _OUR_FAULT)
        delete_file(row.file_path)
        return "failed"
    delete_file(row.file_path)
    if progress:
        progress(1.0, message)
    while ids := await applying.queued_emails(conn, ENQUEUE_BATCH):
        if notify is not None:
            await notify(ids)
    return "done"


async def _stage(
    conn: Conn, row: ImportRow, step: Callable[[float, str], Awaitable[None]]
) -> tuple[int, int]:
    """Read the whole file, staging its rows, keeping the refused ones and applying each chunk's
    new members, a chunk at a time: each chunk is read in a thread while the database takes the
    one before. (rows read, rows refused)."""
    sniffed = Sniffed(row.file_format, row.encoding, row.delimiter)
    table = await asyncio.to_thread(_reopen, row.file_path, sniffed)
    reading: asyncio.Future[Chunk] | None = None
    try:
        mapping = resolve(table.header, {}, row.mapping)
        rows = Rows(row.id, table.header, mapping, await load_taxonomy(conn))
        read = rejected = 0
        reading = asyncio.ensure_future(asyncio.to_thread(_read_chunk, table, rows))
        while reading is not None:
            staged, refused, done = await reading
            reading = (
                None if done else asyncio.ensure_future(asyncio.to_thread(_read_chunk, table, rows))
            )
            await repo.stage(conn, staged)
            await repo.reject(conn, refused)
            if staged:
                await applying.apply_chunk(
                    conn, row.id, row.association_id, staged[0][1], staged[-1][1]
                )
            read += len(staged) + len(refused)
            rejected += len(refused)
            await step(_READING * table.source.fraction(), f"reading rows: {read:,}")
    finally:
        if reading is not None:  # the thread reads on: wait for it before closing the file
            await asyncio.gather(reading, return_exceptions=True)
        table.close()
    return read, rejected


def _reopen(path: str | None, sniffed: Sniffed) -> Table:
    """The stored file of an import, as it was read when it was accepted."""
    if not path or not Path(path).is_file():
        raise NotASpreadsheet("The uploaded file is no longer there; upload it again.")
    return open_table(Path(path), sniffed)


#: Rows to stage, rows refused, and whether the file has ended.
Chunk = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], bool]


def _read_chunk(table: Table, rows: Rows) -> Chunk:
    """The next :data:`CHUNK` records as (rows to stage, refused rows, whether the file ended)."""
    staged: list[tuple[Any, ...]] = []
    refused: list[tuple[Any, ...]] = []
    for record in itertools.islice(table.records, CHUNK):
        member, reject = rows.read(record)
        if member is not None:
            staged.append(member)
        elif reject is not None:
            refused.append(reject)
    return staged, refused, len(staged) + len(refused) < CHUNK and _ended(table)


def _ended(table: Table) -> bool:
    """Whether the file has no record left (asked after a chunk came back short)."""
    following = next(table.records, None)
    if following is None:
        return True
    table.records = itertools.chain([following], table.records)
    return False


def _counts(applied: applying.Applied, rows_read: int, rejected: int) -> dict[str, int]:
    return {
        "rows_read": rows_read,
        "created": applied.created,
        "linked": applied.linked,
        "updated": applied.updated,
        "unchanged": applied.unchanged,
        "rejected": rejected,
        "duplicates_merged": applied.duplicates_merged,
        "ended": applied.ended,
        "invitations": applied.invitations,
    }


def _summary(applied: applying.Applied, rejected: int, full_sync: bool) -> str:
    parts = [
        f"{applied.created:,} new (invited)",
        f"{applied.linked:,} already in Kickoff, now members",
        f"{applied.updated:,} updated",
        f"{applied.unchanged:,} unchanged",
    ]
    if applied.duplicates_merged:
        parts.append(f"{applied.duplicates_merged:,} repeated rows merged")
    if rejected:
        parts.append(f"{rejected:,} rows refused (see the rejected rows)")
    if full_sync:
        parts.append(
            f"{applied.ended:,} memberships ended"
            if applied.members
            else "no membership ended: no row of the file was accepted"
        )
    return "done: " + "; ".join(parts)
