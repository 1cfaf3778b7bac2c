"""Association admins ask for a programme; a site admin creates it with one click (the
association's, its requester an organiser) or declines."""

from __future__ import annotations

import uuid

from tests.api.test_associations import association, association_admin
from tests.api.test_programmes import admin
from tests.conftest import account


async def test_an_association_admin_asks_and_a_site_admin_creates_the_programme(client, pool):
    _, boss = await admin(client, pool)
    chapter = await association(client, boss)
    ada, ada_headers = await association_admin(client, boss, chapter["id"], display_name="Ada")
    _, stranger = await account(client)
    url = f"/api/v1/associations/{chapter['id']}/programme-requests"
    body = {"name": "PMI Portugal mentoring 2027", "description": "Members mentor members."}

    assert (await client.post(url, json=body, headers=stranger)).status_code == 403
    for bad, field in (
        ({"name": ""}, "name"),
        ({"name": "x", "description": "y" * 2001}, "description"),
    ):
        r = await client.post(url, json=bad, headers=ada_headers)
        assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == field
    assert await pool.fetchval("SELECT count(*) FROM programme_requests") == 0
    r = await client.post(url, json=body, headers=ada_headers)
    assert r.status_code == 201, r.text
    asked = r.json()
    assert asked["status"] == "pending" and asked["programme_id"] is None
    assert asked["requested_by"] == {"id": ada["id"], "display_name": "Ada"}
    assert asked["association"] == {"id": chapter["id"], "name": "PMI Portugal Chapter"}
    assert (await client.get(url, headers=ada_headers)).json()["requests"] == [asked]

    assert (await client.get("/api/v1/programme-requests", headers=ada_headers)).status_code == 403
    r = await client.get("/api/v1/programme-requests?status=pending", headers=boss)
    assert [q["id"] for q in r.json()["requests"]] == [asked["id"]]
    approve = f"/api/v1/programme-requests/{asked['id']}/approve"
    assert (await client.post(approve, headers=ada_headers)).status_code == 403
    r = await client.post(approve, headers=boss)
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["status"] == "created" and decided["decided_at"]
    programme = (
        await client.get(f"/api/v1/programmes/{decided['programme_id']}", headers=ada_headers)
    ).json()
    assert programme["name"] == body["name"] and programme["description"] == body["description"]
    assert programme["association"] == {"id": chapter["id"], "name": "PMI Portugal Chapter"}
    assert programme["organisers"] == [{"id": ada["id"], "display_name": "Ada"}]
    assert programme["is_organiser"]
    listed = (await client.get("/api/v1/programmes", headers=stranger)).json()["programmes"]
    assert listed[0]["association"]["name"] == "PMI Portugal Chapter"

    # Decided once: a second click changes nothing.
    assert (await client.post(approve, headers=boss)).status_code == 409
    r = await client.post(f"/api/v1/programme-requests/{asked['id']}/decline", headers=boss)
    assert r.status_code == 409
    assert await pool.fetchval("SELECT count(*) FROM programmes") == 1
    r = await client.get("/api/v1/programme-requests?status=pending", headers=boss)
    assert r.json()["requests"] == []
    r = await client.post(f"/api/v1/programme-requests/{uuid.uuid4()}/approve", headers=boss)
    assert r.status_code == 404
    r = await client.get("/api/v1/programme-requests?status=open", headers=boss)
    assert r.status_code == 422


async def test_a_declined_request_creates_nothing_and_an_erased_requester_is_no_organiser(
    client, pool
):
    _, boss = await admin(client, pool)
    chapter = await association(client, boss)
    _, ada = await association_admin(client, boss, chapter["id"])
    url = f"/api/v1/associations/{chapter['id']}/programme-requests"
    first = (await client.post(url, json={"name": "Too early"}, headers=ada)).json()
    second = (await client.post(url, json={"name": "Autumn cohort"}, headers=ada)).json()
    r = await client.post(f"/api/v1/programme-requests/{first['id']}/decline", headers=boss)
    assert r.status_code == 200 and r.json()["status"] == "declined"
    assert await pool.fetchval("SELECT count(*) FROM programmes") == 0

    assert (await client.delete("/api/v1/me", headers=ada)).status_code == 204
    r = await client.post(f"/api/v1/programme-requests/{second['id']}/approve", headers=boss)
    assert r.status_code == 200 and r.json()["requested_by"] is None
    programme_id = uuid.UUID(r.json()["programme_id"])
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM programme_organisers WHERE programme_id = $1", programme_id
        )
        == 0
    )
    statuses = [q["status"] for q in (await client.get(url, headers=boss)).json()["requests"]]
    assert statuses == ["declined", "created"]
