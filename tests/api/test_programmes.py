"""Programmes, organisers, membership and mentee requests through the JSON API."""

from __future__ import annotations

import uuid

import httpx
import pytest

from service.programmes.schemas import DEFAULT_WEIGHTS
from tests.conftest import account

Headers = dict[str, str]


async def admin(client: httpx.AsyncClient, pool) -> tuple[dict, Headers]:
    """A site admin (made one directly in the database)."""
    profile, headers = await account(client, display_name="Site Admin")
    await pool.execute("UPDATE people SET is_admin = true WHERE id = $1", uuid.UUID(profile["id"]))
    return profile, headers


async def appoint(client: httpx.AsyncClient, programme_id: str, person_id: str, boss: Headers):
    """Make a person an organiser of a programme, as the site admin ``boss``."""
    r = await client.post(
        f"/api/v1/programmes/{programme_id}/organisers",
        json={"person_id": person_id},
        headers=boss,
    )
    assert r.status_code == 201, r.text


async def programme(client: httpx.AsyncClient, headers: Headers, **body: object) -> dict:
    """Create a programme as ``headers`` (an admin)."""
    r = await client.post(
        "/api/v1/programmes", json={"name": "PMI Lisbon 2027", **body}, headers=headers
    )
    assert r.status_code == 201, r.text
    return r.json()


async def mentor(
    client: httpx.AsyncClient, capacity: int = 2, **kw: object
) -> tuple[dict, Headers]:
    """A consenting mentor."""
    return await account(
        client,
        roles=["mentor"],
        mentor_capacity=capacity,
        display_name="Rui Mentor",
        headline="Senior PM, PMP",
        employer="Secret Employer Lda",
        **kw,
    )


async def join(client: httpx.AsyncClient, programme_id: str, headers: Headers) -> None:
    r = await client.post(f"/api/v1/programmes/{programme_id}/join", headers=headers)
    assert r.status_code == 201, r.text


async def test_only_site_admins_create_programmes(client, pool):
    body = {"name": "PMI Lisbon spring 2027", "description": "Spring cohort"}
    r = await client.post("/api/v1/programmes", json=body)
    assert r.status_code == 401
    _, person = await account(client)
    r = await client.post("/api/v1/programmes", json=body, headers=person)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    assert await pool.fetchval("SELECT count(*) FROM programmes") == 0

    me, boss = await admin(client, pool)
    r = await client.post("/api/v1/programmes", json=body, headers=boss)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["name"] == "PMI Lisbon spring 2027"
    assert created["settings"] == {
        "weights": DEFAULT_WEIGHTS,
        "min_overlap_hours": 1.0,
        "mode": "optimal",
        "round_size": None,
        "reminder_days": 5,
        "expiry_days": 10,
        "survey_days": 30,
    }
    assert created["organisers"] == [] and not created["is_member"]
    stored = await pool.fetchrow("SELECT created_by, settings FROM programmes")
    assert str(stored["created_by"]) == me["id"]
    assert stored["settings"]["weights"] == DEFAULT_WEIGHTS

    # Any logged-in person sees the list; nobody logged out does.
    assert (await client.get("/api/v1/programmes")).status_code == 401
    r = await client.get("/api/v1/programmes", headers=person)
    assert r.status_code == 200
    [listed] = r.json()["programmes"]
    assert listed["id"] == created["id"]
    assert (listed["members"], listed["mentees"], listed["mentors"]) == (0, 0, 0)
    assert (
        await client.get(f"/api/v1/programmes/{created['id']}", headers=person)
    ).status_code == 200


