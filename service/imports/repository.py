"""Member import queries: the import's row and progress, staging, rejects. No commits here:
the caller owns the transaction (staging and progress run on the job's own connection)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from service.imports.rows import REJECTED, STAGED
from service.kit.db import Conn

#: The counts an import reports, as columns of ``imports``.
COUNTS = (
    "rows_read",
    "created",
    "linked",
    "updated",
    "unchanged",
    "rejected",
    "duplicates_merged",
    "ended",
    "invitations",
)


@dataclass(frozen=True)
class ImportRow:
    """One import as stored."""

    id: UUID
    association_id: UUID
    created_by: UUID | None
    api_key_id: UUID | None
    file_name: str
    file_path: str | None
    file_format: str
    encoding: str
    delimiter: str
    columns: list[str]
    mapping: dict[str, str]
    full_sync: bool
    status: str
    progress: float
    message: str
    rows_read: int
    created: int
    linked: int
    updated: int
    unchanged: int
    rejected: int
    duplicates_merged: int
    ended: int
    invitations: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


_SELECT = (  # noqa: S608 - fixed names
    "SELECT id, association_id, created_by, api_key_id, file_name, file_path, file_format,"
    " encoding, delimiter, columns, mapping::text AS mapping, full_sync, status, progress,"
    " message, {}, created_at, started_at, finished_at FROM imports"
).format(", ".join(COUNTS))


def _row(record: Any) -> ImportRow:
    data = dict(record)
    data["mapping"] = json.loads(data["mapping"])
    return ImportRow(**data)


async def association_exists(conn: Conn, association_id: UUID) -> bool:
    """Whether there is such an association."""
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM associations WHERE id = $1)", association_id
    )
    return found


async def create_import(
    conn: Conn,
    import_id: UUID,
    association_id: UUID,
    *,
    created_by: UUID | None,
    api_key_id: UUID | None,
    file_name: str,
    file_path: str,
    file_format: str,
    encoding: str,
    delimiter: str,
    columns: Sequence[str],
    mapping: dict[str, str],
    full_sync: bool,
) -> None:
    """A queued import of a stored file."""
    await conn.execute(
        "INSERT INTO imports (id, association_id, created_by, api_key_id, file_name, file_path,"
        " file_format, encoding, delimiter, columns, mapping, full_sync, message)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text::jsonb, $12,"
        " 'waiting for its turn')",
        import_id,
        association_id,
        created_by,
        api_key_id,
        file_name,
        file_path,
        file_format,
        encoding,
        delimiter,
        list(columns),
        json.dumps(mapping),
        full_sync,
    )


async def get_import(conn: Conn, import_id: UUID) -> ImportRow | None:
    """One import, or None."""
    row = await conn.fetchrow(_SELECT + " WHERE id = $1", import_id)
    return None if row is None else _row(row)


async def recent_imports(conn: Conn, association_id: UUID, limit: int) -> list[ImportRow]:
    """An association's latest imports, newest first."""
    rows = await conn.fetch(
        _SELECT + " WHERE association_id = $1 ORDER BY created_at DESC, id LIMIT $2",
        association_id,
        limit,
    )
    return [_row(r) for r in rows]


async def association_of_import(conn: Conn, import_id: UUID) -> UUID | None:
    """The association an import belongs to (for access rules), or None."""
    found: UUID | None = await conn.fetchval(
        "SELECT association_id FROM imports WHERE id = $1", import_id
    )
    return found


async def try_lock(conn: Conn, import_id: UUID) -> bool:
    """Take the import's session lock (one run at a time across workers); False if taken."""
    taken: bool = await conn.fetchval(
        "SELECT pg_try_advisory_lock(hashtextextended('import:' || $1::uuid::text, 0))", import_id
    )
    return taken


async def unlock(conn: Conn, import_id: UUID) -> None:
    """Release :func:`try_lock`'s lock."""
    await conn.execute(
        "SELECT pg_advisory_unlock(hashtextextended('import:' || $1::uuid::text, 0))", import_id
    )


