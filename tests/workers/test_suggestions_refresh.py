"""Suggestions computed by the worker (real PostgreSQL, Redis, burst worker and its process
pool): everyone after sign-ups and a catalogue, only the people whose data changed after an
RSVP, everyone again after a new event; nobody without an account; two runs at once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from service import embedded, queue
from service.kit.processes import ProcessPool
from service.suggestions import refresh
from service.suggestions import repository as repo
from service.suggestions.service import enqueue_refresh
from tests.conftest import account
from tests.imported import import_members
from workers.settings import build_worker

NOW = datetime.now(UTC)
TAGS = ["pmp", "risk-management", "agile", "scrum", "jira", "stakeholder-management"]


async def _association(pool, name: str, focus: list[str], online: bool = False) -> uuid.UUID:
    return await pool.fetchval(
        "INSERT INTO associations (name, kind, online, city, country, focus, languages,"
        " description) VALUES ($1, 'chapter', $2, CASE WHEN $2 THEN '' ELSE 'Lisbon' END,"
        " CASE WHEN $2 THEN NULL ELSE 'PT' END, $3, '{en,pt}',"
        " 'Project managers meeting to learn') RETURNING id",
        name,
        online,
        focus,
    )


async def _event(pool, host: uuid.UUID, title: str, days: float, tags: list[str]) -> uuid.UUID:
    # Tuesday evenings and Saturday mornings (Lisbon) are what the sign-ups are free for;
    # online, so that place never filters; near enough in time for any availability check.
    start = NOW + timedelta(days=days)
    return await pool.fetchval(
        "INSERT INTO events (association_id, title, kind, starts_at, ends_at, timezone, online,"
        " tags, languages, description) VALUES ($1, $2, 'workshop', $3::timestamptz,"
        " $3::timestamptz + interval '2 hours', 'Europe/Lisbon', true, $4, '{en}',"
        " 'Hands-on session for project managers')"
        " RETURNING id",
        host,
        title,
        start,
        tags,
    )


async def _world(client, pool, settings) -> dict:
    """Three people with accounts, an imported one without, four associations, 24 events."""
    people = []
    for k in range(3):
        profile, _ = await account(
            client, display_name=f"Person{k} Test", availability=[], email=f"p{k}@example.org"
        )
        people.append(uuid.UUID(profile["id"]))
    hosts = [
        await _association(pool, f"PM Group {k}", TAGS[k : k + 3], online=k % 2 == 0)
        for k in range(4)
    ]
    events = [
        await _event(pool, hosts[k % 4], f"Workshop {k}", 1 + k, TAGS[k % 4 : k % 4 + 2])
        for k in range(24)
    ]
    await pool.execute(
        "INSERT INTO association_members (association_id, person_id, source, status)"
        " VALUES ($1, $2, 'self_declared', 'active'), ($1, $3, 'self_declared', 'active'),"
        " ($4, $3, 'self_declared', 'requested')",
        hosts[0],
        people[0],
        people[1],
        hosts[1],
    )
    await pool.execute(
        "INSERT INTO event_rsvps (event_id, person_id) VALUES ($1, $2)", events[0], people[1]
    )
    invited = await import_members(
        pool, settings.secret, hosts[0], [{"email": "imported@example.org", "display_name": "Im"}]
    )
    return {"people": people, "hosts": hosts, "events": events, "imported": invited[0].id}


async def _run(settings) -> None:
    """Enqueue a refresh and run a burst worker until it is done."""
    arq = await queue.connect(embedded.redis_url(settings), settings.arq_queue_name)
    try:
        await enqueue_refresh(arq, uuid.uuid4().hex)
    finally:
        await arq.aclose()
    worker = build_worker(settings, burst=True, handle_signals=False, poll_delay=0.05)
    try:
        await worker.main()
    finally:
        await worker.close()


async def _computed(pool) -> dict[uuid.UUID, datetime]:
    rows = await pool.fetch("SELECT person_id, computed_at FROM person_suggestions_computed")
    return {r["person_id"]: r["computed_at"] for r in rows}


async def _items(pool, person: uuid.UUID) -> list[uuid.UUID]:
    rows = await pool.fetch(
        "SELECT coalesce(event_id, association_id) AS id FROM person_suggestions"
        " WHERE person_id = $1 ORDER BY rank",
        person,
    )
    return [r["id"] for r in rows]


async def test_refresh_everyone_then_only_the_changed_then_everyone(client, pool, settings):
    world = await _world(client, pool, settings)
    people, events = world["people"], world["events"]
    await _run(settings)

    computed = await _computed(pool)
    assert set(computed) == set(people)  # everyone with an account, the imported one not
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM person_suggestions WHERE person_id = $1", world["imported"]
        )
        == 0
    )
    for person in people:
        rows = await pool.fetch(
            "SELECT rank, kind, reasons, components FROM person_suggestions"
            " WHERE person_id = $1 ORDER BY rank",
            person,
        )
        assert rows, person
        assert all(r["reasons"] for r in rows)  # every suggestion says why
        assert {"content", "network", "popularity"} <= set(rows[0]["components"])
        assert {r["kind"] for r in rows} == {"event", "association"}
    # What they joined or RSVPed is not suggested.
    assert world["hosts"][0] not in await _items(pool, people[0])
    assert events[0] not in await _items(pool, people[1])
    assert not await pool.fetchval("SELECT count(*) FROM suggestions_stale")
    state = await pool.fetchrow("SELECT * FROM suggestions_state")
    assert state["everyone_at"] is not None
    assert state["everyone_catalogue"] == state["catalogue_changed_at"]

    # An RSVP marks that person stale; the next run refreshes them only.
    target = next(e for e in await _items(pool, people[2]) if e in events)
    await pool.execute(
        "INSERT INTO event_rsvps (event_id, person_id) VALUES ($1, $2)", target, people[2]
    )
    assert await pool.fetchval("SELECT array_agg(person_id) FROM suggestions_stale") == [people[2]]
    await _run(settings)
    after = await _computed(pool)
    assert after[people[2]] > computed[people[2]]
    assert {p: after[p] for p in people[:2]} == {p: computed[p] for p in people[:2]}
    assert target not in await _items(pool, people[2])
    assert (await pool.fetchrow("SELECT * FROM suggestions_state"))["everyone_at"] == state[
        "everyone_at"
    ]

    # A new event changes the catalogue: the next run recomputes everyone.
    await _event(pool, world["hosts"][2], "Risk clinic", 3.5, ["risk-management", "pmp"])
    await _run(settings)
    again = await _computed(pool)
    assert all(again[p] > after[p] for p in people)
    assert world["imported"] not in again
    state2 = await pool.fetchrow("SELECT * FROM suggestions_state")
    assert state2["everyone_at"] > state["everyone_at"]
    assert state2["everyone_catalogue"] == state2["catalogue_changed_at"]


async def test_two_refreshes_at_once_are_safe(client, pool, settings):
    world = await _world(client, pool, settings)
    arq = await queue.connect(embedded.redis_url(settings), settings.arq_queue_name)
    try:
        assert await enqueue_refresh(arq, "one") and await enqueue_refresh(arq, "two")
        assert not await enqueue_refresh(arq, "two")  # the same reason while it waits: once
    finally:
        await arq.aclose()

    async def burst() -> None:
        worker = build_worker(settings, burst=True, handle_signals=False, poll_delay=0.05)
        try:
            await worker.main()
        finally:
            await worker.close()

    await asyncio.gather(burst(), burst())
    rows = await pool.fetch(
        "SELECT person_id, count(*) AS n, count(DISTINCT coalesce(event_id, association_id))"
        " AS items FROM person_suggestions GROUP BY person_id"
    )
    assert {r["person_id"] for r in rows} == set(world["people"])
    assert all(r["n"] == r["items"] for r in rows)  # no item twice for one person
    assert set(await _computed(pool)) == set(world["people"])
    assert not await pool.fetchval("SELECT count(*) FROM suggestions_stale")


async def test_a_second_refresh_while_one_runs_steps_aside(client, pool, settings):
    world = await _world(client, pool, settings)
    cpu = ProcessPool()
    try:
        first, second = refresh.Fitted(), refresh.Fitted()
        results = await asyncio.gather(
            refresh.refresh(pool, cpu, first, NOW), refresh.refresh(pool, cpu, second, NOW)
        )
        assert sorted(r["status"] for r in results) == ["busy", "done"]
        done = next(r for r in results if r["status"] == "done")
        # The sign-ups' marks were settled by the recomputation of everyone, not done twice.
        assert done["everyone"] == 3 and done["fitted"] and done["stale"] == 0
        before = await _computed(pool)
        # A pool process that does not hold the model the worker believes it has (restarted):
        # the stale person is still refreshed, after fitting again.
        await pool.execute(
            "INSERT INTO event_rsvps (event_id, person_id) VALUES ($1, $2)",
            world["events"][5],
            world["people"][0],
        )
        lost = refresh.Fitted(fit_id="not-in-the-pool")
        again = await refresh.refresh(pool, cpu, lost, NOW)
        assert again == {"status": "done", "everyone": 0, "fitted": False, "stale": 1}
        assert lost.fit_id != "not-in-the-pool"
        after = await _computed(pool)
        assert after[world["people"][0]] > before[world["people"][0]]
        assert after[world["people"][1]] == before[world["people"][1]]
    finally:
        cpu.shutdown()


async def test_a_mark_moved_after_the_snapshot_stays(client, pool, settings):
    world = await _world(client, pool, settings)
    async with pool.acquire() as conn:
        seen = await repo.stale_marks(conn)
    assert {p for p, _ in seen} == set(world["people"])
    # The first person changes again after the snapshot: their mark moves and must stay.
    await pool.execute("UPDATE people SET headline = 'Now a PM' WHERE id = $1", world["people"][0])
    async with pool.acquire() as conn, conn.transaction():
        assert await repo.clear_marks(conn, seen) == 2
    assert await pool.fetchval("SELECT array_agg(person_id) FROM suggestions_stale") == [
        world["people"][0]
    ]