BAD_SETTINGS = [
    ("settings.weights.speed", {"weights": {"speed": 1}}),
    ("settings.weights.tools", {"weights": {"tools": -0.5}}),
    ("settings.weights.need_offer", {"weights": {"need_offer": 11}}),
    ("settings.weights.text", {"weights": {"text": "1"}}),
    ("settings.weights", {"weights": dict.fromkeys(DEFAULT_WEIGHTS, 0)}),
    ("settings.weights", {"weights": [1, 2]}),
    ("settings.min_overlap_hours", {"min_overlap_hours": 41}),
    ("settings.min_overlap_hours", {"min_overlap_hours": -1}),
    ("settings.min_overlap_hours", {"min_overlap_hours": "2"}),
    ("settings.mode", {"mode": "fast"}),
    ("settings.round_size", {"round_size": 0}),
    ("settings.round_size", {"round_size": 100_001}),
    ("settings.round_size", {"round_size": 2.5}),
    ("settings.colour", {"colour": "blue"}),
    ("settings.expiry_days", {"reminder_days": 10, "expiry_days": 5}),
    ("settings.reminder_days", {"reminder_days": 0}),
    ("settings.survey_days", {"survey_days": 366}),
]


@pytest.mark.parametrize(("field", "bad"), BAD_SETTINGS)
async def test_bad_settings_are_422_naming_the_field(client, pool, field, bad):
    _, boss = await admin(client, pool)
    r = await client.post(
        "/api/v1/programmes", json={"name": "Cohort", "settings": bad}, headers=boss
    )
    assert r.status_code == 422, r.text
    assert field in [f["field"] for f in r.json()["error"]["fields"]]
    assert await pool.fetchval("SELECT count(*) FROM programmes") == 0

    created = await programme(client, boss)
    r = await client.patch(
        f"/api/v1/programmes/{created['id']}", json={"settings": bad}, headers=boss
    )
    assert r.status_code == 422, r.text
    assert field in [f["field"] for f in r.json()["error"]["fields"]]


async def test_bad_programme_fields(client, pool):
    _, boss = await admin(client, pool)
    for field, body in (
        ("name", {"name": ""}),
        ("name", {"name": "x" * 121}),
        ("description", {"name": "ok", "description": "x" * 2001}),
        ("name", {}),
        ("owner", {"name": "ok", "owner": "me"}),
    ):
        r = await client.post("/api/v1/programmes", json=body, headers=boss)
        assert r.status_code == 422, (body, r.text)
        assert field in [f["field"] for f in r.json()["error"]["fields"]]
    created = await programme(client, boss)
    r = await client.patch(f"/api/v1/programmes/{created['id']}", json={"name": None}, headers=boss)
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == [{"field": "name", "message": "may not be null"}]


async def test_patch_changes_only_what_is_sent(client, pool):
    _, boss = await admin(client, pool)
    created = await programme(
        client,
        boss,
        description="Spring",
        settings={"min_overlap_hours": 2, "weights": {"tools": 4}, "round_size": 50},
    )
    assert created["settings"]["weights"] == {**DEFAULT_WEIGHTS, "tools": 4.0}
    r = await client.patch(
        f"/api/v1/programmes/{created['id']}", json={"settings": {"mode": "stable"}}, headers=boss
    )
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["settings"] == {
        "weights": {**DEFAULT_WEIGHTS, "tools": 4.0},
        "min_overlap_hours": 2.0,
        "mode": "stable",
        "round_size": 50,
        "reminder_days": 5,
        "expiry_days": 10,
        "survey_days": 30,
    }
    assert after["description"] == "Spring" and after["name"] == created["name"]
    r = await client.patch(
        f"/api/v1/programmes/{created['id']}",
        json={"name": "Autumn", "settings": {"round_size": None}},
        headers=boss,
    )
    assert r.json()["name"] == "Autumn"
    assert r.json()["settings"]["round_size"] is None
    assert r.json()["settings"]["mode"] == "stable"
    assert r.json()["updated_at"] > created["updated_at"]


