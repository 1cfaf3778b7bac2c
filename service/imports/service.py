"""Member imports, one code path for the page, the API and ``kickoff import``.

1. :func:`accept_upload` stores the file under the state directory and reads its head: a file
   that is not a member list is refused (422) before any import exists; :func:`preview` shows
   the same head to the page.
2. :func:`queue_import` records the import (queued); the caller enqueues :data:`JOB` after
   the commit (:func:`enqueue_import`).
3. :func:`run_import` (the worker's job, or the CLI in-process) reads the file in chunks on
   its own connection, stages the rows with COPY and keeps the refused ones, then applies the
   lot in one transaction (:mod:`service.imports.apply_repository`), deletes the file and
   enqueues the emails queued. A run interrupted anywhere applies nothing; the next run starts
   over; a finished import is never run again.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID, uuid4

import asyncpg

from service.errors import NotFound
from service.imports import apply_repository as applying
from service.imports import repository as repo
from service.imports.columns import FIELDS, resolve
from service.imports.reader import NotASpreadsheet, Sniffed
from service.imports.repository import ImportRow
from service.imports.rows import PREVIEW_ROWS, Rows, Table, open_table, with_mapping
from service.imports.schemas import ImportOut, PreviewOut, PreviewRow
from service.kit.csv import CsvExport, Row, file_name
from service.kit.db import Conn
from service.queue import job_id
from service.taxonomy.repository import load_taxonomy

log = logging.getLogger(__name__)

#: The worker's job (by name: the web side never imports the worker).
JOB = "run_import"
#: The largest file an import takes.
MAX_UPLOAD = 50 * 1024 * 1024
#: How long an invitation's link works.
INVITATION_LIFETIME = timedelta(days=30)
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

#: Told how far an import is: (fraction 0-1, message).
Progress = Callable[[float, str], None]
#: Enqueues the delivery of outbox emails (ids); how many it enqueued.
Notify = Callable[[Sequence[UUID]], Awaitable[int]]


def upload_dir(home: Path) -> Path:
    """Where uploaded member files wait for their import (under the state directory)."""
    return home / "imports"


@dataclass(frozen=True)
class Accepted:
    """An uploaded member file that reads as one: stored, with what the import will use."""

    import_id: UUID
    path: Path
    file_name: str
    sniffed: Sniffed
    columns: tuple[str, ...]
    mapping: dict[str, str]


def _store(home: Path, name: str, source: BinaryIO) -> Path:
    folder = upload_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    source.seek(0)
    with path.open("xb") as out:
        shutil.copyfileobj(source, out, 1024 * 1024)
    return path


def _inspect(path: Path, chosen: Mapping[str, str] | None) -> tuple[Table, dict[str, str]]:
    table = open_table(path)
    try:
        return table, with_mapping(table, chosen)
    finally:
        table.close()


async def accept_upload(
    home: Path, source: BinaryIO, name: str, chosen: Mapping[str, str] | None
) -> Accepted:
    """Store an uploaded file and read its head (in a thread); 422 (the file deleted) when it
    is not a member list or ``chosen`` (header -> field) does not fit it."""
    import_id = uuid4()
    path = await asyncio.to_thread(_store, home, str(import_id), source)
    try:
        table, mapping = await asyncio.to_thread(_inspect, path, chosen)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Accepted(import_id, path, shown_name(name), table.sniffed, table.header.names, mapping)


def shown_name(name: str) -> str:
    """An uploaded file's name as it can be stored and shown: its last path part, without
    control characters or unpaired surrogates, at most 255 characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = name.encode("utf-8", "replace").decode("utf-8")
    return "".join(ch for ch in name if ch.isprintable())[:255]


def discard(accepted: Accepted) -> None:
    """Delete an accepted file that no import will read (its import was not recorded)."""
    accepted.path.unlink(missing_ok=True)


async def preview(home: Path, source: BinaryIO, chosen: Mapping[str, str] | None) -> PreviewOut:
    """What the page shows before an import: the detected format, encoding and delimiter, the
    columns with the guessed (or chosen) fields, and the first rows; 422 as for an import."""
    path = await asyncio.to_thread(_store, home, f"preview-{uuid4()}", source)
    try:
        table, mapping = await asyncio.to_thread(_inspect, path, chosen)
    finally:
        path.unlink(missing_ok=True)
    width = len(table.header.names)
    return PreviewOut(
        format=table.sniffed.format,  # type: ignore[arg-type]
        encoding=table.sniffed.encoding,
        delimiter=table.sniffed.delimiter,
        header_line=table.header.line,
        columns=list(table.header.names),
        mapping=mapping,
        fields=FIELDS,
        rows=[
            PreviewRow(line=r.line, cells=(r.cells + [""] * width)[:width])
            for r in table.sample[:PREVIEW_ROWS]
        ],
    )


async def association_exists(conn: Conn, association_id: UUID) -> None:
    """404 unless there is such an association."""
    if not await repo.association_exists(conn, association_id):
        raise NotFound("no such association")


async def queue_import(
    conn: Conn,
    accepted: Accepted,
    association_id: UUID,
    *,
    full_sync: bool,
    created_by: UUID | None,
    api_key_id: UUID | None = None,
) -> ImportRow:
    """Record a queued import of an accepted file (404 for an unknown association)."""
    await association_exists(conn, association_id)
    await repo.create_import(
        conn,
        accepted.import_id,
        association_id,
        created_by=created_by,
        api_key_id=api_key_id,
        file_name=accepted.file_name,
        file_path=str(accepted.path),
        file_format=accepted.sniffed.format,
        encoding=accepted.sniffed.encoding,
        delimiter=accepted.sniffed.delimiter,
        columns=accepted.columns,
        mapping=accepted.mapping,
        full_sync=full_sync,
    )
    return await get_import(conn, accepted.import_id)


