"""Queries for reviewing rounds after the fact: comparing two, a programme's outcomes, and the
rows of CSV exports (read through cursors). No commits here: the caller owns the transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import asyncpg

from service.kit.db import Conn

#: Rows a cursor fetches per round trip while an export streams.
PREFETCH = 1000

# $1: the round compared, $2: the round it is compared with. Every mentee matched in either
# round, once: kept (same mentor), changed (another mentor), dropped (matched in $1 only),
# gained (matched in $2 only).
_DIFF = """
WITH d AS (
  SELECT COALESCE(a.mentee_id, b.mentee_id) AS mentee_id,
         a.mentor_id AS before_mentor_id, a.score AS before_score,
         b.mentor_id AS after_mentor_id, b.score AS after_score,
         CASE WHEN a.mentee_id IS NULL THEN 'gained'
              WHEN b.mentee_id IS NULL THEN 'dropped'
              WHEN a.mentor_id = b.mentor_id THEN 'kept'
              ELSE 'changed' END AS kind
    FROM (SELECT mentee_id, mentor_id, score FROM round_matches WHERE round_id = $1) a
    FULL OUTER JOIN
         (SELECT mentee_id, mentor_id, score FROM round_matches WHERE round_id = $2) b
      ON a.mentee_id = b.mentee_id)