async def test_organisers_act_on_their_own_programmes_only(client, pool):
    _, boss = await admin(client, pool)
    mine = await programme(client, boss, name="Mine")
    other = await programme(client, boss, name="Other")
    org, organiser = await account(client, display_name="Olga Organiser")
    _, stranger = await account(client)

    # Only admins appoint, by email (any case) or by id; appointing again changes nothing.
    url = f"/api/v1/programmes/{mine['id']}/organisers"
    r = await client.post(url, json={"email": org["email"]}, headers=organiser)
    assert r.status_code == 403
    r = await client.post(url, json={"email": org["email"].upper()}, headers=boss)
    assert r.status_code == 201, r.text
    assert r.json() == {"id": org["id"], "display_name": "Olga Organiser"}
    r = await client.post(url, json={"person_id": org["id"]}, headers=boss)
    assert r.status_code == 200
    for body, field in (
        ({"email": "nobody@example.org"}, "email"),
        ({"person_id": str(uuid.uuid4())}, "person_id"),
        ({"person_id": "not-a-uuid"}, "person_id"),
        ({}, "body"),
        ({"email": org["email"], "person_id": org["id"]}, "body"),
    ):
        r = await client.post(url, json=body, headers=boss)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["fields"][0]["field"] == field

    detail = (await client.get(f"/api/v1/programmes/{mine['id']}", headers=organiser)).json()
    assert detail["organisers"] == [{"id": org["id"], "display_name": "Olga Organiser"}]
    assert detail["is_organiser"]
    other_detail = await client.get(f"/api/v1/programmes/{other['id']}", headers=organiser)
    assert not other_detail.json()["is_organiser"]

    # On their programme: edit and list members. Elsewhere: 403, like any other person.
    r = await client.patch(
        f"/api/v1/programmes/{mine['id']}", json={"description": "ours"}, headers=organiser
    )
    assert r.status_code == 200 and r.json()["description"] == "ours"
    ok = await client.get(f"/api/v1/programmes/{mine['id']}/members", headers=organiser)
    assert ok.status_code == 200
    for headers in (organiser, stranger):
        r = await client.patch(
            f"/api/v1/programmes/{other['id']}", json={"description": "x"}, headers=headers
        )
        assert r.status_code == 403
        r = await client.get(f"/api/v1/programmes/{other['id']}/members", headers=headers)
        assert r.status_code == 403
    r = await client.patch(
        f"/api/v1/programmes/{mine['id']}", json={"description": "x"}, headers=stranger
    )
    assert r.status_code == 403
    # Admins act everywhere; organisers do not create programmes.
    r = await client.patch(
        f"/api/v1/programmes/{other['id']}", json={"description": "admin"}, headers=boss
    )
    assert r.status_code == 200
    r = await client.post("/api/v1/programmes", json={"name": "x"}, headers=organiser)
    assert r.status_code == 403


async def test_join_needs_consent_and_leave_is_idempotent(client, pool):
    _, boss = await admin(client, pool)
    p = await programme(client, boss)
    url = f"/api/v1/programmes/{p['id']}"
    _, shy = await account(client, consent_to_match=False)
    r = await client.post(url + "/join", headers=shy)
    assert r.status_code == 422
    assert r.json()["error"]["fields"][0]["field"] == "consent_to_match"
    assert await pool.fetchval("SELECT count(*) FROM programme_members") == 0

    assert (
        await client.patch("/api/v1/me", json={"consent_to_match": True}, headers=shy)
    ).status_code == 200
    r = await client.post(url + "/join", headers=shy)
    assert r.status_code == 201, r.text
    joined_at = r.json()["joined_at"]
    again = await client.post(url + "/join", headers=shy)
    assert again.status_code == 200 and again.json()["joined_at"] == joined_at
    _, mentor_headers = await mentor(client)
    await join(client, p["id"], mentor_headers)

    listed = (await client.get("/api/v1/programmes", headers=shy)).json()["programmes"][0]
    assert (listed["members"], listed["mentees"], listed["mentors"]) == (2, 1, 1)
    assert (await client.get(url, headers=shy)).json()["is_member"]

    assert (await client.post(url + "/leave", headers=shy)).status_code == 204
    assert (await client.post(url + "/leave", headers=shy)).status_code == 204
    listed = (await client.get("/api/v1/programmes", headers=shy)).json()["programmes"][0]
    assert (listed["members"], listed["mentees"], listed["mentors"]) == (1, 0, 1)
    assert (await client.post(url + "/join")).status_code == 401


