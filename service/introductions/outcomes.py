"""Where a person stands after their programmes' last rounds, for My matches: queries (no
commits) and what is left for them to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from service.kit.db import Conn


@dataclass(frozen=True)
class RoundOutcome:
    """A published round that left the person without a match, and why."""

    programme: str
    #: The day the round ran (the people it took were those waiting then).
    ran_on: date
    role: str
    #: False when the round did not take the person in at all.
    entered: bool
    code: str
    #: As the person reads it: why, what happens next and what they can do.
    reason: str
    #: What the person can still change, as codes the page links to the fix for: the causes
    #: that kept them out and still hold, or what would widen an unmatched mentee's choice.
    to_fix: list[str]
    #: Every cause that kept them out is one they have fixed since.
    fixed_since: bool


#: Causes of not being entered that a person fixes on their profile (the rest are not theirs
#: to fix: a mentor already, places taken, the round's size).
FIXABLE = ("no_consent", "email_not_verified", "no_availability")
#: Unmatched codes a change of profile may help with.
WIDENS = ("no_shared_language", "no_availability_overlap")


async def last_round_outcomes(conn: Conn, person_id: UUID) -> list[RoundOutcome]:
    """For each programme of the person, its last published round if it did not match them."""
    rows = await conn.fetch(
        """WITH latest AS (
             SELECT DISTINCT ON (r.programme_id) r.id, r.programme_id,
                    COALESCE(r.started_at, r.created_at) AS ran_at
               FROM rounds r JOIN programme_members m
                 ON m.programme_id = r.programme_id AND m.person_id = $1
              WHERE r.status = 'published'
              ORDER BY r.programme_id, r.published_at DESC, r.id),
           outcome AS (
             SELECT round_id, 'mentee' AS role, true AS entered, code, reason,
                    '[]'::jsonb AS causes
               FROM round_unmatched WHERE mentee_id = $1
             UNION ALL
             SELECT round_id, role, false, code, reason, COALESCE(details->'causes', '[]')
               FROM round_not_entered WHERE person_id = $1)
           SELECT g.name AS programme, l.ran_at, o.role, o.entered, o.code, o.reason, o.causes
             FROM latest l JOIN programmes g ON g.id = l.programme_id
             JOIN outcome o ON o.round_id = l.id
            ORDER BY l.ran_at DESC, g.name, o.role""",
        person_id,
    )
    if not rows:
        return []
    now = await conn.fetchrow(
        "SELECT NOT consent_to_match AS no_consent,"
        " email_verified_at IS NULL AS email_not_verified,"
        " NOT EXISTS (SELECT 1 FROM availability_windows w WHERE w.person_id = $1)"
        "   AS no_availability"
        " FROM people WHERE id = $1",
        person_id,
    )
    out = []
    for r in rows:
        causes = [str(c) for c in r["causes"] if c in FIXABLE]
        still = [c for c in causes if now is not None and now[c]]
        out.append(
            RoundOutcome(
                programme=r["programme"],
                ran_on=r["ran_at"].date(),
                role=r["role"],
                entered=r["entered"],
                code=r["code"],
                reason=r["reason"],
                to_fix=still + ([r["code"]] if r["code"] in WIDENS else []),
                fixed_since=bool(causes) and not still,
            )
        )
    return out
