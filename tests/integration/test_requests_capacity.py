"""Mentee requests reserve a mentor's places atomically under real concurrency."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import httpx

from tests.conftest import account

MENTEES = 50


async def _account(client: httpx.AsyncClient, **overrides: object) -> tuple[str, dict[str, str]]:
    """Sign up and log in; returns the person id and Bearer headers."""
    profile, headers = await account(client, **overrides)
    return profile["id"], headers


async def _cohort(client: httpx.AsyncClient, pool, capacity: int, mentors: int, mentees: int):
    """A programme with consenting mentors and mentees who all joined it."""
    admin_id, admin = await _account(client)
    await pool.execute("UPDATE people SET is_admin = true WHERE id = $1", uuid.UUID(admin_id))
    r = await client.post("/api/v1/programmes", json={"name": "Concurrency cohort"}, headers=admin)
    assert r.status_code == 201, r.text
    programme_id = r.json()["id"]
    people = [
        _account(client, roles=["mentor"], mentor_capacity=capacity) for _ in range(mentors)
    ] + [_account(client) for _ in range(mentees)]
    accounts = await asyncio.gather(*people)
    client.cookies.clear()  # every call below authenticates with its own Bearer token
    joins = await asyncio.gather(
        *(client.post(f"/api/v1/programmes/{programme_id}/join", headers=h) for _, h in accounts)
    )
    assert [j.status_code for j in joins] == [201] * len(accounts)
    return programme_id, accounts[:mentors], accounts[mentors:]


async def test_fifty_concurrent_requests_for_a_mentor_with_capacity_two(client, pool):
    programme_id, [(mentor_id, _)], mentees = await _cohort(client, pool, 2, 1, MENTEES)
    url = f"/api/v1/programmes/{programme_id}/requests"
    responses = await asyncio.gather(
        *(client.post(url, json={"mentor_id": mentor_id}, headers=h) for _, h in mentees)
    )
    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 2, 409: MENTEES - 2}, [r.text for r in responses if r.status_code >= 500]
    assert {r.json()["error"]["message"] for r in responses if r.status_code == 409} == {
        "this mentor is full"
    }
    assert await pool.fetchval("SELECT count(*) FROM mentorships") == 2
    winners = {r.json()["other"]["id"] for r in responses if r.status_code == 201}
    assert winners == {mentor_id}
    rows = await pool.fetch("SELECT mentee_id, status, source FROM mentorships")
    assert {(r["status"], r["source"]) for r in rows} == {("pending", "request")}
    assert len({r["mentee_id"] for r in rows}) == 2


async def test_one_mentee_asking_many_mentors_at_once_gets_one(client, pool):
    programme_id, mentors, [(_, mentee)] = await _cohort(client, pool, 1, 10, 1)
    url = f"/api/v1/programmes/{programme_id}/requests"
    responses = await asyncio.gather(
        *(client.post(url, json={"mentor_id": m}, headers=mentee) for m, _ in mentors)
    )
    assert Counter(r.status_code for r in responses) == {201: 1, 409: 9}
    assert await pool.fetchval("SELECT count(*) FROM mentorships") == 1


async def test_people_who_are_both_ask_each_other_at_once_without_deadlock(client, pool):
    both = {"roles": ["mentee", "mentor"], "mentor_capacity": 1}
    programme_id, _, _ = await _cohort(client, pool, 1, 0, 0)
    a_id, a = await _account(client, **both)
    b_id, b = await _account(client, **both)
    client.cookies.clear()
    for headers in (a, b):
        r = await client.post(f"/api/v1/programmes/{programme_id}/join", headers=headers)
        assert r.status_code == 201
    url = f"/api/v1/programmes/{programme_id}/requests"
    for _ in range(10):
        await pool.execute("DELETE FROM mentorships")
        first, second = await asyncio.gather(
            client.post(url, json={"mentor_id": b_id}, headers=a),
            client.post(url, json={"mentor_id": a_id}, headers=b),
        )
        assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
