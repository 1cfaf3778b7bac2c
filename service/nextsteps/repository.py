"""Next-steps queries: the upcoming events that may help a person. No commits here."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from service.kit.db import Conn
from service.nextsteps.rules import Event

#: Upcoming events read per person: the evaluator picks a few per certification among them.
CANDIDATES = 300


async def helpful_events(
    conn: Conn,
    person_id: UUID,
    languages: Sequence[str],
    country: str,
    tags: Sequence[str],
    kinds: Sequence[str],
) -> list[Event]:
    """Scheduled events not started yet, not full, that ``person_id`` has not RSVPed to, online
    or in their country, in a language they speak (or none said), soonest first: those tagged
    with one of ``tags`` or of one of ``kinds`` (the evaluator decides which help what)."""
    rows = await conn.fetch(
        "SELECT e.id, e.title, e.kind, e.starts_at, e.tags, e.online, e.city, e.country"
        " FROM events e"
        " WHERE e.status = 'scheduled' AND e.starts_at > now()"
        " AND (e.capacity IS NULL OR e.rsvp_count < e.capacity)"
        " AND (e.online OR e.country = $3)"
        " AND (cardinality(e.languages) = 0 OR e.languages && $2::text[])"
        " AND (e.tags && $4::text[] OR e.kind = ANY($5::text[]))"
        " AND NOT EXISTS (SELECT 1 FROM event_rsvps r"
        "                  WHERE r.event_id = e.id AND r.person_id = $1)"
        " ORDER BY e.starts_at, e.id LIMIT $6",
        person_id,
        list(languages),
        country,
        list(tags),
        list(kinds),
        CANDIDATES,
    )
    return [
        Event(
            id=r["id"],
            title=r["title"],
            kind=r["kind"],
            starts_at=r["starts_at"],
            tags=tuple(r["tags"]),
            online=r["online"],
            city=r["city"],
            country=r["country"],
        )
        for r in rows
    ]
