"""CSV for spreadsheets: every cell neutralised against formula injection, streamed in chunks.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and some
skip a leading tab or carriage return first), so a display name like ``=HYPERLINK(...)`` would
run on the organiser's machine. OWASP's advice, followed here for every text cell: prefix such a
cell with an apostrophe, which spreadsheets show as text. Numbers we format ourselves are data
and stay numbers.

Exports are read through a database cursor inside one read-only transaction and written in
chunks of rows, so memory stays flat however many rows there are. Files start with a UTF-8 byte
order mark, without which Excel reads accents wrongly.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg
from starlette.responses import StreamingResponse

from service.kit.db import Conn, transaction

#: What a cell may not start with (OWASP CSV injection): a spreadsheet would run it.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: UTF-8 byte order mark: Excel reads the file as UTF-8 only with it.
BOM = "\ufeff"
#: Rows formatted per chunk sent.
CHUNK_ROWS = 500
MEDIA_TYPE = "text/csv; charset=utf-8"

Row = Sequence[object]


def text(cell: object) -> str:
    """A cell's value as text: empty for None, ISO dates, JSON for lists and objects."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    if isinstance(cell, dict | list | tuple):
        return json.dumps(cell, ensure_ascii=False)
    return str(cell)


def neutral(cell: object) -> str:
    """The cell as text a spreadsheet shows as it is: an apostrophe before what would run as a
    formula (numbers stay numbers: ``-0.5`` is a value, not a formula)."""
    value = text(cell)
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return value
    return "'" + value if value.startswith(TRIGGERS) else value


def csv_lines(rows: Iterable[Row]) -> Iterator[str]:
    """Each row as one CSV record (``\\r\\n``-terminated, quoted where needed), cells
    neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([neutral(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def csv_text(rows: Iterable[Row]) -> str:
    """Rows as one CSV text (no byte order mark)."""
    return "".join(csv_lines(rows))


async def csv_chunks(
    header: Row, rows: AsyncIterator[Row], chunk_rows: int = CHUNK_ROWS
) -> AsyncIterator[bytes]:
    """The UTF-8 bytes of a CSV file (byte order mark, header, rows), ``chunk_rows`` at a
    time."""
    yield (BOM + csv_text([header])).encode()
    batch: list[Row] = []
    async for row in rows:
        batch.append(row)
        if len(batch) >= chunk_rows:
            yield csv_text(batch).encode()
            batch.clear()
    if batch:
        yield csv_text(batch).encode()


@dataclass(frozen=True)
class CsvExport:
    """A CSV file to stream: its name, header and how to read its rows from a connection."""

    filename: str
    header: Row
    #: Called with a connection in a read-only transaction; yields the rows (a cursor).
    rows: Callable[[Conn], AsyncIterator[Row]]


async def export_chunks(pool: asyncpg.Pool, export: CsvExport) -> AsyncIterator[bytes]:
    """The file's bytes, read in one read-only transaction held while it streams."""
    async with transaction(pool, readonly=True) as conn:
        async for chunk in csv_chunks(export.header, export.rows(conn)):
            yield chunk


def csv_response(pool: asyncpg.Pool, export: CsvExport) -> StreamingResponse:
    """A streamed download of ``export`` (text/csv, an attachment with its file name)."""
    return StreamingResponse(
        export_chunks(pool, export),
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


def file_name(*parts: Any) -> str:
    """A safe ASCII file name from parts: ``file_name("matches", "PMI Lisboa", d)`` is
    ``matches-pmi-lisboa-2027-03-01.csv``."""
    words = []
    for part in parts:
        ascii_text = unicodedata.normalize("NFKD", text(part)).encode("ascii", "ignore").decode()
        if slug := re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-"):
            words.append(slug)
    return "-".join(words or ["export"]) + ".csv"