async def test_members_list_has_no_contact_details(client, pool):
    _, boss = await admin(client, pool)
    p = await programme(client, boss)
    mentee, mentee_headers = await account(client, display_name="Ana Mentee")
    rui, rui_headers = await mentor(client, country="BR", timezone="America/Sao_Paulo")
    await join(client, p["id"], mentee_headers)
    await join(client, p["id"], rui_headers)

    r = await client.get(f"/api/v1/programmes/{p['id']}/members", headers=boss)
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] == 2 and (page["limit"], page["offset"]) == (100, 0)
    assert [m["id"] for m in page["members"]] == [mentee["id"], rui["id"]]
    assert page["members"][1] == {
        "id": rui["id"],
        "display_name": "Rui Mentor",
        "roles": ["mentor"],
        "country": "BR",
        "timezone": "America/Sao_Paulo",
        "timezone_band": "americas",
        "joined_at": page["members"][1]["joined_at"],
        "matched": False,
        "email_verified": False,
        "consents": True,
    }
    for leaked in (mentee["email"], rui["email"], "Secret Employer", "Banco Exemplo", "@"):
        assert leaked not in r.text

    r = await client.get(f"/api/v1/programmes/{p['id']}/members?limit=1&offset=1", headers=boss)
    assert [m["id"] for m in r.json()["members"]] == [rui["id"]]
    assert r.json()["total"] == 2
    for query, field in (("limit=0", "limit"), ("limit=1001", "limit"), ("offset=-1", "offset")):
        r = await client.get(f"/api/v1/programmes/{p['id']}/members?{query}", headers=boss)
        assert r.status_code == 422
        assert r.json()["error"]["fields"][0]["field"] == field
    # Members themselves do not see the list.
    r = await client.get(f"/api/v1/programmes/{p['id']}/members", headers=mentee_headers)
    assert r.status_code == 403


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", "0b0e7a8c-5f1d-4c37-9a55-5d0f6a0f3b21"])
async def test_unknown_and_malformed_programme_ids_are_404(client, pool, bad_id):
    _, boss = await admin(client, pool)
    base = f"/api/v1/programmes/{bad_id}"
    calls = [
        ("GET", base, None),
        ("PATCH", base, {"description": "x"}),
        ("POST", base + "/organisers", {"email": "someone@example.org"}),
        ("POST", base + "/join", None),
        ("POST", base + "/leave", None),
        ("GET", base + "/members", None),
        ("POST", base + "/requests", {"mentor_id": str(uuid.uuid4())}),
    ]
    for method, path, body in calls:
        r = await client.request(method, path, json=body, headers=boss)
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["error"]["code"] == "not_found"


