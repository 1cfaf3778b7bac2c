"""CSV exports of a round's matches and of a programme's introductions (outcomes).

Each export is checked first (404 no such round or programme, 409 a round not finished), in the
caller's transaction; its rows are then read through a cursor while the file streams
(:func:`service.kit.csv.csv_response`), so memory stays flat for any size. Every cell is
neutralised against spreadsheet formulas by the kit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID

from matching.profiles import DEFAULT_WEIGHTS
from service.errors import Conflict, NotFound
from service.kit.csv import CsvExport, Row, file_name
from service.kit.db import Conn
from service.rounds import repository as repo
from service.rounds import review_repository as review
from service.rounds.compare import DONE

#: Score components, one column each (the matching engine's, in its order).
COMPONENTS = tuple(DEFAULT_WEIGHTS)
#: Between the reasons of one side, in one cell.
SEPARATOR = "; "

MATCH_HEADER: tuple[str, ...] = (
    "status",
    "mentee_id",
    "mentee",
    "mentor_id",
    "mentor",
    "score",
    *(f"component_{name}" for name in COMPONENTS),
    "reasons_for_mentee",
    "reasons_for_mentor",
    "pinned",
    "unmatched_code",
    "unmatched_reason",
)

OUTCOME_HEADER: tuple[str, ...] = (
    "introduction_id",
    "round_id",
    "round_published_at",
    "source",
    "mentee",
    "mentor",
    "status",
    "introduced_at",
    "mentee_answer",
    "mentee_answered_at",
    "mentor_answer",
    "mentor_answered_at",
    "accepted_at",
    "closed_at",
    "mentee_rating",
    "mentee_still_meeting",
    "mentee_comment",
    "mentor_rating",
    "mentor_still_meeting",
    "mentor_comment",
)


async def match_rows(conn: Conn, round_id: UUID) -> AsyncIterator[Row]:
    """The matches.csv rows of a round: each pair, then each unmatched mentee with why."""
    async for r in review.match_export(conn, round_id):
        components = r["components"] or {}
        yield (
            r["status"],
            r["mentee_id"],
            r["mentee_name"],
            r["mentor_id"],
            r["mentor_name"],
            r["score"],
            *(components.get(name) for name in COMPONENTS),
            SEPARATOR.join(r["reasons"] or []),
            SEPARATOR.join(r["reasons_for_mentor"] or []),
            r["pinned"],
            r["code"],
            r["reason"],
        )


async def outcome_rows(conn: Conn, programme_id: UUID) -> AsyncIterator[Row]:
    """The outcomes.csv rows of a programme: one per introduction."""
    async for r in review.introduction_export(conn, programme_id):
        yield tuple(r[name] for name in OUTCOME_HEADER)


async def matches_export(conn: Conn, round_id: UUID) -> CsvExport:
    """The matches.csv of a finished round (404 unknown, 409 not finished)."""
    row = await repo.get_round(conn, round_id)
    if row is None:
        raise NotFound("no such round")
    if row.status not in DONE:
        raise Conflict(
            f"this round is {row.status}: its matches can be exported once it has finished"
        )
    name = await review.programme_name(conn, row.programme_id)
    ran = row.started_at or row.created_at
    return CsvExport(
        filename=file_name("matches", name, ran.date(), str(row.id)[:8]),
        header=MATCH_HEADER,
        rows=lambda c: match_rows(c, round_id),
    )


async def outcomes_export(conn: Conn, programme_id: UUID) -> CsvExport:
    """The outcomes.csv of a programme (404 unknown)."""
    name = await review.programme_name(conn, programme_id)
    if name is None:
        raise NotFound("no such programme")
    return CsvExport(
        filename=file_name("outcomes", name, datetime.now(UTC).date()),
        header=OUTCOME_HEADER,
        rows=lambda c: outcome_rows(c, programme_id),
    )
