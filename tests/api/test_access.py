"""Who may call each operation: declared once, enforced by the router, documented from it."""

from __future__ import annotations

import uuid

import pytest

from service.app import operations
from service.kit.api import Access, ApiRouter, Rule
from tests.api.test_association_keys import _key
from tests.api.test_associations import association, association_admin
from tests.api.test_events import body as event_body
from tests.api.test_events import event as event_of
from tests.api.test_programmes import account, admin, appoint, programme

ORGANISER_ONLY = {Rule.ORGANISER, Rule.SITE_ADMIN, Rule.ASSOCIATION_ADMIN}


def test_every_operation_declares_who_may_call_it():
    ops = operations()
    assert len(ops) >= 25
    for op in ops:
        assert isinstance(op.access, Access), op.name
    rules = {op.access.rule for op in ops}
    assert rules == set(Rule)
    with pytest.raises(TypeError):  # a rule is a required argument: none can be forgotten
        ApiRouter().route("/x", "GET", summary="no rule")  # type: ignore[call-arg]


async def test_openapi_security_is_derived_from_the_rule(client):
    spec = (await client.get("/openapi.json")).json()
    for op in operations():
        item = spec["paths"][op.path][op.method.lower()]
        assert item["x-access"] == op.access.rule.value, op.name
        if op.access.rule is Rule.ANYONE:
            assert item["security"] == [], op.name
        else:
            session = [{"session": []}, {"bearer": []}]
            keys = op.access.rule in (Rule.ASSOCIATION_ADMIN, Rule.EVENT_HOST) and op.access.keys
            assert item["security"] == session + ([{"association_key": []}] if keys else [])
            assert "401" in item["responses"], op.name
    assert spec["components"]["securitySchemes"]["association_key"]["name"] == "X-Api-Key"


def _path(
    op_path: str,
    programme_id: str,
    round_id: str,
    association_id: str,
    import_id: str,
    event_id: str = "",
) -> str:
    if op_path.startswith("/api/v1/events/") and event_id:
        return op_path.replace("{id}", event_id)
    if op_path.startswith("/api/v1/imports/"):
        return op_path.replace("{id}", import_id)
    if op_path.startswith("/api/v1/rounds/"):
        return op_path.replace("{id}", round_id)
    if op_path.startswith("/api/v1/programmes/"):
        return op_path.replace("{id}", programme_id)
    if op_path.startswith("/api/v1/associations/"):
        return op_path.replace("{id}", association_id)
    return op_path.replace("{id}", str(uuid.uuid4()))


async def test_the_router_enforces_each_rule(client, pool):
    _, boss = await admin(client, pool)
    owned = await programme(client, boss)
    organiser, org_headers = await account(client, display_name="Olga Organiser")
    await appoint(client, owned["id"], organiser["id"], boss)
    r = await client.post(f"/api/v1/programmes/{owned['id']}/rounds", json={}, headers=org_headers)
    assert r.status_code == 202, r.text
    round_id = r.json()["id"]
    _, outsider = await account(client, display_name="Otto Outsider")
    chapter = await association(client, boss)
    _, chapter_admin = await association_admin(client, boss, chapter["id"])
    key = {"X-Api-Key": (await _key(client, chapter["id"], boss))["key"]}
    other = await association(client, boss, name="Other chapter")
    other_key = {"Authorization": "Bearer " + (await _key(client, other["id"], boss))["key"]}
    import_id = await pool.fetchval(
        "INSERT INTO imports (association_id) VALUES ($1) RETURNING id::text",
        uuid.UUID(chapter["id"]),
    )

    event = await event_of(client, chapter_admin, association_id=chapter["id"])

    checked = 0
    for op in operations():
        if op.access.rule is Rule.ANYONE or op.path.endswith("/auth/logout"):
            continue
        url = _path(op.path, owned["id"], round_id, chapter["id"], import_id, event["id"])
        client.cookies.clear()
        anonymous = await client.request(op.method, url, json={})
        assert anonymous.status_code == 401, (op.name, anonymous.text)
        assert anonymous.json()["error"]["code"] == "unauthorized"
        if op.access.rule in ORGANISER_ONLY:
            refused = await client.request(op.method, url, json={}, headers=outsider)
            assert refused.status_code == 403, (op.name, refused.text)
            allowed = await client.request(op.method, url, json={}, headers=boss)
            assert allowed.status_code not in (401, 403), (op.name, allowed.text)
        if op.access.rule is Rule.ORGANISER:
            allowed = await client.request(op.method, url, json={}, headers=org_headers)
            assert allowed.status_code not in (401, 403), (op.name, allowed.text)
            # An unknown programme or round is a 404 even for a site admin, before anything runs.
            missing = op.path.replace("{id}", str(uuid.uuid4()))
            gone = await client.request(op.method, missing, json={}, headers=boss)
            assert gone.status_code == 404, (op.name, gone.text)
        if op.access.rule is Rule.ASSOCIATION_ADMIN:
            allowed = await client.request(op.method, url, json={}, headers=chapter_admin)
            assert allowed.status_code not in (401, 403), (op.name, allowed.text)
            by_key = await client.request(op.method, url, json={}, headers=key)
            # Its own key where keys may call, 403 where they may not; another's key: 403.
            assert (by_key.status_code == 403) is not op.access.keys, (op.name, by_key.text)
            assert by_key.status_code != 401, (op.name, by_key.text)
            refused = await client.request(op.method, url, json={}, headers=other_key)
            assert refused.status_code == 403, (op.name, refused.text)
            missing = op.path.replace("{id}", str(uuid.uuid4()))
            gone = await client.request(op.method, missing, json={}, headers=key)
            assert gone.status_code == 404, (op.name, gone.text)
        elif op.access.rule is Rule.EVENT_HOST:
            # The chapter's event: its admins and its key; not another association's key, nor
            # someone who hosts nothing. Creating: the host the body names is checked.
            json = {} if "{id}" in op.path else event_body(association_id=chapter["id"])
            for allowed_headers in (chapter_admin, key, boss):
                allowed = await client.request(op.method, url, json=json, headers=allowed_headers)
                assert allowed.status_code not in (401, 403), (op.name, allowed.text)
                if op.method == "DELETE":  # cancelled: a new event for the next caller
                    event = await event_of(client, chapter_admin, association_id=chapter["id"])
                    url = _path(
                        op.path, owned["id"], round_id, chapter["id"], import_id, event["id"]
                    )
            for refused_headers in (other_key, outsider):
                refused = await client.request(op.method, url, json=json, headers=refused_headers)
                assert refused.status_code == 403, (op.name, refused.text)
            if "{id}" in op.path:
                missing = op.path.replace("{id}", str(uuid.uuid4()))
                gone = await client.request(op.method, missing, json={}, headers=key)
                assert gone.status_code == 404, (op.name, gone.text)
        else:
            # An API key is no person: every other operation answers it as not logged in.
            by_key = await client.request(op.method, url, json={}, headers=key)
            assert by_key.status_code == 401, (op.name, by_key.text)
        checked += 1
    assert checked >= 20
