"""``kickoff import --association ID FILE``: a member import run here and now, through the same
code as the page and the API, with a progress bar on standard error."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

from service.errors import DomainError
from service.settings import Settings


def add_parser(sub: Any) -> None:
    """Register the ``import`` command on the ``kickoff`` parser's subcommands."""
    p = sub.add_parser(
        "import", help="import an association's member file now", description=cmd_import.__doc__
    )
    p.add_argument("--association", required=True, help="association id")
    p.add_argument("file", help="the member list: CSV, XLSX or ODS")
    p.add_argument(
        "--mapping",
        default="",
        help='column name -> field, as JSON: \'{"E-mail 2": "email", "Notes": ""}\'; columns'
        " not named keep their guessed field",
    )
    p.add_argument(
        "--full-sync",
        action="store_true",
        help="end the memberships of imported members the file leaves out (never the people)",
    )
    p.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import a member file for an association (people new to Kickoff are invited), with a
    progress bar, and print what it did."""
    if not Path(args.file).is_file():
        print(f"kickoff: there is no file {args.file!r}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(
            _import(settings, args.association, Path(args.file), args.mapping, args.full_sync)
        )
    except DomainError as exc:
        details = "; ".join(f["message"] for f in exc.fields if f["message"] != exc.message)
        print(f"kickoff: {exc.message}" + (f" ({details})" if details else ""), file=sys.stderr)
        return 1


def _bar(fraction: float, message: str) -> None:
    filled = int(fraction * 30)
    print(
        f"\r[{'#' * filled}{' ' * (30 - filled)}] {fraction:4.0%} {message[:60]:<60}",
        end="",
        file=sys.stderr,
        flush=True,
    )


async def _import(
    settings: Settings, association: str, path: Path, mapping: str, full_sync: bool
) -> int:
    from service import db, embedded, queue
    from service.imports import run
    from service.imports import service as imports
    from service.imports.schemas import parse_mapping
    from service.introductions.service import enqueue_emails
    from service.kit.db import transaction

    try:
        association_id = UUID(association)
    except ValueError:
        print(f"kickoff: {association!r} is not an association id", file=sys.stderr)
        return 2
    try:
        chosen = parse_mapping(mapping)
    except ValueError as exc:
        print(f"kickoff: --mapping: {exc}", file=sys.stderr)
        return 2
    pool = await db.create_pool(embedded.database_url(settings), 2)
    arq = await queue.connect(embedded.redis_url(settings), settings.arq_queue_name)
    try:
        async with pool.acquire() as raw:
            await db.migrate(raw)
        async with transaction(pool, readonly=True) as conn:
            await imports.association_exists(conn, association_id)
        with path.open("rb") as source:
            accepted = await imports.accept_upload(settings.home, source, path.name, chosen)
        try:
            async with transaction(pool) as conn:
                row = await imports.queue_import(
                    conn, accepted, association_id, full_sync=full_sync, created_by=None
                )
        except BaseException:
            imports.discard(accepted)
            raise

        async def notify(ids: Any) -> int:
            return await enqueue_emails(arq, ids)

        print(f"import {row.id} of {path.name}", file=sys.stderr)
        outcome = await run.run_import(pool, row.id, notify, _bar)
        print(file=sys.stderr)
        async with transaction(pool, readonly=True) as conn:
            done = await imports.get_import(conn, row.id)
    finally:
        await arq.aclose()
        await pool.close()
    if outcome != "done":
        print(f"kickoff: the import {outcome}: {done.message}", file=sys.stderr)
        return 1
    print(f"file: {done.file_format}, {done.encoding or 'spreadsheet'}", end="")
    print(f", delimiter {done.delimiter!r}" if done.delimiter else "")
    for name, value in (
        ("rows read", done.rows_read),
        ("created (invited)", done.created),
        ("linked (already in Kickoff)", done.linked),
        ("updated", done.updated),
        ("unchanged", done.unchanged),
        ("rejected", done.rejected),
        ("duplicates merged", done.duplicates_merged),
        ("memberships ended (full sync)", done.ended),
        ("invitations queued", done.invitations),
    ):
        print(f"{name}: {value:,}")
    if done.rejected:
        print(f"rejected rows, with why: GET /api/v1/imports/{row.id}/rejected.csv")
    return 0