"""


async def pair_counts(conn: Conn, before: UUID, after: UUID) -> dict[str, int]:
    """How many mentees are kept, changed, dropped and gained from round ``before`` to
    ``after``."""
    rows = await conn.fetch(
        _DIFF + "SELECT kind, count(*) AS n FROM d GROUP BY kind",  # noqa: S608 - constant SQL
        before,
        after,
    )
    return {r["kind"]: r["n"] for r in rows}


async def pair_changes(
    conn: Conn, before: UUID, after: UUID, limit: int, offset: int
) -> list[dict[str, Any]]:
    """A page (by mentee name) of each kind of change, with names; for a mentee without a
    mentor on one side, why (that round's unmatched reason, or why it did not enter them)."""
    rows = await conn.fetch(
        _DIFF  # noqa: S608 - constant SQL fragments
        + """, ranked AS (
  SELECT d.*, e.display_name AS mentee_name,
         row_number() OVER (PARTITION BY d.kind ORDER BY e.display_name, d.mentee_id) AS n
    FROM d JOIN people e ON e.id = d.mentee_id)
SELECT r.kind, r.mentee_id, r.mentee_name,
       r.before_mentor_id, ob.display_name AS before_mentor_name, r.before_score,
       r.after_mentor_id, oa.display_name AS after_mentor_name, r.after_score,
       COALESCE(u.code, x.code) AS code, COALESCE(u.reason, x.reason) AS reason
  FROM ranked r
  LEFT JOIN people ob ON ob.id = r.before_mentor_id
  LEFT JOIN people oa ON oa.id = r.after_mentor_id
  LEFT JOIN round_unmatched u
    ON r.kind IN ('dropped', 'gained') AND u.mentee_id = r.mentee_id
   AND u.round_id = CASE r.kind WHEN 'dropped' THEN $2::uuid ELSE $1::uuid END
  LEFT JOIN round_not_entered x
    ON r.kind IN ('dropped', 'gained') AND x.person_id = r.mentee_id AND x.role = 'mentee'
   AND x.round_id = CASE r.kind WHEN 'dropped' THEN $2::uuid ELSE $1::uuid END
 WHERE r.n > $4 AND r.n <= $4 + $3
 ORDER BY r.kind, r.n""",
        before,
        after,
        limit,
        offset,
    )
    return [dict(r) for r in rows]


async def match_export(conn: Conn, round_id: UUID) -> AsyncIterator[asyncpg.Record]:
    """A round's pairs (best score first), then its unmatched mentees (by name), as a cursor."""
    query = """
SELECT 'matched' AS status, rm.mentee_id, e.display_name AS mentee_name, rm.mentor_id,
       o.display_name AS mentor_name, rm.score, rm.components, rm.reasons,
       COALESCE(rm.reasons_for_mentor, '[]'::jsonb) AS reasons_for_mentor, rm.pinned,
       NULL::text AS code, NULL::text AS reason
  FROM round_matches rm
  JOIN people e ON e.id = rm.mentee_id
  JOIN people o ON o.id = rm.mentor_id
 WHERE rm.round_id = $1
UNION ALL
SELECT 'unmatched', u.mentee_id, e.display_name, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       u.code, u.reason
  FROM round_unmatched u JOIN people e ON e.id = u.mentee_id
 WHERE u.round_id = $1
 ORDER BY status, score DESC NULLS LAST, mentee_name, mentee_id"""
    async for row in conn.cursor(query, round_id, prefetch=PREFETCH):
        yield row


async def introduction_export(conn: Conn, programme_id: UUID) -> AsyncIterator[asyncpg.Record]:
    """Every introduction of a programme (oldest first) with both answers and both sides'
    feedback, as a cursor; names only, never contact details."""
    query = """
SELECT m.id AS introduction_id, m.round_id, r.published_at AS round_published_at, m.source,
       e.display_name AS mentee, o.display_name AS mentor, m.status,
       COALESCE(m.introduced_at, m.created_at) AS introduced_at,
       m.mentee_answer, m.mentee_answered_at, m.mentor_answer, m.mentor_answered_at,
       m.accepted_at, m.closed_at,
       fe.rating AS mentee_rating, fe.still_meeting AS mentee_still_meeting,
       fe.comment AS mentee_comment,
       fo.rating AS mentor_rating, fo.still_meeting AS mentor_still_meeting,
       fo.comment AS mentor_comment
  FROM mentorships m
  JOIN people e ON e.id = m.mentee_id
  JOIN people o ON o.id = m.mentor_id
  LEFT JOIN rounds r ON r.id = m.round_id
  LEFT JOIN introduction_feedback fe ON fe.mentorship_id = m.id AND fe.person_id = m.mentee_id
  LEFT JOIN introduction_feedback fo ON fo.mentorship_id = m.id AND fo.person_id = m.mentor_id
 WHERE m.programme_id = $1
 ORDER BY COALESCE(m.introduced_at, m.created_at), m.id"""
    async for row in conn.cursor(query, programme_id, prefetch=PREFETCH):
        yield row


async def programme_name(conn: Conn, programme_id: UUID) -> str | None:
    """A programme's name, or None when there is no such programme."""
    name: str | None = await conn.fetchval(
        "SELECT name FROM programmes WHERE id = $1", programme_id
    )
    return name


async def published_rounds(conn: Conn, programme_id: UUID) -> list[dict[str, Any]]:
    """The programme's published rounds, oldest first (id, when it was published)."""
    rows = await conn.fetch(
        "SELECT id, published_at FROM rounds WHERE programme_id = $1 AND status = 'published'"
        " ORDER BY published_at, id",
        programme_id,
    )
    return [dict(r) for r in rows]


# Per round (``whole`` false) and for the whole programme (``whole`` true), in one pass.
_GROUPED = " GROUP BY GROUPING SETS ((m.round_id), ())"
_WHOLE = "GROUPING(m.round_id) = 1 AS whole, m.round_id"


async def introduction_counts(conn: Conn, programme_id: UUID) -> list[dict[str, Any]]:
    """Introductions by status, per round and for the whole programme."""
    rows = await conn.fetch(
        f"""SELECT {_WHOLE}, count(*) AS introductions,
                  count(*) FILTER (WHERE m.status = 'pending') AS pending,
                  count(*) FILTER (WHERE m.status = 'active') AS accepted,
                  count(*) FILTER (WHERE m.status = 'declined') AS declined,
                  count(*) FILTER (WHERE m.status = 'expired') AS expired,
                  count(*) FILTER (WHERE m.status = 'ended') AS ended,
                  count(*) FILTER (WHERE m.accepted_at IS NOT NULL) AS both_accepted
             FROM mentorships m WHERE m.programme_id = $1"""  # noqa: S608 - constant fragments
        + _GROUPED,
        programme_id,
    )
    return [dict(r) for r in rows]


async def answer_days(conn: Conn, programme_id: UUID) -> list[dict[str, Any]]:
    """Median days from introduction to each answer (both sides, and per side), per round and
    for the whole programme."""
    rows = await conn.fetch(
        f"""SELECT {_WHOLE}, count(*) AS answers,
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY a.days) AS median,
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY a.days)
                    FILTER (WHERE a.side = 'mentee') AS mentee_median,
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY a.days)
                    FILTER (WHERE a.side = 'mentor') AS mentor_median
             FROM mentorships m
             CROSS JOIN LATERAL (
                   VALUES ('mentee', m.mentee_answered_at), ('mentor', m.mentor_answered_at)
                   ) AS ans(side, at)
             CROSS JOIN LATERAL (
                   SELECT ans.side, (extract(epoch FROM ans.at
                          - COALESCE(m.introduced_at, m.created_at)) / 86400)::float8 AS days) a
            WHERE m.programme_id = $1 AND ans.at IS NOT NULL"""  # noqa: S608 - constant fragments
        + _GROUPED,
        programme_id,
    )
    return [dict(r) for r in rows]


async def feedback_figures(conn: Conn, programme_id: UUID) -> list[dict[str, Any]]:
    """Survey answers: how many, mean rating, how many of each rating and still meeting, per
    round and for the whole programme."""
    rows = await conn.fetch(
        f"""SELECT {_WHOLE}, count(*) AS count, avg(f.rating)::float AS mean_rating,
                  count(*) FILTER (WHERE f.rating = 1) AS r1,
                  count(*) FILTER (WHERE f.rating = 2) AS r2,
                  count(*) FILTER (WHERE f.rating = 3) AS r3,
                  count(*) FILTER (WHERE f.rating = 4) AS r4,
                  count(*) FILTER (WHERE f.rating = 5) AS r5,
                  count(*) FILTER (WHERE f.still_meeting) AS still_meeting
             FROM mentorships m JOIN introduction_feedback f ON f.mentorship_id = m.id
            WHERE m.programme_id = $1"""  # noqa: S608 - constant fragments
        + _GROUPED,
        programme_id,
    )
    return [dict(r) for r in rows]
