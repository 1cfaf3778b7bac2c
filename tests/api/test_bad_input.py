"""Every kind of bad input gets a clear 4xx naming the field, and leaves nothing behind."""

from __future__ import annotations

import json

import pytest

from tests.api.test_pages import FORM
from tests.conftest import csrf_from, sign_up_and_login, signup_body

BAD_SIGNUPS = [
    ("email", {"email": "not-an-email"}),
    ("email", {"email": "ana@"}),
    ("email", {"email": 42}),
    ("password", {"password": "short"}),
    ("password", {"password": "x" * 129}),
    ("timezone", {"timezone": "Mars/Olympus_Mons"}),
    ("timezone", {"timezone": "GMT+25"}),
    ("languages", {"languages": ["xx"]}),
    ("languages", {"languages": ["english"]}),
    ("languages", {"languages": []}),
    ("languages", {"languages": "en"}),
    ("availability.0", {"availability": [{"day": "tue", "start": "20:00", "end": "18:00"}]}),
    ("availability.0.start", {"availability": [{"day": "tue", "start": "25:00", "end": "26:00"}]}),
    ("availability.0.day", {"availability": [{"day": "funday", "start": "10:00", "end": "11:00"}]}),
    ("availability.0", {"availability": ["Tuesday evening"]}),
    ("availability.0.end", {"availability": [{"day": "tue", "start": "10:00", "end": "10:5"}]}),
    ("availability.0.end", {"availability": [{"day": "tue", "start": "10:00"}]}),
    ("availability", {"availability": [{"day": "mon", "start": "10:00", "end": "11:00"}] * 29}),
    ("mentor_capacity", {"roles": ["mentor"], "mentor_capacity": 0}),
    ("mentor_capacity", {"roles": ["mentor"], "mentor_capacity": 11}),
    ("mentor_capacity", {"roles": ["mentor"]}),
    ("mentor_capacity", {"roles": ["mentee"], "mentor_capacity": 2}),
    ("mentor_capacity", {"roles": ["mentor"], "mentor_capacity": 2.5}),
    ("roles", {"roles": []}),
    ("roles.0", {"roles": ["admin"]}),
    ("display_name", {"display_name": ""}),
    ("display_name", {"display_name": "x" * 81}),
    ("headline", {"headline": "x" * 121}),
    ("bio", {"bio": "x" * 2001}),
    ("current_role", {"current_role": "x" * 121}),
    ("employer", {"employer": "x" * 121}),
    ("city", {"city": "x" * 101}),
    ("country", {"country": "Portugal"}),
    ("country", {"country": "QQ"}),
    ("skills", {"skills": [f"skill {i}" for i in range(51)]}),
    ("skills.0", {"skills": ["x" * 61]}),
    ("skills.0", {"skills": [""]}),
    ("skills.0", {"skills": [7]}),
    ("goals", {"goals": "earn pmp"}),
    ("tools", {"tools": [f"tool {i}" for i in range(51)]}),
    ("years_experience", {"years_experience": "five"}),
    ("years_experience", {"years_experience": "5"}),
    ("years_experience", {"years_experience": -1}),
    ("years_experience", {"years_experience": 61}),
    ("years_experience", {"years_experience": True}),
    ("consent_to_match", {"consent_to_match": "yes"}),
    ("meeting_modes.0", {"meeting_modes": ["telepathy"]}),
    ("meeting_modes", {"meeting_modes": []}),
    ("unexpected", {"unexpected": 1}),
]


@pytest.mark.parametrize(
    ("field", "override"), BAD_SIGNUPS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_SIGNUPS)]
)
async def test_bad_signup_is_422_with_field_message_and_no_row(client, pool, field, override):
    r = await client.post("/api/v1/people", json=signup_body(**override))
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_error"
    fields = {f["field"]: f["message"] for f in error["fields"]}
    assert field in fields, fields
    assert fields[field]
    assert await pool.fetchval("SELECT count(*) FROM people") == 0
    assert await pool.fetchval("SELECT count(*) FROM availability_windows") == 0


async def test_missing_required_fields_are_each_named(client):
    r = await client.post("/api/v1/people", json={})
    assert r.status_code == 422
    named = {f["field"] for f in r.json()["error"]["fields"]}
    assert {"email", "password", "display_name", "roles", "timezone", "languages"} <= named


async def test_duplicate_email_in_any_case_is_409(client, pool):
    body = signup_body(email="Ana.Silva@Example.org")
    assert (await client.post("/api/v1/people", json=body)).status_code == 201
    for email in ("ana.silva@example.org", "ANA.SILVA@EXAMPLE.ORG"):
        r = await client.post("/api/v1/people", json=signup_body(email=email))
        assert r.status_code == 409
        assert r.json()["error"]["fields"][0]["field"] == "email"
    assert await pool.fetchval("SELECT count(*) FROM people") == 1
    assert await pool.fetchval("SELECT count(*) FROM availability_windows") == 2


