"""Round queries. No commits here: the caller (handler or job) owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from service.kit.db import OPEN, Conn


@dataclass(frozen=True)
class MatchRow:
    """A proposed pair to store, with each side's reasons."""

    mentee_id: UUID
    mentor_id: UUID
    score: float
    components: dict[str, float]
    reasons: list[str]
    reasons_for_mentor: list[str]
    pinned: bool


@dataclass(frozen=True)
class UnmatchedRow:
    """A mentee left without a mentor: the binding reason's code, in words, and its details."""

    mentee_id: UUID
    code: str
    reason: str
    details: dict[str, Any]


@dataclass(frozen=True)
class NotEnteredRow:
    """A programme member a round did not enter, in one role: why (code), the reason as they
    read it, and details for organisers."""

    person_id: UUID
    role: str
    code: str
    reason: str
    details: dict[str, Any]


LOCK_NAMESPACE = 7212604  # pg_advisory_lock(namespace, hashtext(programme id))


@dataclass(frozen=True)
class RoundRow:
    """A round as stored."""

    id: UUID
    programme_id: UUID
    status: str
    settings: dict[str, Any]
    progress: float
    message: str
    metrics: dict[str, Any] | None
    alternative: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    published_at: datetime | None


_ROUND = (
    "SELECT id, programme_id, status, settings, progress, message, metrics, alternative,"
    " created_at, started_at, finished_at, published_at FROM rounds"
)


async def insert_round(
    conn: Conn, programme_id: UUID, settings: dict[str, Any], created_by: UUID | None
) -> UUID:
    """Queue a round; raises asyncpg.UniqueViolationError if one is queued or running."""
    rid: UUID = await conn.fetchval(
        "INSERT INTO rounds (programme_id, settings, created_by) VALUES ($1, $2, $3) RETURNING id",
        programme_id,
        settings,
        created_by,
    )
    return rid


async def get_round(conn: Conn, round_id: UUID, *, for_update: bool = False) -> RoundRow | None:
    """One round, or None."""
    row = await conn.fetchrow(
        _ROUND + " WHERE id = $1" + (" FOR UPDATE" if for_update else ""), round_id
    )
    return None if row is None else RoundRow(**dict(row))


async def list_rounds(
    conn: Conn, programme_id: UUID, limit: int, offset: int
) -> tuple[list[RoundRow], int]:
    """A page of a programme's rounds, newest first, and how many it has in all."""
    rows = await conn.fetch(
        _ROUND + " WHERE programme_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
        programme_id,
        limit,
        offset,
    )
    total: int = await conn.fetchval(
        "SELECT count(*) FROM rounds WHERE programme_id = $1", programme_id
    )
    return [RoundRow(**dict(r)) for r in rows], total


async def last_rounds(conn: Conn, programme_ids: list[UUID]) -> dict[UUID, RoundRow]:
    """The newest round of each of the programmes that has one."""
    rows = await conn.fetch(
        "SELECT DISTINCT ON (programme_id) id, programme_id, status, settings, progress,"
        " message, metrics, alternative, created_at, started_at, finished_at, published_at"
        " FROM rounds WHERE programme_id = ANY($1::uuid[])"
        " ORDER BY programme_id, created_at DESC, id DESC",
        programme_ids,
    )
    return {r["programme_id"]: RoundRow(**dict(r)) for r in rows}


async def programme_of_round(conn: Conn, round_id: UUID) -> UUID | None:
    """The programme a round belongs to, or None when there is no such round."""
    found: UUID | None = await conn.fetchval(
        "SELECT programme_id FROM rounds WHERE id = $1", round_id
    )
    return found


async def claim_round(conn: Conn, round_id: UUID) -> RoundRow | None:
    """Mark a queued (or interrupted running) round as running; None if it is past that."""
    row = await conn.fetchrow(
        "UPDATE rounds SET status = 'running', started_at = now(), progress = 0.01,"
        " message = 'loading participants'"
        " WHERE id = $1 AND status IN ('queued', 'running')"
        " RETURNING id, programme_id, status, settings, progress, message, metrics, alternative,"
        " created_at, started_at, finished_at, published_at",
        round_id,
    )
    return None if row is None else RoundRow(**dict(row))


async def set_progress(conn: Conn, round_id: UUID, progress: float, message: str) -> None:
    """Record how far a running round is."""
    await conn.execute(
        "UPDATE rounds SET progress = $2, message = $3 WHERE id = $1 AND status = 'running'",
        round_id,
        max(0.0, min(1.0, progress)),
        message[:300],
    )


async def fail_round(conn: Conn, round_id: UUID, message: str) -> None:
    """Mark a round failed with the reason."""
    await conn.execute(
        "UPDATE rounds SET status = 'failed', message = $2, finished_at = now() WHERE id = $1",
        round_id,
        message[:1000],
    )


