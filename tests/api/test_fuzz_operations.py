"""Every API operation, fuzzed: never a 5xx, errors in the one shape, and a 4xx writes nothing.

The operations come from the app's own OpenAPI document, so a new endpoint is fuzzed without
editing this file. Requests are made as the programme's organiser (a site admin) in a world
with a published round, with path ids (and invitation codes) that are real, unknown or not ids
at all, and bodies that start valid (one per request schema, below) with up to three fields
replaced by arbitrary JSON, by plausible values or by text PostgreSQL cannot store, or removed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.api.test_fuzz import json_values
from tests.conftest import signup_body
from tests.workers.test_introductions import _published_round

#: Operations that end the caller's own session or account when they succeed; they are
#: fuzzed in test_fuzz.py and test_bad_input.py, and here they would log the fuzzer out.
SKIP = {("delete", "/api/v1/me"), ("post", "/api/v1/auth/logout")}
#: Written by design on a failed request: the login throttle's record of failures.
WRITTEN_ON_4XX = {"login_failures"}
#: Text PostgreSQL cannot store: a NUL, and a lone surrogate (sent as a "\ud800" escape).
UNSTORABLE = ["\x00", "Ana\x00Silva", "\ud800", "x\udfff"]
JUNK_IDS = ["not-a-uuid", "1", "' OR 1=1 --", "%00", "x" * 300, str(uuid.UUID(int=0))]


@dataclass
class World:
    """A programme with a published round; the client is logged in as its organiser."""

    ids: dict[str, list[str]]  # path parameter ids by the first path segment
    values: list[Any]  # plausible field values: real ids and the enums' words
    valid: dict[str, dict[str, Any]]  # a valid body per request schema
    tables: list[str]


def _schema(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else node


def _fields(spec: dict[str, Any], schema_name: str) -> list[str]:
    """The schema's property names, and those of any object property ("settings.weights")."""
    schema = spec["components"]["schemas"][schema_name]
    names = []
    for name, prop in schema.get("properties", {}).items():
        names.append(name)
        for choice in [prop, *prop.get("anyOf", [])]:
            inner = _schema(spec, choice)
            names += [f"{name}.{sub}" for sub in inner.get("properties", {})]
    return names


def _schema_name(op: dict[str, Any]) -> str | None:
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = body.get("schema", {}).get("$ref", "")
    return ref.rsplit("/", 1)[1] if ref else None


_DROP = object()