@pytest.mark.parametrize("raw", [b"{", b'{"email": }', b"\xff\xfe", b"[1, 2", b'{"a": 1}}'])
async def test_malformed_json_is_400(client, raw):
    r = await client.post(
        "/api/v1/people", content=raw, headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("raw", [b"[]", b'"text"', b"42", b"null", b""])
async def test_json_that_is_not_an_object_is_422(client, raw):
    r = await client.post(
        "/api/v1/people", content=raw, headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert r.json()["error"]["fields"][0]["field"] == "body"


async def test_form_encoded_body_to_json_api_is_415(client):
    r = await client.post("/api/v1/people", data={"email": "a@example.org"})
    assert r.status_code == 415


async def test_no_body_at_all_is_an_empty_object(client, pool):
    """`curl -X POST .../rounds`: no body, no Content-Type, the same as sending {}."""
    me = await sign_up_and_login(client, consent_to_match=False)
    await pool.execute("UPDATE people SET is_admin = true WHERE id = $1", me["id"])
    ids = []
    for _ in range(2):
        r = await client.post("/api/v1/programmes", json={"name": "PMI Lisbon 2027"})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    with_object = await client.post(f"/api/v1/programmes/{ids[0]}/rounds", json={})
    assert with_object.status_code == 202, with_object.text
    empty = await client.post(f"/api/v1/programmes/{ids[1]}/rounds")
    assert "content-type" not in empty.request.headers
    assert empty.status_code == 202, empty.text
    assert empty.json()["settings"] == with_object.json()["settings"]
    # It is that operation: a second round of the programme while one is queued is a 409.
    assert (await client.post(f"/api/v1/programmes/{ids[1]}/rounds")).status_code == 409

    # Anything else that is not JSON is still a 415: a body without a Content-Type, an empty
    # body declared as something else, and an empty one from a browser page (a CSRF attempt).
    for content, headers in (
        (b'{"mode": "stable"}', {}),
        (b"", {"content-type": "text/plain"}),
        (b"", {"origin": "http://localhost:3000"}),
    ):
        r = await client.post(
            f"/api/v1/programmes/{ids[0]}/rounds", content=content, headers=headers
        )
        assert r.status_code == 415, (content, headers, r.text)
    assert await pool.fetchval("SELECT count(*) FROM rounds") == 2

    # A body the model needs answers 422 naming each required field, as {} does.
    signup = await client.post("/api/v1/people")
    assert signup.status_code == 422, signup.text
    named = {f["field"] for f in signup.json()["error"]["fields"]}
    assert {"email", "password", "display_name", "roles", "timezone", "languages"} <= named
    assert await pool.fetchval("SELECT count(*) FROM people") == 1


async def test_openapi_marks_a_body_of_optional_fields_optional(client):
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert paths["/api/v1/programmes/{id}/rounds"]["post"]["requestBody"]["required"] is False
    assert paths["/api/v1/people"]["post"]["requestBody"]["required"] is True


async def test_body_over_one_mebibyte_is_413(client, pool):
    big = signup_body(bio="x" * (1024 * 1024))
    r = await client.post("/api/v1/people", json=big)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"
    assert await pool.fetchval("SELECT count(*) FROM people") == 0


async def test_streamed_body_over_limit_without_length_is_413(client):
    async def chunks():
        for _ in range(20):
            yield b"x" * 65536

    r = await client.post(
        "/api/v1/people", content=chunks(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413


async def test_bad_patch_is_422_and_changes_nothing(client):
    me = await sign_up_and_login(client)
    for bad in (
        {"headline": "ok", "timezone": "Nowhere/Land"},
        {"headline": "ok", "skills": ["s"] * 51},
        {"headline": "ok", "availability": ["Mon 10:00-09:00"]},
        {"headline": "ok", "mentor_capacity": 0},
        {"headline": "ok", "password_hash": "x"},
    ):
        r = await client.patch("/api/v1/me", json=bad)
        assert r.status_code == 422, (bad, r.text)
    now = (await client.get("/api/v1/me")).json()
    assert now == me


async def test_unknown_routes_and_methods_are_json_errors(client):
    r = await client.get("/api/v1/nope")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = await client.put("/api/v1/people", json={})
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("field", "raw_value"),
    [
        ("display_name", r'"Ana\u0000Silva"'),
        ("display_name", r'"\ud800"'),
        ("skills", r'["Risk management", "a\u0000"]'),
    ],
)
async def test_text_postgres_cannot_store_is_422_naming_the_field(client, pool, field, raw_value):
    # A NUL or a lone surrogate is valid JSON but not storable text: refused up front.
    body = json.dumps(signup_body(**{field: "PLACEHOLDER"})).replace('"PLACEHOLDER"', raw_value)
    r = await client.post(
        "/api/v1/people", content=body.encode(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 422, r.text
    named = {f["field"] for f in r.json()["error"]["fields"]}
    assert named == {field if field != "skills" else "skills.1"}
    assert await pool.fetchval("SELECT count(*) FROM people") == 0


async def test_a_nul_in_a_form_is_422_and_writes_nothing(client, pool):
    page = await client.get("/signup")
    form = {**FORM, "display_name": "Ana\x00Silva", "csrf_token": csrf_from(page.text)}
    r = await client.post("/signup", data=form)
    assert r.status_code == 422
    assert "display_name" in r.text
    assert await pool.fetchval("SELECT count(*) FROM people") == 0