async def store_result(
    conn: Conn,
    round_id: UUID,
    matches: list[MatchRow],
    unmatched: list[UnmatchedRow],
    not_entered: list[NotEnteredRow],
    metrics: dict[str, Any],
    alternative: dict[str, Any],
) -> None:
    """Replace the round's matches, unmatched and not entered members and make it a draft
    (idempotent: a job run again stores the same rows once)."""
    for table in ("round_matches", "round_unmatched", "round_not_entered"):
        await conn.execute(f"DELETE FROM {table} WHERE round_id = $1", round_id)  # noqa: S608 - fixed names
    # executemany, not COPY: the jsonb columns use a text codec, which COPY's binary format lacks.
    await conn.executemany(
        "INSERT INTO round_matches"
        " (round_id, mentee_id, mentor_id, score, components, reasons, reasons_for_mentor,"
        " pinned) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [
            (
                round_id,
                m.mentee_id,
                m.mentor_id,
                m.score,
                m.components,
                m.reasons,
                m.reasons_for_mentor,
                m.pinned,
            )
            for m in matches
        ],
    )
    await conn.executemany(
        "INSERT INTO round_unmatched (round_id, mentee_id, code, reason, details)"
        " VALUES ($1, $2, $3, $4, $5)",
        [(round_id, u.mentee_id, u.code, u.reason, u.details) for u in unmatched],
    )
    await conn.executemany(
        "INSERT INTO round_not_entered (round_id, person_id, role, code, reason, details)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        [(round_id, x.person_id, x.role, x.code, x.reason, x.details) for x in not_entered],
    )
    await conn.execute(
        "UPDATE rounds SET status = 'draft', progress = 1, message = 'ready for review',"
        " metrics = $2, alternative = $3, finished_at = now() WHERE id = $1",
        round_id,
        metrics,
        alternative,
    )


async def member_has_role(conn: Conn, programme_id: UUID, person_id: UUID, role: str) -> bool:
    """True if the person is a member of the programme with ``role`` ("mentee" or "mentor")."""
    column = {"mentee": "is_mentee", "mentor": "is_mentor"}[role]
    found = await conn.fetchval(
        f"SELECT p.{column} FROM programme_members m JOIN people p ON p.id = m.person_id"  # noqa: S608 - column from a fixed map
        " WHERE m.programme_id = $1 AND m.person_id = $2",
        programme_id,
        person_id,
    )
    return bool(found)


async def try_lock_programme(conn: Conn, programme_id: UUID) -> bool:
    """Take the session advisory lock that lets one round of a programme run at a time."""
    locked: bool = await conn.fetchval(
        "SELECT pg_try_advisory_lock($1, hashtext($2))", LOCK_NAMESPACE, str(programme_id)
    )
    return locked


async def unlock_programme(conn: Conn, programme_id: UUID) -> None:
    """Release :func:`try_lock_programme`'s lock."""
    await conn.execute(
        "SELECT pg_advisory_unlock($1, hashtext($2))", LOCK_NAMESPACE, str(programme_id)
    )


async def upsert_override(
    conn: Conn, programme_id: UUID, mentee_id: UUID, mentor_id: UUID, kind: str, by: UUID
) -> None:
    """Pin or forbid a pair for the programme's later rounds (replacing an earlier choice)."""
    await conn.execute(
        """INSERT INTO programme_overrides (programme_id, mentee_id, mentor_id, kind, created_by)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (programme_id, mentee_id, mentor_id)
           DO UPDATE SET kind = EXCLUDED.kind, created_by = EXCLUDED.created_by,
                         created_at = now()""",
        programme_id,
        mentee_id,
        mentor_id,
        kind,
        by,
    )


