"""Members: people declare memberships, associations confirm or end them; the member list pages
and filters, and shows an email only to the association's own admins and keys, and only of the
members it imported."""

from __future__ import annotations

import uuid

from tests.api.test_association_keys import _key, bearer
from tests.api.test_associations import association, association_admin
from tests.api.test_programmes import admin
from tests.conftest import account, sign_up_and_login


async def imported(pool, association_id: str, email: str, name: str | None, **member) -> str:
    """A member as an import leaves them: a person not signed up yet (unless ``claimed``)."""
    person_id = await pool.fetchval(
        "INSERT INTO people (email, display_name, claimed_at) VALUES ($1, $2, NULL) RETURNING id",
        email,
        name,
    )
    await pool.execute(
        "INSERT INTO association_members (association_id, person_id, member_ref, source, status)"
        " VALUES ($1::text::uuid, $2, $3, 'import', $4)",
        association_id,
        person_id,
        member.get("member_ref", ""),
        member.get("status", "invited"),
    )
    return str(person_id)


async def test_a_declared_membership_is_requested_until_the_association_confirms_it(client, pool):
    _, boss = await admin(client, pool)
    chapter = await association(client, boss)
    _, ada = await association_admin(client, boss, chapter["id"])
    mia, mia_headers = await account(client, display_name="Mia Mentee")

    r = await client.post(
        "/api/v1/me/associations",
        json={"association_id": chapter["id"], "member_ref": " PMI-123 "},
        headers=mia_headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["association"] == {"id": chapter["id"], "name": "PMI Portugal Chapter"}
    assert (r.json()["status"], r.json()["source"], r.json()["member_ref"]) == (
        "requested",
        "self_declared",
        "PMI-123",
    )
    again = await client.post(
        "/api/v1/me/associations", json={"association_id": chapter["id"]}, headers=mia_headers
    )
    assert again.status_code == 200 and again.json()["member_ref"] == "PMI-123"

    members = f"/api/v1/associations/{chapter['id']}/members"
    r = await client.get(members + "?status=requested", headers=ada)
    assert r.status_code == 200
    [row] = r.json()["members"]
    assert row["person_id"] == mia["id"] and row["display_name"] == "Mia Mentee"
    assert row["email"] is None  # she told the association nothing but her name
    assert mia["email"] not in r.text

    r = await client.post(f"{members}/{mia['id']}/confirm", headers=mia_headers)
    assert r.status_code == 403  # not an admin of it
    r = await client.post(f"{members}/{mia['id']}/confirm", headers=ada)
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert (await client.post(f"{members}/{mia['id']}/confirm", headers=ada)).status_code == 200
    mine = (await client.get("/api/v1/me/associations", headers=mia_headers)).json()
    assert [m["status"] for m in mine["memberships"]] == ["active"]
    listed = await client.get(f"/api/v1/associations/{chapter['id']}", headers=mia_headers)
    assert listed.json()["members"] == 1

    # Leaving ends it; asking again is a new request, which the association may refuse.
    r = await client.delete(f"/api/v1/me/associations/{chapter['id']}", headers=mia_headers)
    assert r.status_code == 204
    assert await pool.fetchval("SELECT status FROM association_members") == "ended"
    r = await client.post(
        "/api/v1/me/associations", json={"association_id": chapter["id"]}, headers=mia_headers
    )
    assert r.status_code == 201 and r.json()["status"] == "requested"
    r = await client.post(f"{members}/{mia['id']}/end", headers=ada)
    assert r.status_code == 200 and r.json()["status"] == "ended" and r.json()["ended_at"]
    r = await client.post(f"{members}/{mia['id']}/confirm", headers=ada)
    assert r.status_code == 409


async def test_a_request_withdrawn_before_it_is_confirmed_leaves_nothing(client, pool):
    _, boss = await admin(client, pool)
    chapter = await association(client, boss)
    _, mia = await account(client)
    r = await client.post(
        "/api/v1/me/associations", json={"association_id": chapter["id"]}, headers=mia
    )
    assert r.status_code == 201
    r = await client.delete(f"/api/v1/me/associations/{chapter['id']}", headers=mia)
    assert r.status_code == 204
    assert await pool.fetchval("SELECT count(*) FROM association_members") == 0
    r = await client.delete(f"/api/v1/me/associations/{chapter['id']}", headers=mia)
    assert r.status_code == 404
    assert (await client.get("/api/v1/me/associations", headers=mia)).json() == {"memberships": []}


async def test_declaring_an_unknown_association_is_422_and_writes_nothing(client, pool):
    _, mia = await account(client)
    for body, field in (
        ({"association_id": str(uuid.uuid4())}, "association_id"),
        ({"association_id": "not-an-id"}, "association_id"),
        ({}, "association_id"),
        ({"association_id": str(uuid.uuid4()), "member_ref": "x" * 101}, "member_ref"),
    ):
        r = await client.post("/api/v1/me/associations", json=body, headers=mia)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["fields"][0]["field"] == field
        assert r.json()["error"]["fields"][0]["message"][0].isupper()
    assert await pool.fetchval("SELECT count(*) FROM association_members") == 0


async def test_members_page_filter_and_show_imported_emails_to_the_association_only(client, pool):
    _, boss = await admin(client, pool)
    chapter = await association(client, boss)
    other = await association(client, boss, name="Other chapter")
    _, ada = await association_admin(client, boss, chapter["id"])
    _, other_admin = await association_admin(client, boss, other["id"])
    key = (await _key(client, chapter["id"], ada))["key"]
    invited = await imported(
        pool, chapter["id"], "zoe@example.org", "Zoe Imported", member_ref="Z1"
    )
    nameless = await imported(pool, chapter["id"], "noname@example.org", None)
    mia = await sign_up_and_login(client, display_name="Mia Declared")
    client.cookies.clear()
    await pool.execute(
        "INSERT INTO association_members (association_id, person_id, source, status)"
        " VALUES ($1::text::uuid, $2::text::uuid, 'self_declared', 'active')",
        chapter["id"],
        mia["id"],
    )
    url = f"/api/v1/associations/{chapter['id']}/members"

    async def listed(headers, query: str = "") -> dict:
        r = await client.get(f"{url}?{query}", headers=headers)
        assert r.status_code == 200, r.text
        return r.json()

    page = await listed(ada)
    assert page["total"] == 3
    rows = {m["person_id"]: m for m in page["members"]}
    assert rows[invited]["email"] == "zoe@example.org" and rows[invited]["status"] == "invited"
    assert rows[invited]["display_name"] == "Zoe Imported" and rows[invited]["member_ref"] == "Z1"
    assert (
        rows[nameless]["display_name"] is None and rows[nameless]["email"] == "noname@example.org"
    )
    assert rows[mia["id"]]["email"] is None
    assert [m["display_name"] for m in page["members"]] == [
        "Mia Declared",
        "Zoe Imported",
        None,
    ]
    by_key = await listed(bearer(key))
    assert by_key == page
    # A site admin who is not one of its admins sees who, never how to reach them.
    assert all(m["email"] is None for m in (await listed(boss))["members"])
    assert (await client.get(url, headers=other_admin)).status_code == 403

    assert [m["person_id"] for m in (await listed(ada, "status=invited"))["members"]] == [
        invited,
        nameless,
    ]
    assert [m["person_id"] for m in (await listed(ada, "source=self_declared"))["members"]] == [
        mia["id"]
    ]
    assert [m["person_id"] for m in (await listed(ada, "q=zoe"))["members"]] == [invited]
    assert [m["person_id"] for m in (await listed(ada, "q=z1"))["members"]] == [invited]
    assert (await listed(ada, "q=100%25"))["total"] == 0
    second = await listed(ada, "limit=1&offset=1")
    assert second["total"] == 3 and [m["person_id"] for m in second["members"]] == [invited]
    for bad in ("status=lost", "source=csv", "limit=0", "offset=-1"):
        r = await client.get(f"{url}?{bad}", headers=ada)
        assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == bad.split("=")[0]

    r = await client.post(f"{url}/{invited}/confirm", headers=ada)
    assert r.status_code == 409  # an invitation is the person's to answer
    r = await client.post(f"{url}/{uuid.uuid4()}/confirm", headers=ada)
    assert r.status_code == 404
    r = await client.post(f"{url}/{invited}/end", headers=bearer(key))
    assert r.status_code == 200 and r.json()["email"] == "zoe@example.org"


async def test_erasing_a_person_removes_memberships_and_admin_rights_and_export_lists_them(
    client, pool
):
    _, boss = await admin(client, pool)
    chapter = await association(client, boss)
    other = await association(client, boss, name="Other chapter")
    ada, ada_headers = await association_admin(client, boss, chapter["id"])
    r = await client.post(
        "/api/v1/me/associations",
        json={"association_id": other["id"], "member_ref": "M-7"},
        headers=ada_headers,
    )
    assert r.status_code == 201
    export = (await client.get("/api/v1/me/export", headers=ada_headers)).json()
    found = {a["name"]: a for a in export["associations"]}
    assert found["Other chapter"]["status"] == "requested"
    assert found["Other chapter"]["member_ref"] == "M-7" and not found["Other chapter"]["admin"]
    assert (
        found["PMI Portugal Chapter"]["admin"] and found["PMI Portugal Chapter"]["status"] is None
    )

    assert (await client.delete("/api/v1/me", headers=ada_headers)).status_code == 204
    assert await pool.fetchval("SELECT count(*) FROM association_members") == 0
    assert await pool.fetchval("SELECT count(*) FROM association_admins") == 0
    r = await client.get(f"/api/v1/associations/{chapter['id']}", headers=boss)
    assert r.json()["admins"] == [] and ada["id"] not in r.text
