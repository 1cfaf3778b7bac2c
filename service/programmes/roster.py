"""The members list organisers read: a page of a programme's members that the filters keep
(role, matched or not, country, timezone band, status, part of the name). Queries here take a
connection and never commit."""

from __future__ import annotations

import zoneinfo
from datetime import date
from functools import lru_cache
from typing import Any
from uuid import UUID

from matching.metrics import timezone_band
from service.kit.db import OPEN, Conn
from service.people.availability import now_week, offset_hours
from service.people.schemas import Role
from service.programmes.schemas import MemberFilter, MemberList, MemberOut

# $1 programme, $2 open mentorship statuses, then the filters ($3-$8), each NULL for "any".
_MEMBERS = """
WITH m AS (
    SELECT pe.id, pe.display_name, pe.is_mentee, pe.is_mentor, pe.country, pe.timezone,
           mm.joined_at, pe.email_verified_at IS NOT NULL AS email_verified,
           pe.consent_to_match AS consents,
           EXISTS (SELECT 1 FROM mentorships ms
                    WHERE ms.programme_id = mm.programme_id
                      AND (ms.mentee_id = pe.id OR ms.mentor_id = pe.id)
                      AND ms.status = ANY($2::text[])) AS matched
      FROM programme_members mm JOIN people pe ON pe.id = mm.person_id
     WHERE mm.programme_id = $1 AND pe.claimed_at IS NOT NULL
)
SELECT * FROM m
 WHERE ($3::text IS NULL OR ($3 = 'mentee' AND is_mentee) OR ($3 = 'mentor' AND is_mentor))
   AND ($4::boolean IS NULL OR matched = $4)
   AND ($5::text IS NULL OR country = $5)
   AND ($6::text[] IS NULL OR timezone = ANY($6::text[]))
   AND ($7::text IS NULL
        OR ($7 = 'email_verified' AND email_verified)
        OR ($7 = 'email_unverified' AND NOT email_verified)
        OR ($7 = 'consents' AND consents)
        OR ($7 = 'no_consent' AND NOT consents))
   AND ($8::text IS NULL OR display_name ILIKE '%' || $8 || '%' ESCAPE '\\')
"""


def like_escaped(text: str) -> str:
    """``text`` matched literally by LIKE (its wildcards and the escape character escaped)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@lru_cache(maxsize=16)
def zones_in_band(band: str, week_of: date) -> tuple[str, ...]:
    """Every IANA timezone whose offset in the week of ``week_of`` falls in ``band`` (the
    bands of a round's fairness table, taken the way a round of that week takes them)."""
    return tuple(
        sorted(
            zone
            for zone in zoneinfo.available_timezones()
            if timezone_band(offset_hours(zone, week_of)) == band
        )
    )


def _roles(is_mentee: bool, is_mentor: bool) -> list[Role]:
    roles: list[Role] = []
    if is_mentee:
        roles.append("mentee")
    if is_mentor:
        roles.append("mentor")
    return roles


async def member_rows(
    conn: Conn, programme_id: UUID, filters: MemberFilter, limit: int, offset: int, week_of: date
) -> tuple[list[dict[str, Any]], int]:
    """A page of signed-up members the filters keep (no contact details) and how many they
    keep in all."""
    zones = list(zones_in_band(filters.band, week_of)) if filters.band else None
    args = (
        programme_id,
        list(OPEN),
        filters.role,
        filters.matched,
        filters.country,
        zones,
        filters.status,
        like_escaped(filters.q) if filters.q else None,
    )
    rows = await conn.fetch(
        _MEMBERS + " ORDER BY joined_at, id LIMIT $9 OFFSET $10", *args, limit, offset
    )
    total: int = await conn.fetchval(
        "SELECT count(*) FROM (" + _MEMBERS + ") f",  # noqa: S608 - constant SQL fragments
        *args,
    )
    return [dict(r) for r in rows], total


async def members(
    conn: Conn, programme_id: UUID, filters: MemberFilter, limit: int, offset: int
) -> MemberList:
    """A page of the programme's members that the filters keep (for its organisers)."""
    week_of = now_week()
    rows, total = await member_rows(conn, programme_id, filters, limit, offset, week_of)
    return MemberList(
        members=[
            MemberOut(
                id=r["id"],
                display_name=r["display_name"],
                roles=_roles(r["is_mentee"], r["is_mentor"]),
                country=r["country"],
                timezone=r["timezone"],
                timezone_band=timezone_band(offset_hours(r["timezone"], week_of)),
                joined_at=r["joined_at"],
                matched=r["matched"],
                email_verified=r["email_verified"],
                consents=r["consents"],
            )
            for r in rows
        ],
        total=total,
        limit=limit,
        offset=offset,
    )
