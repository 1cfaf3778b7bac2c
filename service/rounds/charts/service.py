"""A done round's charts, rendered once and stored; a programme's outcomes chart."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from uuid import UUID

from matching.metrics import RoundMetrics
from service.errors import Conflict
from service.kit.db import Conn
from service.rounds.charts import repository as repo
from service.rounds.charts.base import Chart, Figure
from service.rounds.charts.fairness import fairness_chart, fairness_gaps
from service.rounds.charts.render import render_all
from service.rounds.charts.specs import (
    BINS,
    RoundOutcomes,
    mentor_load,
    modes,
    outcomes,
    score_histogram,
)
from service.rounds.service import get_round, round_out

#: Statuses whose figures are final: the only ones with charts.
DONE = ("draft", "published")
NOT_DONE = {
    "queued": "This round has not started yet: its charts are drawn once it is done.",
    "running": "This round is still running: its charts are drawn once it is done.",
    "failed": "This round failed, so it has no figures to chart. Start a new round.",
}


def round_charts(
    metrics: RoundMetrics, alternative: RoundMetrics | None, score_counts: Sequence[int]
) -> list[Chart]:
    """Every chart of a done round, in reading order: scores, mentor load, fairness by each
    grouping that has groups, and the other mode's figures beside the round's."""
    charts = [score_histogram(score_counts, metrics.score), mentor_load(metrics.mentor_load)]
    for dimension, gaps in fairness_gaps(metrics).items():
        if gaps:
            charts.append(fairness_chart(dimension, gaps, metrics))
    if alternative is not None:
        charts.append(modes(metrics, alternative))
    return charts


async def round_figures(conn: Conn, round_id: UUID) -> list[Figure]:
    """The round's charts with their SVGs: rendered on first use and stored, read afterwards.

    Needs a transaction that may write (the first call stores the SVGs); 404 for no such
    round, 409 with why for a round that is not done.
    """
    row = await get_round(conn, round_id)
    report = round_out(row)
    if row.status not in DONE or report.metrics is None:
        raise Conflict(NOT_DONE.get(row.status, "This round has no figures to chart."))
    charts = round_charts(
        report.metrics, report.alternative, await repo.score_counts(conn, round_id, BINS)
    )
    svgs = await repo.stored_charts(conn, round_id)
    missing = [c for c in charts if c.name not in svgs]
    if missing:
        # Seconds of CPU at worst: in a thread, never on the event loop.
        rendered = await asyncio.to_thread(render_all, missing, f"round-{round_id.hex[:12]}")
        svgs.update(await repo.store_charts(conn, round_id, rendered))
    return [Figure.of(c, svgs[c.name]) for c in charts]


async def outcomes_figure(rounds: Sequence[RoundOutcomes]) -> Figure:
    """A programme's outcomes per published round, rendered (not stored: answers keep coming)."""
    chart = outcomes(rounds)
    svgs = await asyncio.to_thread(render_all, [chart], "programme")
    return Figure.of(chart, svgs[chart.name])
