"""Calendar imports, inside the caller's transaction: who is importing, reading the file (in a
thread: expanding series is CPU work) and storing its events all or nothing."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import datetime
from typing import Any
from uuid import UUID

from service.calendars import places
from service.calendars import repository as repo
from service.calendars.describe import Home
from service.calendars.parse import WINDOW, EventRow, Reading, read_calendar
from service.calendars.schemas import CalendarReport, ImportedEvent, RejectedEvent
from service.errors import NotFound
from service.kit.db import Conn
from service.taxonomy.normalise import Taxonomy

#: The largest .ics file accepted (an association's year of events is a few hundred KiB).
MAX_UPLOAD = 4 * 1024 * 1024


async def home_of(conn: Conn, association_id: UUID) -> Home:
    """The importing association (404 when there is none)."""
    row = await repo.association_home(conn, association_id)
    if row is None:
        raise NotFound("no such association")
    return Home(
        name=row["name"],
        online=row["online"],
        city=row["city"],
        country=row["country"],
        languages=tuple(row["languages"]),
        zone=places.home_zone(row["city"], row["country"]),
    )


async def read(data: bytes, home: Home, taxonomy: Taxonomy, now: datetime) -> Reading:
    """The file's events for ``home`` (NotACalendar, a 422, when it is no calendar)."""
    return await asyncio.to_thread(read_calendar, data, now=now, home=home, taxonomy=taxonomy)


def _stored(row: EventRow) -> dict[str, Any]:
    values = asdict(row)
    values["status"] = "cancelled" if values.pop("cancelled") else "scheduled"
    values["starts_at"] = row.starts_at.isoformat()
    values["ends_at"] = row.ends_at.isoformat()
    return values


async def apply(
    conn: Conn,
    association_id: UUID,
    reading: Reading,
    *,
    file_name: str,
    created_by: UUID | None,
    full_sync: bool = False,
) -> CalendarReport:
    """Store the events read (new ones inserted, changed ones updated, in one statement) and
    report what happened to each. ``full_sync``: the file is the whole calendar, so upcoming
    events imported before that it no longer has are cancelled (kept, with their RSVPs) -
    not those it has but could not read this time, and none when it has no event that could be
    read, which is more likely a wrong file than an empty calendar."""
    rows = [_stored(e) for e in reading.events]
    uids = [e.ical_uid for e in reading.events]
    written = await repo.upsert_events(conn, association_id, rows, created_by)
    gone: list[dict[str, Any]] = []
    if full_sync and uids:
        refused = [r.uid for r in reading.rejected]
        gone = await repo.cancel_missing(conn, association_id, uids, refused, WINDOW)
    stored = await repo.events_by_uid(conn, association_id, uids)
    events = [
        ImportedEvent(
            **r,
            outcome=(
                "unchanged"
                if r["ical_uid"] not in written
                else "new"
                if written[r["ical_uid"]]
                else "updated"
            ),
        )
        for r in stored
    ]
    new = sum(1 for e in events if e.outcome == "new")
    updated = sum(1 for e in events if e.outcome == "updated")
    return CalendarReport(
        file_name=file_name,
        imported=new,
        updated=updated,
        unchanged=len(events) - new - updated,
        rejected=len(reading.rejected),
        cancelled=len(gone),
        events=events,
        rejected_events=[RejectedEvent(**asdict(r)) for r in reading.rejected],
        cancelled_events=[ImportedEvent(**r, outcome="removed") for r in gone],
        full_sync=full_sync,
    )
