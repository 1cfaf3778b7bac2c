"""Chart queries: a round's stored SVGs and its score histogram. No commits here."""

from __future__ import annotations

from uuid import UUID

from service.kit.db import Conn


async def stored_charts(conn: Conn, round_id: UUID) -> dict[str, str]:
    """The round's rendered charts by name."""
    rows = await conn.fetch("SELECT name, svg FROM round_charts WHERE round_id = $1", round_id)
    return {r["name"]: r["svg"] for r in rows}


async def store_charts(conn: Conn, round_id: UUID, svgs: dict[str, str]) -> dict[str, str]:
    """Store charts not stored yet; what is stored under those names (another request's
    rendering when it stored first: the same figures)."""
    rows = await conn.fetch(
        "INSERT INTO round_charts (round_id, name, svg)"
        " SELECT $1, chart.name, chart.svg FROM unnest($2::text[], $3::text[]) AS chart(name, svg)"
        # A no-op update, so RETURNING gives the row that was there first.
        " ON CONFLICT (round_id, name) DO UPDATE SET svg = round_charts.svg RETURNING name, svg",
        round_id,
        list(svgs),
        list(svgs.values()),
    )
    return {r["name"]: r["svg"] for r in rows}


async def score_counts(conn: Conn, round_id: UUID, bins: int) -> list[int]:
    """How many of the round's pairs score in each of ``bins`` equal bins of [0, 1] (a score
    of exactly 1 in the last)."""
    rows = await conn.fetch(
        "SELECT least(greatest(width_bucket(score, 0, 1, $2), 1), $2) AS bin, count(*) AS n"
        " FROM round_matches WHERE round_id = $1 GROUP BY 1",
        round_id,
        bins,
    )
    counts = [0] * bins
    for r in rows:
        counts[r["bin"] - 1] = r["n"]
    return counts