async def list_matches(
    conn: Conn, round_id: UUID, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of a round's matches with both names, best score first."""
    rows = await conn.fetch(
        """SELECT rm.mentee_id, e.display_name AS mentee_name, rm.mentor_id,
                  o.display_name AS mentor_name, rm.score, rm.components, rm.reasons,
                  COALESCE(rm.reasons_for_mentor, '[]'::jsonb) AS reasons_for_mentor, rm.pinned
             FROM round_matches rm
             JOIN people e ON e.id = rm.mentee_id
             JOIN people o ON o.id = rm.mentor_id
            WHERE rm.round_id = $1
            ORDER BY rm.score DESC, rm.mentee_id
            LIMIT $2 OFFSET $3""",
        round_id,
        limit,
        offset,
    )
    total: int = await conn.fetchval(
        "SELECT count(*) FROM round_matches WHERE round_id = $1", round_id
    )
    return [dict(r) for r in rows], total


async def list_unmatched(
    conn: Conn, round_id: UUID, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of a round's unmatched mentees with the reason."""
    rows = await conn.fetch(
        """SELECT u.mentee_id, e.display_name AS mentee_name, u.code, u.reason, u.details
             FROM round_unmatched u JOIN people e ON e.id = u.mentee_id
            WHERE u.round_id = $1 ORDER BY e.display_name, u.mentee_id LIMIT $2 OFFSET $3""",
        round_id,
        limit,
        offset,
    )
    total: int = await conn.fetchval(
        "SELECT count(*) FROM round_unmatched WHERE round_id = $1", round_id
    )
    return [dict(r) for r in rows], total


async def list_not_entered(
    conn: Conn, round_id: UUID, role: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of the members a round did not enter (of one role, or both), with why."""
    rows = await conn.fetch(
        """SELECT n.person_id, p.display_name AS name, n.role, n.code, n.reason, n.details
             FROM round_not_entered n JOIN people p ON p.id = n.person_id
            WHERE n.round_id = $1 AND ($2::text IS NULL OR n.role = $2)
            ORDER BY n.role, n.code, p.display_name, n.person_id LIMIT $3 OFFSET $4""",
        round_id,
        role,
        limit,
        offset,
    )
    total: int = await conn.fetchval(
        "SELECT count(*) FROM round_not_entered WHERE round_id = $1"
        " AND ($2::text IS NULL OR role = $2)",
        round_id,
        role,
    )
    return [dict(r) for r in rows], total


async def round_pairs(conn: Conn, round_id: UUID) -> list[tuple[UUID, UUID, float]]:
    """(mentee, mentor, score) of every match of a round, best first."""
    rows = await conn.fetch(
        "SELECT mentee_id, mentor_id, score FROM round_matches WHERE round_id = $1"
        " ORDER BY score DESC, mentee_id",
        round_id,
    )
    return [(r["mentee_id"], r["mentor_id"], r["score"]) for r in rows]


async def lock_mentors(conn: Conn, mentor_ids: list[UUID], *, lock: bool = True) -> dict[UUID, int]:
    """Lock mentors' rows in id order (no deadlock between publishers); their places left.
    With ``lock`` False, only read them (what publishing would find now)."""
    locking = " FOR NO KEY UPDATE" if lock else ""
    rows = await conn.fetch(
        """SELECT p.id, p.mentor_capacity - (SELECT count(*) FROM mentorships ms
                                            WHERE ms.mentor_id = p.id
                                              AND ms.status = ANY($2::text[])) AS places
             FROM people p WHERE p.id = ANY($1::uuid[]) ORDER BY p.id"""  # noqa: S608 - constant
        + locking,
        mentor_ids,
        list(OPEN),
    )
    return {r["id"]: int(r["places"] or 0) for r in rows}


async def open_mentees(conn: Conn, programme_id: UUID, mentee_ids: list[UUID]) -> set[UUID]:
    """Which of these mentees already have a pending or active mentorship in the programme."""
    rows = await conn.fetch(
        "SELECT mentee_id FROM mentorships WHERE programme_id = $1 AND mentee_id = ANY($2::uuid[])"
        " AND status = ANY($3::text[])",
        programme_id,
        mentee_ids,
        list(OPEN),
    )
    return {r["mentee_id"] for r in rows}


async def insert_round_mentorships(
    conn: Conn, programme_id: UUID, round_id: UUID, pairs: list[tuple[UUID, UUID]]
) -> list[UUID]:
    """Create pending mentorships for published pairs, introduced now; their ids.

    Publishing queues their introductions in the same transaction, so ``introduced_at`` is set
    here rather than by a second write of every row (``now()`` is the transaction's time).
    """
    rows = await conn.fetch(
        "INSERT INTO mentorships"
        " (programme_id, mentee_id, mentor_id, source, status, round_id, introduced_at)"
        " SELECT $1, pair.mentee, pair.mentor, 'round', 'pending', $2, now()"
        " FROM unnest($3::uuid[], $4::uuid[]) AS pair(mentee, mentor) RETURNING id",
        programme_id,
        round_id,
        [e for e, _ in pairs],
        [o for _, o in pairs],
    )
    return [r["id"] for r in rows]


async def lock_programme_publishing(conn: Conn, programme_id: UUID) -> None:
    """Serialise publishing within a programme (the programme's row, until the commit).

    FOR NO KEY UPDATE: rounds and mentorships being inserted (FOR KEY SHARE) do not wait.
    """
    await conn.execute("SELECT 1 FROM programmes WHERE id = $1 FOR NO KEY UPDATE", programme_id)


async def published_since(
    conn: Conn, programme_id: UUID, round_id: UUID, since: datetime
) -> tuple[UUID, datetime] | None:
    """The last other round of the programme published after ``since`` (id and when), if any."""
    row = await conn.fetchrow(
        "SELECT id, published_at FROM rounds WHERE programme_id = $1 AND id <> $2"
        " AND published_at > $3 ORDER BY published_at DESC LIMIT 1",
        programme_id,
        round_id,
        since,
    )
    return None if row is None else (row["id"], row["published_at"])


async def mark_published(conn: Conn, round_id: UUID) -> None:
    """Mark a round published, timed at this statement (just before the commit), not at the
    transaction's start: a round that starts while the publish is under way counts it as after.
    """
    await conn.execute(
        "UPDATE rounds SET status = 'published', published_at = clock_timestamp() WHERE id = $1",
        round_id,
    )


async def introduced_count(conn: Conn, round_id: UUID) -> int:
    """How many mentorships publishing the round made."""
    found: int = await conn.fetchval(
        "SELECT count(*) FROM mentorships WHERE round_id = $1", round_id
    )
    return found
