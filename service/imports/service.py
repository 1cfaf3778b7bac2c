"""Member imports, one code path for the page, the API and ``kickoff import``.

1. :func:`accept_upload` stores the file under the state directory and reads its head: a file
   that is not a member list is refused (422) before any import exists; :func:`preview` shows
   the same head to the page.
2. :func:`queue_import` records the import (queued); the caller enqueues :data:`JOB` after
   the commit (:func:`enqueue_import`).
3. :func:`service.imports.run.run_import` (the worker's job, or the CLI in-process) reads
   the file and applies it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID, uuid4

from service.errors import NotFound
from service.imports import repository as repo
from service.imports.columns import FIELDS
from service.imports.reader import Sniffed
from service.imports.repository import ImportRow
from service.imports.rows import PREVIEW_ROWS, Table, open_table, with_mapping
from service.imports.schemas import ImportOut, PreviewOut, PreviewRow
from service.kit.csv import CsvExport, Row, file_name
from service.kit.db import Conn
from service.queue import job_id

log = logging.getLogger(__name__)

#: The worker's job (by name: the web side never imports the worker).
JOB = "run_import"
#: The largest file an import takes.
MAX_UPLOAD = 50 * 1024 * 1024
#: Told how far an import is: (fraction 0-1, message).
Progress = Callable[[float, str], None]


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


def _preview_of(table: Table, mapping: dict[str, str]) -> PreviewOut:
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


async def preview(home: Path, source: BinaryIO, chosen: Mapping[str, str] | None) -> PreviewOut:
    """What the page shows before an import: the detected format, encoding and delimiter, the
    columns with the guessed (or chosen) fields, and the first rows; 422 as for an import."""
    path = await asyncio.to_thread(_store, home, f"preview-{uuid4()}", source)
    try:
        table, mapping = await asyncio.to_thread(_inspect, path, chosen)
    finally:
        path.unlink(missing_ok=True)
    return _preview_of(table, mapping)


async def upload_for_review(home: Path, source: BinaryIO, name: str) -> tuple[Accepted, PreviewOut]:
    """The page's first step: store the file (an import of it is confirmed later, with the
    columns chosen; unconfirmed uploads are purged after an hour) and its preview; 422 (the
    file deleted) when it is not a member list."""
    accepted = await accept_upload(home, source, name, None)
    table, mapping = await asyncio.to_thread(_inspect, accepted.path, None)
    return accepted, _preview_of(table, mapping)


async def reviewed_upload(
    home: Path, upload_id: UUID, name: str, chosen: Mapping[str, str] | None
) -> Accepted:
    """The page's second step: the stored upload ``upload_id`` read with the columns the admin
    chose; 404 when it is gone (purged after an hour), 422 when the choice does not fit it."""
    path = upload_dir(home) / str(upload_id)
    if not await asyncio.to_thread(path.is_file):
        raise NotFound("this upload has expired: choose the file again")
    table, mapping = await asyncio.to_thread(_inspect, path, chosen)
    return Accepted(upload_id, path, shown_name(name), table.sniffed, table.header.names, mapping)


async def recent_imports(conn: Conn, association_id: UUID, limit: int = 20) -> list[ImportOut]:
    """The association's latest imports, newest first."""
    return [import_out(row) for row in await repo.recent_imports(conn, association_id, limit)]


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


def delete_file(path: str | None) -> None:
    """Delete an import's uploaded file, if it is still there."""
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
            delete_file(str(path))
    return len(files) - len(waiting)