async def test_mentee_requests_a_mentor(client, pool):
    _, boss = await admin(client, pool)
    p = await programme(client, boss)
    url = f"/api/v1/programmes/{p['id']}/requests"
    mentee, mentee_headers = await account(client, display_name="Ana Mentee")
    rui, rui_headers = await mentor(client, capacity=1)
    outsider, _ = await mentor(client)
    body = {"mentor_id": rui["id"]}

    # The mentee must be a member; the mentor must be a mentor of this programme.
    r = await client.post(url, json=body, headers=mentee_headers)
    assert r.status_code == 403
    await join(client, p["id"], mentee_headers)
    r = await client.post(url, json=body, headers=mentee_headers)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "mentor_id"
    await join(client, p["id"], rui_headers)
    for bad in ({"mentor_id": outsider["id"]}, {"mentor_id": mentee["id"]}, {"mentor_id": "x"}):
        r = await client.post(url, json=bad, headers=mentee_headers)
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["error"]["fields"][0]["field"] == "mentor_id"
    # A mentor who is not also a mentee cannot ask.
    r = await client.post(url, json={"mentor_id": mentee["id"]}, headers=rui_headers)
    assert r.status_code == 403

    r = await client.post(url, json=body, headers=mentee_headers)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["status"] == "pending" and made["source"] == "request"
    assert made["my_role"] == "mentee" and made["programme_name"] == p["name"]
    assert made["other"] == {
        "id": rui["id"],
        "display_name": "Rui Mentor",
        "headline": "Senior PM, PMP",
    }

    # One open request per mentee per programme; the mentor is now full everywhere.
    r = await client.post(url, json=body, headers=mentee_headers)
    assert r.status_code == 409
    _, second_headers = await account(client)
    await join(client, p["id"], second_headers)
    r = await client.post(url, json=body, headers=second_headers)
    assert r.status_code == 409
    assert r.json()["error"]["message"] == "this mentor is full"
    p2 = await programme(client, boss, name="Another cohort")
    await join(client, p2["id"], rui_headers)
    await join(client, p2["id"], second_headers)
    r = await client.post(
        f"/api/v1/programmes/{p2['id']}/requests", json=body, headers=second_headers
    )
    assert r.status_code == 409

    # Both people see the mentorship, with the other's name and headline only.
    mine = await client.get("/api/v1/me/mentorships", headers=mentee_headers)
    assert [m["id"] for m in mine.json()["mentorships"]] == [made["id"]]
    theirs = (await client.get("/api/v1/me/mentorships", headers=rui_headers)).json()
    [seen] = theirs["mentorships"]
    assert seen["my_role"] == "mentor"
    assert seen["other"] == {
        "id": mentee["id"],
        "display_name": "Ana Mentee",
        "headline": mentee["headline"],
    }
    for text in (mine.text, str(theirs)):
        for leaked in (mentee["email"], rui["email"], "Secret Employer", "Banco Exemplo"):
            assert leaked not in text
    assert (await client.get("/api/v1/me/mentorships")).status_code == 401

    # Leaving ends the mentee's request and frees the mentor's place.
    assert (
        await client.post(f"/api/v1/programmes/{p['id']}/leave", headers=mentee_headers)
    ).status_code == 204
    mine = (await client.get("/api/v1/me/mentorships", headers=mentee_headers)).json()
    assert mine["mentorships"][0]["status"] == "ended"
    r = await client.post(url, json=body, headers=second_headers)
    assert r.status_code == 201, r.text


async def _mentee_and_mentor(client, pool):
    """A programme with a mentee and a mentor (Rui) who both joined it."""
    _, boss = await admin(client, pool)
    p = await programme(client, boss)
    _, mentee_headers = await account(client)
    rui, rui_headers = await mentor(client)
    await join(client, p["id"], mentee_headers)
    await join(client, p["id"], rui_headers)
    return p, boss, mentee_headers, rui, rui_headers


async def test_mentor_without_consent_takes_no_requests(client, pool):
    p, _, mentee_headers, rui, rui_headers = await _mentee_and_mentor(client, pool)
    await client.patch("/api/v1/me", json={"consent_to_match": False}, headers=rui_headers)
    r = await client.post(
        f"/api/v1/programmes/{p['id']}/requests",
        json={"mentor_id": rui["id"]},
        headers=mentee_headers,
    )
    assert r.status_code == 422
    assert r.json()["error"]["fields"][0]["field"] == "mentor_id"


async def test_erasing_people_keeps_programmes_consistent(client, pool):
    p, boss, mentee_headers, rui, rui_headers = await _mentee_and_mentor(client, pool)
    r = await client.post(
        f"/api/v1/programmes/{p['id']}/requests",
        json={"mentor_id": rui["id"]},
        headers=mentee_headers,
    )
    assert r.status_code == 201
    assert (await client.delete("/api/v1/me", headers=rui_headers)).status_code == 204
    assert await pool.fetchval("SELECT count(*) FROM mentorships") == 0
    assert await pool.fetchval("SELECT count(*) FROM programme_members") == 1
    assert (await client.delete("/api/v1/me", headers=boss)).status_code == 204
    assert await pool.fetchval("SELECT created_by FROM programmes") is None


async def test_openapi_documents_programme_operations(client):
    spec = (await client.get("/openapi.json")).json()
    assert "post" in spec["paths"]["/api/v1/programmes/{id}/requests"]
    create = spec["paths"]["/api/v1/programmes"]["post"]
    assert {"401", "403", "422"} <= set(create["responses"])
    params = spec["paths"]["/api/v1/programmes/{id}/members"]["get"]["parameters"]
    assert {p["name"] for p in params} == {
        *("id", "limit", "offset"),
        *("role", "matched", "country", "band", "status", "q"),
    }
