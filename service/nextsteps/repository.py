"""Next-steps queries: the upcoming events that may help a person. No commits here."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from matching.suggest.feasibility import Filters
from service.kit.db import Conn
from service.nextsteps.rules import Event

#: Upcoming events read per person: the evaluator picks a few per certification among them.
CANDIDATES = 300
#: How far outside their weekly availability an event may be, as for suggestions.
NEAR_MINUTES = Filters.near_minutes

# The event, in the person's own timezone, overlaps one of their weekly windows widened by $7
# minutes (minutes of the week from Monday 00:00, around the week's end); or they have none.
_AT_A_GOOD_TIME = """
(NOT EXISTS (SELECT 1 FROM availability_windows w WHERE w.person_id = $1)
 OR EXISTS (
    SELECT 1 FROM availability_windows w JOIN people p ON p.id = w.person_id,
           LATERAL (SELECT e.starts_at AT TIME ZONE p.timezone AS local) l,
           LATERAL (SELECT ((extract(isodow FROM l.local) - 1) * 1440
                            + extract(hour FROM l.local) * 60 + extract(minute FROM l.local))::int
                           AS start,
                           (extract(epoch FROM e.ends_at - e.starts_at) / 60)::int AS length) t,
           unnest(ARRAY[-10080, 0, 10080]) AS round(shift)
     WHERE w.person_id = $1
       AND t.start + round.shift < w.weekday * 1440 + w.end_minute + $7
       AND t.start + round.shift + t.length > w.weekday * 1440 + w.start_minute - $7))
"""
_HELPFUL = f"""
SELECT e.id, e.title, e.kind, e.starts_at, e.tags, e.online, e.city, e.country
  FROM events e
 WHERE e.status = 'scheduled' AND e.starts_at > now()
   AND (e.capacity IS NULL OR e.rsvp_count < e.capacity)
   AND (e.online OR e.country = $3)
   AND (cardinality(e.languages) = 0 OR e.languages && $2::text[])
   AND (e.tags && $4::text[] OR e.kind = ANY($5::text[]))
   AND NOT EXISTS (SELECT 1 FROM event_rsvps r WHERE r.event_id = e.id AND r.person_id = $1)
   AND {_AT_A_GOOD_TIME}
 ORDER BY e.starts_at, e.id LIMIT $6
"""  # noqa: S608 - fixed text


async def helpful_events(
    conn: Conn,
    person_id: UUID,
    languages: Sequence[str],
    country: str,
    tags: Sequence[str],
    kinds: Sequence[str],
) -> list[Event]:
    """Scheduled events not started yet, not full, that ``person_id`` has not RSVPed to, online
    or in their country, in a language they speak (or none said), at a time inside or within
    :data:`NEAR_MINUTES` of their weekly availability (when they gave one), soonest first:
    those tagged with one of ``tags`` or of one of ``kinds`` (the evaluator decides which help
    what)."""
    rows = await conn.fetch(
        _HELPFUL,
        person_id,
        list(languages),
        country,
        list(tags),
        list(kinds),
        CANDIDATES,
        NEAR_MINUTES,
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
