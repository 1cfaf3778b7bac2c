"""RSVPs take an event's places atomically under real concurrency."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

from tests.api.test_events import event, hosts
from tests.conftest import account

PEOPLE = 50
PLACES = 10


async def test_fifty_concurrent_rsvps_for_ten_places(client, pool):
    h = await hosts(client, pool)
    e = await event(client, h["ada"], association_id=h["association"], capacity=PLACES)
    people = await asyncio.gather(*(account(client) for _ in range(PEOPLE)))
    client.cookies.clear()  # every call below authenticates with its own Bearer token
    url = f"/api/v1/events/{e['id']}/rsvp"
    responses = await asyncio.gather(*(client.post(url, headers=h) for _, h in people))
    codes = Counter(r.status_code for r in responses)
    assert codes == {201: PLACES, 409: PEOPLE - PLACES}, [
        r.text for r in responses if r.status_code >= 500
    ]
    refusals = {r.json()["error"]["message"] for r in responses if r.status_code == 409}
    assert refusals == {f"“{e['title']}” is full: all {PLACES} places are taken"}
    row = await pool.fetchrow(
        "SELECT rsvp_count, (SELECT count(*) FROM event_rsvps) AS n FROM events WHERE id = $1",
        uuid.UUID(e["id"]),
    )
    assert row["rsvp_count"] == row["n"] == PLACES

    # Ten cancel while the forty others try again: every freed place is taken once.
    going = [hd for (_, hd), r in zip(people, responses, strict=True) if r.status_code == 201]
    waiting = [hd for (_, hd), r in zip(people, responses, strict=True) if r.status_code == 409]
    await asyncio.gather(
        *(client.delete(url, headers=hd) for hd in going),
        *(client.post(url, headers=hd) for hd in waiting),
    )
    row = await pool.fetchrow(
        "SELECT rsvp_count, (SELECT count(*) FROM event_rsvps) AS n FROM events WHERE id = $1",
        uuid.UUID(e["id"]),
    )
    assert row["rsvp_count"] == row["n"] <= PLACES
