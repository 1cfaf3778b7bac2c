"""`kickoff match --programme ID` runs a round on real PostgreSQL and prints its metrics."""

from __future__ import annotations

from kickoff.cli import main
from service.demo.seed import seed_demo
from service.security import Passwords
from service.taxonomy.repository import load_taxonomy


async def _programme_with_demo_members(pool) -> str:
    await seed_demo(pool, await load_taxonomy(pool), Passwords(1024, 1), mentees=40, mentors=12)
    pid = await pool.fetchval("INSERT INTO programmes (name) VALUES ('CLI cohort') RETURNING id")
    await pool.execute(
        "INSERT INTO programme_members (programme_id, person_id) SELECT $1, id FROM people", pid
    )
    return str(pid)


async def test_match_cli_prints_progress_and_metrics(pool, settings, monkeypatch, capsys):
    pid = await _programme_with_demo_members(pool)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    # main() runs its own event loop; run it in a thread so it does not nest in this one.
    import asyncio

    code = await asyncio.to_thread(main, ["match", "--programme", pid])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "100%" in out and "coverage:" in out and "optimality certificate" in out
    # Every member is accounted for, and the figures add up.
    assert "mentees of the programme: " in out and "mentors of the programme: " in out
    assert " matched + " in out and " unmatched" in out
    status = await pool.fetchval("SELECT status FROM rounds WHERE programme_id = $1", pid)
    assert status == "draft"
    assert await pool.fetchval("SELECT count(*) FROM round_matches") > 0


async def test_match_cli_unknown_programme(pool, settings, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    import asyncio

    assert await asyncio.to_thread(main, ["match", "--programme", "not-a-uuid"]) == 2
    assert (
        await asyncio.to_thread(
            main, ["match", "--programme", "00000000-0000-4000-8000-000000000000"]
        )
        == 1
    )
    assert "no programme" in capsys.readouterr().err
