"""``kickoff events import --association ID FILE``: an association's events from an .ics file,
through the same code as the page and the API, then the report."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from service.errors import DomainError
from service.settings import Settings

#: As the page and the API (service.calendars.service.MAX_UPLOAD, not imported at start-up).
MAX_FILE = 4 * 1024 * 1024


def add_parser(sub: Any) -> None:
    """Register the ``events`` command (``events import``) on the ``kickoff`` parser."""
    p = sub.add_parser(
        "events", help="manage associations' events", description="Manage associations' events."
    )
    actions = p.add_subparsers(dest="events_command", required=True, metavar="ACTION")
    p = actions.add_parser(
        "import",
        help="import an association's events from an iCalendar (.ics) file",
        description=cmd_events_import.__doc__,
    )
    p.add_argument("--association", required=True, help="association id")
    p.add_argument("file", help="the calendar: an .ics file (Google, Outlook, Meetup...)")
    p.add_argument(
        "--full-sync",
        action="store_true",
        help="the file is the whole calendar: cancel upcoming imported events it no longer has",
    )
    p.set_defaults(func=cmd_events_import)


def cmd_events_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import an association's events from an iCalendar file (recurring events for the coming
    90 days; importing again updates them, never duplicates) and print the report."""
    path = Path(args.file)
    if not path.is_file():
        print(f"kickoff: there is no file {args.file!r}", file=sys.stderr)
        return 2
    try:
        association_id = UUID(args.association)
    except ValueError:
        print(f"kickoff: {args.association!r} is not an association id", file=sys.stderr)
        return 2
    data = path.read_bytes()
    if len(data) > MAX_FILE:
        print(f"kickoff: the file is larger than {MAX_FILE // 2**20} MiB", file=sys.stderr)
        return 1
    try:
        return asyncio.run(_import(settings, association_id, path.name, data, args.full_sync))
    except DomainError as exc:
        print(f"kickoff: {exc.message}", file=sys.stderr)
        return 1


async def _import(
    settings: Settings, association_id: UUID, name: str, data: bytes, full_sync: bool
) -> int:
    from service import db, embedded
    from service.calendars import service as calendars
    from service.kit.db import transaction
    from service.taxonomy.repository import load_taxonomy

    pool = await db.create_pool(embedded.database_url(settings), 2)
    try:
        async with pool.acquire() as raw:
            await db.migrate(raw)
        async with transaction(pool, readonly=True) as conn:
            home = await calendars.home_of(conn, association_id)
            taxonomy = await load_taxonomy(conn)
        reading = await calendars.read(data, home, taxonomy, datetime.now(UTC))
        async with transaction(pool) as conn:
            report = await calendars.apply(
                conn,
                association_id,
                reading,
                file_name=name,
                created_by=None,
                full_sync=full_sync,
            )
    finally:
        await pool.close()
    print(f"events of {home.name} from {name}")
    for name, value in (
        ("new", report.imported),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("rejected", report.rejected),
        *((("cancelled (no longer in the file)", report.cancelled),) if full_sync else ()),
    ):
        print(f"{name}: {value:,}")
    for r in report.rejected_events:
        print(f"  rejected {r.summary or '(no title)'!r} ({r.uid}): {r.reason}")
    for e in report.cancelled_events:
        print(f"  cancelled {e.title!r} ({e.ical_uid}), {e.starts_at:%Y-%m-%d %H:%M %Z}")
    return 0