def _mutated(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    body = json.loads(json.dumps(base))
    for name, value in changes.items():
        outer, _, inner = name.partition(".")
        target = body
        if inner:
            if not isinstance(body.get(outer), dict):
                body[outer] = {}
            target, outer = body[outer], inner
        if value is _DROP:
            target.pop(outer, None)
        else:
            target[outer] = value
    return body


async def watched_tables(pool) -> list[str]:
    """Every table a rejected request must leave as it was."""
    rows = await pool.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return [r["tablename"] for r in rows if r["tablename"] not in WRITTEN_ON_4XX]


async def _snapshot(pool, tables: list[str]) -> dict[str, str]:
    """A digest of every table's rows (small tables: this is a test database)."""
    out = {}
    async with pool.acquire() as conn:
        for table in tables:
            out[table] = await conn.fetchval(
                "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                f' FROM "{table}" t'
            )
    return out


@pytest.fixture
async def world(client, app, pool, settings) -> World:
    rnd, _ = await _published_round(client, app, pool, settings)
    match = await pool.fetchrow(
        "SELECT id, mentee_id, mentor_id FROM mentorships WHERE round_id = $1 LIMIT 1", rnd["id"]
    )
    mentee, mentor = str(match["mentee_id"]), str(match["mentor_id"])
    people = [mentee, mentor]
    code = await pool.fetchval(
        "SELECT invitation_code FROM programmes WHERE id = $1", rnd["programme_id"]
    )
    chapter = await client.post(
        "/api/v1/associations", json={"name": "Fuzz chapter", "kind": "chapter"}
    )
    assert chapter.status_code == 201, chapter.text
    association = chapter.json()["id"]
    asked = await client.post(
        f"/api/v1/associations/{association}/programme-requests", json={"name": "Fuzz cohort"}
    )
    assert asked.status_code == 201, asked.text
    soon = datetime.now(UTC) + timedelta(days=7)
    new_event = {
        "association_id": association,
        "title": "Fuzz workshop",
        "kind": "workshop",
        "starts_at": soon.isoformat(),
        "ends_at": (soon + timedelta(hours=2)).isoformat(),
        "timezone": "Europe/Lisbon",
        "online": True,
        "tags": ["PMP"],
        "capacity": 3,
    }
    made = await client.post("/api/v1/events", json=new_event)
    assert made.status_code == 201, made.text
    ids = {
        "events": [made.json()["id"]],
        "programmes": [str(rnd["programme_id"])],
        "rounds": [str(rnd["id"])],
        "matches": [str(match["id"])],
        "join": [code],  # /api/v1/join/{code}
        "associations": [association],
        "programme-requests": [asked.json()["id"]],
        "me": [association],  # /api/v1/me/associations/{id}
    }
    words = ["pin", "forbid", "optimal", "stable", "mentee", "mentor", "skill", "accept", ""]
    tables = await watched_tables(pool)
    valid: dict[str, dict[str, Any]] = {
        "SignupIn": signup_body(email="fuzz.signup@example.org"),
        "ProfilePatch": {"headline": "Organiser of the spring cohort", "languages": ["en"]},
        "LoginIn": {"email": "organiser@example.org", "password": "correct horse battery staple"},
        "ProgrammeIn": {"name": "Fuzz programme", "settings": {"min_overlap_hours": 2}},
        "ProgrammePatch": {"description": "Spring cohort", "settings": {"mode": "stable"}},
        "OrganiserIn": {"person_id": mentor},
        "RequestIn": {"mentor_id": mentor},
        "RoundIn": {"mode": "optimal", "min_overlap_hours": 1},
        "OverrideIn": {"mentee_id": mentee, "mentor_id": mentor, "kind": "forbid"},
        "FeedbackIn": {"rating": 4, "comment": "We meet weekly", "still_meeting": True},
        "JoinIn": {"code": code},
        "AssociationIn": {"name": "Porto PM meetup", "kind": "local_group", "country": "PT"},
        "AssociationPatch": {"description": "Monthly talks", "focus": ["Agile"]},
        "ApiKeyIn": {"name": "Membership sync"},
        "MembershipIn": {"association_id": association, "member_ref": "M-1"},
        "ProgrammeRequestIn": {"name": "Spring cohort", "description": "For members"},
        "PasswordResetIn": {"email": "organiser@example.org"},
        "EventIn": new_event,
        "EventPatch": {"title": "Fuzz seminar", "capacity": 5, "languages": ["en"]},
        # The same password again: the organiser stays able to log in with LoginIn's.
        "PasswordChangeIn": {
            "current_password": "correct horse battery staple",
            "new_password": "correct horse battery staple",
        },
    }
    values = [*people, association, *words, 0, 1, 3, 5, 40, -1, 0.5, True, None]
    return World(ids, values, valid, tables)


@st.composite
def requests(draw, spec: dict[str, Any], world: World):
    operations = sorted(
        (method, path)
        for path, ops in spec["paths"].items()
        if path.startswith("/api/")
        for method in ops
        if (method, path) not in SKIP
    )
    method, path = draw(st.sampled_from(operations))
    op = spec["paths"][path][method]
    for param in ("{id}", "{code}"):
        if param in path:
            real = world.ids.get(path.split("/")[3], [])
            path = path.replace(param, draw(st.sampled_from([*real * 6, *JUNK_IDS])))
    params = {}
    for p in op.get("parameters", []):
        if p["in"] == "query" and draw(st.booleans()):
            params[p["name"]] = draw(st.text(max_size=8) | st.integers().map(str))
    name = _schema_name(op)
    body: Any = None
    if name is not None:
        assert name in world.valid, f"add a valid {name} body to the world fixture"
        if draw(st.integers(0, 4)):
            value = (
                st.sampled_from(world.values)
                | st.sampled_from(UNSTORABLE)
                | json_values
                | st.just(_DROP)
            )
            fields = _fields(spec, name)
            changes = draw(st.dictionaries(st.sampled_from(fields), value, max_size=3))
            body = _mutated(world.valid[name], changes)
        else:
            body = draw(json_values)
    return method, path, params, body


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_every_operation_answers_4xx_or_2xx_and_a_4xx_writes_nothing(
    client, app, pool, world, data
):
    method, path, params, body = data.draw(requests(app.state.config.openapi, world))
    before = await _snapshot(pool, world.tables)
    # Encoded here (ASCII with escapes) so that lone surrogates can be sent at all.
    r = await client.request(
        method,
        path,
        params=params,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )
    event(f"{r.status_code}")
    assert r.status_code < 500, (method, path, body, r.text)
    if r.status_code >= 400:
        error = r.json()["error"]
        assert error["code"] and error["message"], r.text
        if r.status_code == 422:
            assert error["fields"], r.text  # a field-level message
        after = await _snapshot(pool, world.tables)
        changed = [t for t in world.tables if before[t] != after[t]]
        assert not changed, (method, path, body, r.status_code, changed)