async def start(conn: Conn, import_id: UUID) -> None:
    """Mark the import running from the start: whatever an earlier, interrupted run staged or
    refused is cleared first."""
    await clear_staged(conn, import_id)
    await conn.execute("DELETE FROM import_rejects WHERE import_id = $1", import_id)
    await conn.execute(
        "UPDATE imports SET status = 'running', progress = 0, message = 'reading rows',"
        " started_at = now() WHERE id = $1",
        import_id,
    )


async def clear_staged(conn: Conn, import_id: UUID) -> None:
    """Remove the import's staged rows."""
    await conn.execute("DELETE FROM import_rows WHERE import_id = $1", import_id)


async def set_progress(conn: Conn, import_id: UUID, fraction: float, message: str) -> None:
    """Record how far the import is."""
    await conn.execute(
        "UPDATE imports SET progress = $2, message = $3 WHERE id = $1",
        import_id,
        min(max(fraction, 0.0), 1.0),
        message,
    )


async def stage(conn: Conn, rows: Sequence[tuple[Any, ...]]) -> None:
    """Stage read rows (COPY)."""
    if rows:
        await conn.copy_records_to_table("import_rows", records=rows, columns=STAGED)


async def reject(conn: Conn, rows: Sequence[tuple[Any, ...]]) -> None:
    """Keep refused rows with their reasons (COPY)."""
    if rows:
        await conn.copy_records_to_table("import_rejects", records=rows, columns=REJECTED)


async def fail(conn: Conn, import_id: UUID, message: str) -> None:
    """Mark the import failed: nothing of it was applied; its staged and refused rows go."""
    await clear_staged(conn, import_id)
    await conn.execute("DELETE FROM import_rejects WHERE import_id = $1", import_id)
    await conn.execute(
        "UPDATE imports SET status = 'failed', message = $2, finished_at = now(),"
        " file_path = NULL WHERE id = $1",
        import_id,
        message,
    )


async def finish(conn: Conn, import_id: UUID, counts: dict[str, int], message: str) -> None:
    """Mark the import done with its counts; its file is no longer needed."""
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(COUNTS, start=3))
    await conn.execute(
        f"UPDATE imports SET status = 'done', progress = 1, message = $2, {sets},"  # noqa: S608 - names from COUNTS
        " finished_at = now(), file_path = NULL WHERE id = $1",
        import_id,
        message,
        *(counts[name] for name in COUNTS),
    )


async def rejects(conn: Conn, import_id: UUID) -> AsyncIterator[tuple[int, str, dict[str, str]]]:
    """(line, reason, original values) of each refused row, in file order (a cursor: call
    inside a transaction)."""
    async for r in conn.cursor(
        "SELECT line, reason, data::text AS data FROM import_rejects WHERE import_id = $1"
        " ORDER BY line",
        import_id,
    ):
        yield r["line"], r["reason"], json.loads(r["data"])


async def reject_keys(conn: Conn, import_id: UUID, columns: Sequence[str]) -> list[str]:
    """Names of values in refused rows beyond the header's ``columns`` ("Column 14": cells of
    rows longer than the header), in column order."""
    names: list[str] = await conn.fetchval(
        "SELECT coalesce(array_agg(k ORDER BY length(k), k), '{}') FROM ("
        " SELECT DISTINCT jsonb_object_keys(data) AS k FROM import_rejects WHERE import_id = $1"
        ") x WHERE NOT k = ANY($2::text[])",
        import_id,
        list(columns),
    )
    return names


async def files_in_use(conn: Conn, paths: Iterable[str]) -> set[str]:
    """Which of these file paths an import still waits to read."""
    found = await conn.fetch(
        "SELECT file_path FROM imports WHERE file_path = ANY($1::text[])"
        " AND status IN ('queued', 'running')",
        list(paths),
    )
    return {r["file_path"] for r in found}
