"""API keys of an association: shown once, stored hashed, scoped to their association, and
good for that association's admin operations only."""

from __future__ import annotations

import hashlib
import uuid

from tests.api.test_associations import association, association_admin
from tests.api.test_programmes import admin
from tests.conftest import account


async def _key(client, association_id: str, headers, name: str = "Membership sync") -> dict:
    r = await client.post(
        f"/api/v1/associations/{association_id}/keys", json={"name": name}, headers=headers
    )
    assert r.status_code == 201, r.text
    return r.json()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_a_key_is_shown_once_and_stored_as_its_hash(client, pool):
    _, boss = await admin(client, pool)
    chapter = await association(client, boss)
    ada, ada_headers = await association_admin(client, boss, chapter["id"])
    created = await _key(client, chapter["id"], ada_headers)
    key = created["key"]
    assert key.startswith("kk_") and len(key) > 40
    assert created["prefix"] == key[:11] and created["last_used_at"] is None

    stored = await pool.fetchrow("SELECT * FROM association_api_keys")
    assert bytes(stored["key_hash"]) == hashlib.sha256(key.encode()).digest()
    assert str(stored["created_by"]) == ada["id"]
    assert key not in str(dict(stored))

    r = await client.get(f"/api/v1/associations/{chapter['id']}/keys", headers=ada_headers)
    assert r.status_code == 200
    [listed] = r.json()["keys"]
    assert "key" not in listed and key not in r.text
    assert listed["name"] == "Membership sync" and listed["prefix"] == created["prefix"]


async def test_only_its_admins_and_site_admins_manage_keys_and_never_with_a_key(client, pool):
    _, boss = await admin(client, pool)
    chapter = await association(client, boss)
    _, stranger = await account(client)
    url = f"/api/v1/associations/{chapter['id']}/keys"
    assert (await client.post(url, json={"name": "x"}, headers=stranger)).status_code == 403
    assert (await client.get(url, headers=stranger)).status_code == 403
    key = (await _key(client, chapter["id"], boss))["key"]  # a site admin may
    for headers in (bearer(key), {"X-Api-Key": key}):
        r = await client.post(url, json={"name": "another"}, headers=headers)
        assert r.status_code == 403, r.text
        assert "cannot manage keys" in r.json()["error"]["message"]
        assert (await client.get(url, headers=headers)).status_code == 403
    r = await client.post(url, json={"name": " "}, headers=boss)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "name"
    assert await pool.fetchval("SELECT count(*) FROM association_api_keys") == 1
    r = await client.post(
        f"/api/v1/associations/{uuid.uuid4()}/keys", json={"name": "x"}, headers=boss
    )
    assert r.status_code == 404


async def test_a_key_calls_its_association_admin_operations_and_nothing_else(client, pool):
    _, boss = await admin(client, pool)
    chapter = await association(client, boss)
    other = await association(client, boss, name="Other chapter")
    key = (await _key(client, chapter["id"], boss))["key"]
    other_key = (await _key(client, other["id"], boss))["key"]

    for headers in (bearer(key), {"X-Api-Key": key}):
        r = await client.get(f"/api/v1/associations/{chapter['id']}/members", headers=headers)
        assert r.status_code == 200, r.text
    used = await pool.fetchval(
        "SELECT last_used_at FROM association_api_keys WHERE prefix = $1", key[:11]
    )
    assert used is not None
    r = await client.patch(
        f"/api/v1/associations/{chapter['id']}", json={"description": "Synced"}, headers=bearer(key)
    )
    assert r.status_code == 200 and r.json()["description"] == "Synced"

    # Another association's key: 403, and it was not used.
    r = await client.get(f"/api/v1/associations/{chapter['id']}/members", headers=bearer(other_key))
    assert r.status_code == 403
    assert r.json()["error"]["message"] == "this API key belongs to another association"
    assert (
        await pool.fetchval(
            "SELECT last_used_at FROM association_api_keys WHERE prefix = $1", other_key[:11]
        )
        is None
    )
    r = await client.get(f"/api/v1/associations/{uuid.uuid4()}/members", headers=bearer(key))
    assert r.status_code == 404

    # A key is no person: every other operation refuses it as not logged in.
    for method, path in (
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/associations"),
        ("GET", f"/api/v1/associations/{chapter['id']}"),
        ("GET", "/api/v1/me/associations"),
        ("POST", "/api/v1/associations"),
        ("GET", "/api/v1/programmes"),
    ):
        for headers in (bearer(key), {"X-Api-Key": key}):
            r = await client.request(method, path, headers=headers)
            assert r.status_code == 401, (method, path, r.text)
    r = await client.post(
        f"/api/v1/associations/{chapter['id']}/programme-requests",
        json={"name": "Spring"},
        headers=bearer(key),
    )
    assert r.status_code == 403


async def test_revoked_and_unknown_keys_are_401(client, pool):
    _, boss = await admin(client, pool)
    chapter = await association(client, boss)
    _, ada = await association_admin(client, boss, chapter["id"])
    created = await _key(client, chapter["id"], ada)
    members = f"/api/v1/associations/{chapter['id']}/members"
    assert (await client.get(members, headers=bearer(created["key"]))).status_code == 200

    r = await client.delete(
        f"/api/v1/associations/{chapter['id']}/keys/{created['id']}", headers=bearer(created["key"])
    )
    assert r.status_code == 403  # a key cannot revoke keys either
    r = await client.delete(
        f"/api/v1/associations/{chapter['id']}/keys/{created['id']}", headers=ada
    )
    assert r.status_code == 204
    for headers in (bearer(created["key"]), {"X-Api-Key": created["key"]}):
        r = await client.get(members, headers=headers)
        assert r.status_code == 401
        assert "revoked" in r.json()["error"]["message"]
    listed = (await client.get(f"/api/v1/associations/{chapter['id']}/keys", headers=ada)).json()
    assert listed["keys"][0]["revoked_at"] is not None
    # Revoking again changes nothing; a key of no association, or another's, is a 404 here.
    url = f"/api/v1/associations/{chapter['id']}/keys"
    assert (await client.delete(f"{url}/{created['id']}", headers=ada)).status_code == 204
    assert (await client.delete(f"{url}/{uuid.uuid4()}", headers=ada)).status_code == 404
    other = await association(client, boss, name="Other chapter")
    other_key = await _key(client, other["id"], boss)
    assert (await client.delete(f"{url}/{other_key['id']}", headers=ada)).status_code == 404
    assert (
        await pool.fetchval(
            "SELECT revoked_at FROM association_api_keys WHERE id = $1", uuid.UUID(other_key["id"])
        )
        is None
    )

    for headers in (bearer("kk_" + "x" * 43), {"X-Api-Key": "not-a-key"}):
        r = await client.get(members, headers=headers)
        assert r.status_code == 401, r.text
