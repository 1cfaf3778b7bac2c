"""Digest queries: who is due this week, their suggestions, the outbox rows. No commits here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from service.kit.db import Conn

#: The outbox's kind and subject kind of a digest; the subject id is the ISO week (2027-W05).
KIND = "digest"
SUBJECT = "digest_week"


@dataclass(frozen=True)
class Reader:
    """An opted-in, verified, signed-up person, with what the certification rules read."""

    id: UUID
    display_name: str
    timezone: str
    languages: list[str]
    country: str
    education: str | None
    months_leading_projects: int | None
    pm_education_hours: int | None
    certifications_held: list[str]
    certifications_target: list[str]
    goals: list[str]


@dataclass(frozen=True)
class Suggestion:
    """A suggestion still worth sending: an upcoming open event or an association not joined."""

    kind: str
    id: UUID
    title: str
    reasons: list[str]
    starts_at: datetime | None
    online: bool
    city: str


_READER = (
    "SELECT p.id, p.display_name, p.timezone, p.languages, p.country, p.education,"
    " p.months_leading_projects, p.pm_education_hours, p.certifications_held,"
    " p.certifications_target, p.goals FROM people p"
    " WHERE p.digest AND p.claimed_at IS NOT NULL AND p.email_verified_at IS NOT NULL"
)


async def due_readers(conn: Conn, week: str, after: UUID | None, limit: int) -> list[Reader]:
    """Readers (by id, after ``after``) who have no digest of ``week`` queued yet."""
    rows = await conn.fetch(
        _READER + " AND ($2::uuid IS NULL OR p.id > $2)"  # noqa: S608 - fixed text
        " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.kind = $4 AND o.subject_kind = $5"
        "                 AND o.subject_id = $1 AND o.recipient_id = p.id)"
        " ORDER BY p.id LIMIT $3",
        week,
        after,
        limit,
        KIND,
        SUBJECT,
    )
    return [Reader(**dict(r)) for r in rows]


async def reader(conn: Conn, person_id: UUID) -> Reader | None:
    """``person_id`` if they (still) get the digest: opted in, verified, signed up."""
    row = await conn.fetchrow(_READER + " AND p.id = $1", person_id)
    return None if row is None else Reader(**dict(row))


async def suggestions(conn: Conn, person_id: UUID, limit: int) -> list[Suggestion]:
    """The person's best precomputed suggestions (person_suggestions, best first) that still
    make sense: events upcoming, scheduled, not full and not RSVPed; associations they are
    not a member of (nor asked or invited to be)."""
    rows = await conn.fetch(
        "SELECT s.kind, COALESCE(s.event_id, s.association_id) AS id,"
        " COALESCE(e.title, a.name) AS title, s.reasons, e.starts_at,"
        " COALESCE(e.online, a.online) AS online, COALESCE(e.city, a.city) AS city"
        " FROM person_suggestions s"
        " LEFT JOIN events e ON e.id = s.event_id"
        " LEFT JOIN associations a ON a.id = s.association_id"
        " WHERE s.person_id = $1 AND CASE s.kind"
        "   WHEN 'event' THEN e.status = 'scheduled' AND e.starts_at > now()"
        "     AND (e.capacity IS NULL OR e.rsvp_count < e.capacity)"
        "     AND NOT EXISTS (SELECT 1 FROM event_rsvps r"
        "                     WHERE r.event_id = e.id AND r.person_id = $1)"
        "   ELSE NOT EXISTS (SELECT 1 FROM association_members m"
        "                    WHERE m.association_id = a.id AND m.person_id = $1"
        "                    AND m.status <> 'ended') END"
        " ORDER BY s.rank LIMIT $2",
        person_id,
        limit,
    )
    out = []
    for r in rows:
        data: dict[str, Any] = dict(r)
        data["reasons"] = [str(x) for x in data["reasons"]]
        out.append(Suggestion(**data))
    return out


async def queue(conn: Conn, week: str, person_ids: list[UUID]) -> list[UUID]:
    """One digest email of ``week`` to each person, unless one was queued before (the outbox's
    uniqueness: once per person and week, whatever the retries); the new outbox ids."""
    rows = await conn.fetch(
        "INSERT INTO outbox (kind, subject_kind, subject_id, recipient_id, message_id)"
        " SELECT $1, $2, $3, r, outbox_message_id($1, $3, r) FROM unnest($4::uuid[]) AS r"
        " ON CONFLICT (kind, subject_kind, subject_id, recipient_id) DO NOTHING RETURNING id",
        KIND,
        SUBJECT,
        week,
        person_ids,
    )
    return [r["id"] for r in rows]


async def turn_off(conn: Conn, person_id: UUID) -> bool | None:
    """Turn the digest off; whether it was on (None: no such signed-up person)."""
    row = await conn.fetchrow(
        "WITH before AS (SELECT digest FROM people WHERE id = $1 AND claimed_at IS NOT NULL"
        " FOR UPDATE)"
        " UPDATE people p SET digest = false, updated_at = now() FROM before"
        " WHERE p.id = $1 RETURNING before.digest",
        person_id,
    )
    return None if row is None else bool(row["digest"])