async def enqueue_import(arq: Any, import_id: UUID) -> None:
    """Enqueue the job that runs an import (after the commit that recorded it)."""
    await arq.enqueue_job(
        JOB, str(import_id), _job_id=job_id(arq.default_queue_name, "import", import_id)
    )


async def get_import(conn: Conn, import_id: UUID) -> ImportRow:
    """One import (404 if there is none)."""
    row = await repo.get_import(conn, import_id)
    if row is None:
        raise NotFound("no such import")
    return row


def import_out(row: ImportRow) -> ImportOut:
    """The API's view of an import."""
    return ImportOut(
        id=row.id,
        association_id=row.association_id,
        status=row.status,  # type: ignore[arg-type]
        progress=row.progress,
        message=row.message,
        rows_read=row.rows_read,
        created=row.created,
        linked=row.linked,
        updated=row.updated,
        unchanged=row.unchanged,
        rejected=row.rejected,
        duplicates_merged=row.duplicates_merged,
        ended=row.ended,
        invitations=row.invitations,
        file_name=row.file_name,
        format=row.file_format,
        encoding=row.encoding,
        delimiter=row.delimiter,
        mapping=row.mapping,
        full_sync=row.full_sync,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


async def run_import(
    pool: asyncpg.Pool,
    import_id: UUID,
    secret: bytes,
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
            return await _run_locked(conn, row, secret, notify, progress)
        finally:
            await applying.forget_emails(conn)
            await repo.unlock(conn, import_id)


async def _run_locked(
    conn: Conn, row: ImportRow, secret: bytes, notify: Notify | None, progress: Progress | None
) -> str:
    async def step(fraction: float, message: str) -> None:
        await repo.set_progress(conn, row.id, fraction, message)
        if progress:
            progress(fraction, message)

    await repo.start(conn, row.id)
    await step(0.0, "reading rows")
    try:
        rows_read, rejected = await _stage(conn, row, secret, step)
        await step(_READING, f"applying {rows_read - rejected:,} rows")
        async with conn.transaction():
            applied = await applying.apply(
                conn,
                row.id,
                row.association_id,
                full_sync=row.full_sync,
                invitation_lifetime=INVITATION_LIFETIME,
            )
            message = _summary(applied, rejected, row.full_sync)
            await repo.finish(conn, row.id, _counts(applied, rows_read, rejected), message)
    except NotASpreadsheet as exc:
        await repo.fail(conn, row.id, exc.message)
        _delete(row.file_path)
        return "failed"
    except Exception:
        log.exception("import %s failed", row.id)
        await repo.fail(conn, row.id, _OUR_FAULT)
        _delete(row.file_path)
        return "failed"
    _delete(row.file_path)
    if progress:
        progress(1.0, message)
    while ids := await applying.queued_emails(conn, ENQUEUE_BATCH):
        if notify is not None:
            await notify(ids)
    return "done"


async def _stage(
    conn: Conn, row: ImportRow, secret: bytes, step: Callable[[float, str], Awaitable[None]]
) -> tuple[int, int]:
    """Read the whole file, staging its rows and keeping the refused ones, a chunk at a time:
    each chunk is read in a thread while the database takes the one before. (rows read, rows
    refused)."""
    sniffed = Sniffed(row.file_format, row.encoding, row.delimiter)
    table = await asyncio.to_thread(_reopen, row.file_path, sniffed)
    reading: asyncio.Future[Chunk] | None = None
    try:
        mapping = resolve(table.header, {}, row.mapping)
        rows = Rows(row.id, table.header, mapping, await load_taxonomy(conn), secret)
        read = rejected = 0
        reading = asyncio.ensure_future(asyncio.to_thread(_read_chunk, table, rows))
        while reading is not None:
            staged, refused, done = await reading
            reading = (
                None if done else asyncio.ensure_future(asyncio.to_thread(_read_chunk, table, rows))
            )
            await repo.stage(conn, staged)
            await repo.reject(conn, refused)
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


def _delete(path: str | None) -> None:
    if path:
        with contextlib.suppress(OSError):
            Path(path).unlink(missing_ok=True)


async def rejected_export(conn: Conn, import_id: UUID) -> CsvExport:
    """The rejected rows of an import as a CSV download: line, reason, original values."""
    row = await get_import(conn, import_id)
    columns = list(row.columns)
    extra = await repo.reject_keys(conn, import_id, columns)

    async def rows(c: Conn) -> AsyncIterator[Row]:
        async for line, reason, data in repo.rejects(c, import_id):
            yield [line, reason, *(data.get(name, "") for name in [*columns, *extra])]

    return CsvExport(
        filename=file_name("rejected", Path(row.file_name).stem, row.created_at.date()),
        header=["line", "reason", *columns, *extra],
        rows=rows,
    )


async def purge_files(conn: Conn, home: Path, older_than: timedelta) -> int:
    """Delete uploaded files older than ``older_than`` that no import waits for (left by a
    process that stopped after finishing an import, or before recording it); how many."""
    folder = upload_dir(home)
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than.total_seconds()
    files = [p for p in folder.iterdir() if p.is_file() and p.stat().st_mtime < cutoff]
    waiting = await repo.files_in_use(conn, [str(p) for p in files])
    for path in files:
        if str(path) not in waiting:
            _delete(str(path))
    return len(files) - len(waiting)
