"""A programme's outcomes: where its introductions stand, how fast people answered and what
they said in the survey, per published round (oldest first) and for the whole programme."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from service.kit.db import Conn
from service.programmes import roles
from service.rounds import review_repository as review
from service.rounds.review_schemas import (
    FeedbackFigures,
    OutcomeFigures,
    ProgrammeOutcomes,
    RoundOutcomes,
)

_COUNTS = ("introductions", "pending", "accepted", "declined", "expired", "ended", "both_accepted")


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def figures(
    counts: dict[str, Any], days: dict[str, Any], feedback: dict[str, Any]
) -> OutcomeFigures:
    """One set of figures from a row of each query (empty dicts where there was nothing)."""
    given = int(feedback.get("count", 0))
    still = int(feedback.get("still_meeting", 0))
    mean = feedback.get("mean_rating")
    return OutcomeFigures(
        **{name: int(counts.get(name, 0)) for name in _COUNTS},
        answers=int(days.get("answers", 0)),
        median_days_to_answer=_days(days.get("median")),
        median_days_to_answer_mentee=_days(days.get("mentee_median")),
        median_days_to_answer_mentor=_days(days.get("mentor_median")),
        feedback=FeedbackFigures(
            count=given,
            mean_rating=None if mean is None else round(mean, 2),
            ratings={str(r): int(feedback.get(f"r{r}", 0)) for r in range(1, 6)},
            still_meeting=still,
            still_meeting_rate=round(still / given, 4) if given else None,
        ),
    )


async def programme_outcomes(conn: Conn, programme_id: UUID) -> ProgrammeOutcomes:
    """The programme's outcomes per published round and in all (404 for no such programme)."""
    await roles.require_programme(conn, programme_id)

    def by_round(rows: list[dict[str, Any]]) -> tuple[dict[UUID, dict[str, Any]], dict[str, Any]]:
        rounds = {r["round_id"]: r for r in rows if not r["whole"] and r["round_id"]}
        whole = next((r for r in rows if r["whole"]), {})
        return rounds, whole

    counts, all_counts = by_round(await review.introduction_counts(conn, programme_id))
    days, all_days = by_round(await review.answer_days(conn, programme_id))
    feedback, all_feedback = by_round(await review.feedback_figures(conn, programme_id))
    rounds = [
        RoundOutcomes(
            round_id=r["id"],
            published_at=r["published_at"],
            **figures(
                counts.get(r["id"], {}), days.get(r["id"], {}), feedback.get(r["id"], {})
            ).model_dump(),
        )
        for r in await review.published_rounds(conn, programme_id)
    ]
    return ProgrammeOutcomes(
        programme_id=programme_id,
        rounds=rounds,
        programme=figures(all_counts, all_days, all_feedback),
    )
