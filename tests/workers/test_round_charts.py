"""A done round's charts: rendered from its stored figures once, stored, then read back."""

from __future__ import annotations

import uuid

import pytest

from service.errors import Conflict, NotFound
from service.kit.db import transaction
from service.rounds.charts.service import round_figures
from tests.workers.test_introductions import _published_round
from tests.workers.test_rounds import _organiser, _programme, _start_and_run

ROUND_CHARTS = [
    "scores",
    "mentor-load",
    "fairness-country",
    "fairness-timezone-band",
    "fairness-experience-band",
    "modes",
]


async def _figures(pool, round_id):
    async with transaction(pool) as conn:
        return await round_figures(conn, uuid.UUID(str(round_id)))


async def _stored(pool, round_id) -> dict[str, tuple]:
    rows = await pool.fetch(
        "SELECT name, svg, created_at FROM round_charts WHERE round_id = $1", round_id
    )
    return {r["name"]: (r["svg"], r["created_at"]) for r in rows}


async def test_a_published_round_renders_its_charts_once_then_reads_them(
    client, app, pool, settings
):
    rnd, _ = await _published_round(client, app, pool, settings)
    assert await pool.fetchval("SELECT status FROM rounds WHERE id = $1", rnd["id"]) == "published"
    assert await _stored(pool, rnd["id"]) == {}

    figures = await _figures(pool, rnd["id"])
    assert [f.name for f in figures] == ROUND_CHARTS
    stored = await _stored(pool, rnd["id"])
    assert sorted(stored) == sorted(ROUND_CHARTS)
    assert {f.name: str(f.svg) for f in figures} == {k: v[0] for k, v in stored.items()}
    assert all(str(f.svg).startswith('<svg role="img" aria-label=') for f in figures)
    # The histogram's table counts the stored pairs.
    pairs = await pool.fetchval("SELECT count(*) FROM round_matches WHERE round_id = $1", rnd["id"])
    assert sum(int(r.cells[1]) for r in figures[0].rows) == pairs == rnd["metrics"]["matched"]

    # Later calls read what was stored: mark it, and the mark comes back, nothing re-rendered.
    await pool.execute(
        "UPDATE round_charts SET svg = svg || '<!-- stored -->' WHERE round_id = $1", rnd["id"]
    )
    again = await _figures(pool, rnd["id"])
    assert [f.name for f in again] == ROUND_CHARTS
    assert all(str(f.svg).endswith("<!-- stored -->") for f in again)
    after = await _stored(pool, rnd["id"])
    assert len(after) == len(ROUND_CHARTS)
    assert {k: v[1] for k, v in after.items()} == {k: v[1] for k, v in stored.items()}
    # The same numbers beside them.
    assert [f.rows for f in again] == [f.rows for f in figures]


async def test_a_round_that_is_not_done_has_no_charts(client, pool, settings):
    await _organiser(client, pool)
    pid = await _programme(client, pool, members="false")
    r = await client.post(f"/api/v1/programmes/{pid}/rounds", json={})
    rid = r.json()["id"]
    for status, words in (
        ("queued", "has not started yet"),
        ("running", "is still running"),
        ("failed", "failed, so it has no figures to chart"),
    ):
        await pool.execute("UPDATE rounds SET status = $2 WHERE id = $1", rid, status)
        with pytest.raises(Conflict, match=words):
            await _figures(pool, rid)
    with pytest.raises(NotFound):
        await _figures(pool, uuid.uuid4())
    assert await pool.fetchval("SELECT count(*) FROM round_charts") == 0


async def test_a_round_with_nobody_to_match_still_has_its_charts(client, pool, settings):
    await _organiser(client, pool)
    pid = await _programme(client, pool, members="false")
    rnd = await _start_and_run(client, settings, pid)
    assert rnd["status"] == "draft" and rnd["metrics"]["mentees"] == 0
    figures = await _figures(pool, rnd["id"])
    # No groups to compare: no fairness charts; the rest say there is nothing yet.
    assert [f.name for f in figures] == ["scores", "mentor-load", "modes"]
    assert figures[0].caption.startswith("0 proposed pairs")
    assert await pool.fetchval("SELECT count(*) FROM round_charts") == 3
