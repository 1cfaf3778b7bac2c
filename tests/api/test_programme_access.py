"""Open and invitation-only programmes, invitation codes, open places and the next round."""

from __future__ import annotations

import re
import uuid

from tests.api.test_programmes import admin, appoint, join, mentor, programme
from tests.conftest import account

CODE = re.compile(r"[A-Za-z0-9_-]{22}")


def listed_ids(r) -> list[str]:
    assert r.status_code == 200, r.text
    return [p["id"] for p in r.json()["programmes"]]


async def _invitation_only(client, pool):
    """An open programme, an invitation-only one with an organiser, and a stranger."""
    _, boss = await admin(client, pool)
    open_one = await programme(client, boss, name="Open cohort")
    closed = await programme(client, boss, name="Invited cohort", access="invitation")
    org, org_headers = await account(client, display_name="Olga Organiser")
    await appoint(client, closed["id"], org["id"], boss)
    _, stranger = await account(client, display_name="Sam Stranger")
    return boss, open_one, closed, org_headers, stranger


async def test_invitation_only_programmes_are_listed_to_members_and_organisers_only(client, pool):
    boss, open_one, closed, org_headers, stranger = await _invitation_only(client, pool)
    assert closed["access"] == "invitation" and open_one["access"] == "open"

    # A stranger sees the open programme only, and no invitation code anywhere.
    r = await client.get("/api/v1/programmes", headers=stranger)
    assert listed_ids(r) == [open_one["id"]]
    assert "invitation_code" not in r.text
    r = await client.get(f"/api/v1/programmes/{closed['id']}", headers=stranger)
    assert r.status_code == 404
    seen = (await client.get(f"/api/v1/programmes/{open_one['id']}", headers=stranger)).json()
    assert seen["invitation_code"] is None

    # Its organiser and site admins see it, with its code (random, URL-safe, one per programme).
    assert set(listed_ids(await client.get("/api/v1/programmes", headers=org_headers))) == {
        open_one["id"],
        closed["id"],
    }
    assert len(listed_ids(await client.get("/api/v1/programmes", headers=boss))) == 2
    detail = (await client.get(f"/api/v1/programmes/{closed['id']}", headers=org_headers)).json()
    assert detail["is_organiser"] and detail["organisers"][0]["display_name"] == "Olga Organiser"
    code = detail["invitation_code"]
    assert CODE.fullmatch(code)
    assert (await client.get(f"/api/v1/programmes/{closed['id']}", headers=boss)).json()[
        "invitation_code"
    ] == code
    assert open_one["invitation_code"] != code and CODE.fullmatch(open_one["invitation_code"])
    assert (
        await pool.fetchval(
            "SELECT invitation_code FROM programmes WHERE name = $1", closed["name"]
        )
        == code
    )

    # Once the stranger joins with the code it is theirs: listed, readable, still no code.
    r = await client.post(
        f"/api/v1/programmes/{closed['id']}/join", json={"code": code}, headers=stranger
    )
    assert r.status_code == 201, r.text
    assert set(listed_ids(await client.get("/api/v1/programmes", headers=stranger))) == {
        open_one["id"],
        closed["id"],
    }
    member_view = (await client.get(f"/api/v1/programmes/{closed['id']}", headers=stranger)).json()
    assert member_view["is_member"] and member_view["invitation_code"] is None
    listed = (await client.get("/api/v1/programmes", headers=stranger)).json()["programmes"]
    mine = next(p for p in listed if p["id"] == closed["id"])
    assert mine["is_member"] and mine["organisers"] == detail["organisers"]

    # Leaving: no longer theirs, so no longer visible.
    r = await client.post(f"/api/v1/programmes/{closed['id']}/leave", headers=stranger)
    assert r.status_code == 204
    assert listed_ids(await client.get("/api/v1/programmes", headers=stranger)) == [open_one["id"]]
    r = await client.get(f"/api/v1/programmes/{closed['id']}", headers=stranger)
    assert r.status_code == 404


async def test_joining_an_invitation_only_programme_needs_its_code(client, pool):
    boss, open_one, closed, org_headers, stranger = await _invitation_only(client, pool)
    code = (await client.get(f"/api/v1/programmes/{closed['id']}", headers=boss)).json()[
        "invitation_code"
    ]
    url = f"/api/v1/programmes/{closed['id']}/join"
    wrong = [
        None,  # no body at all
        {},
        {"code": None},
        {"code": ""},
        {"code": code[:-1] + ("A" if code[-1] != "A" else "B")},
        {"code": open_one["invitation_code"]},  # another programme's code
        {"code": "é" * 22},
        {"code": code + "x"},
    ]
    for body in wrong:
        r = await client.post(url, json=body, headers=stranger)
        assert r.status_code == 403, (body, r.text)
        assert r.json()["error"]["code"] == "forbidden"
    assert await pool.fetchval("SELECT count(*) FROM programme_members") == 0

    r = await client.post(url, json={"code": code}, headers=stranger)
    assert r.status_code == 201, r.text
    assert r.json()["programme_id"] == closed["id"]
    # A member joining again needs no code and changes nothing.
    again = await client.post(url, headers=stranger)
    assert again.status_code == 200 and again.json()["joined_at"] == r.json()["joined_at"]

    # Open programmes need no code: no body, an empty object, or any code at all.
    open_url = f"/api/v1/programmes/{open_one['id']}/join"
    assert (await client.post(open_url, headers=stranger)).status_code == 201
    _, other = await account(client)
    assert (await client.post(open_url, json={}, headers=other)).status_code == 201
    # Its organisers need none either (they hold the code).
    assert (await client.post(url, headers=org_headers)).status_code == 201
    # A body, when sent, is JSON and a JSON object with known fields.
    r = await client.post(url, content=b"code=x", headers={**other, "content-type": "text/plain"})
    assert r.status_code == 415
    r = await client.post(url, json={"code": code, "colour": "blue"}, headers=other)
    assert r.status_code == 422

    # Joining by the code itself: POST /api/v1/join/{code}.
    r = await client.post(f"/api/v1/join/{code}", headers=other)
    assert r.status_code == 201, r.text
    assert r.json()["programme_id"] == closed["id"]
    assert (await client.post(f"/api/v1/join/{code}", headers=other)).status_code == 200
    for unknown in ("A" * 22, "not a code", code + "x"):
        r = await client.post(f"/api/v1/join/{unknown}", headers=other)
        assert r.status_code == 404, (unknown, r.text)
    assert (await client.post(f"/api/v1/join/{code}")).status_code == 401
    # Joining still means being matched: consent first, whichever way.
    _, shy = await account(client, consent_to_match=False)
    r = await client.post(f"/api/v1/join/{code}", headers=shy)
    assert r.status_code == 422
    assert r.json()["error"]["fields"][0]["field"] == "consent_to_match"
    r = await client.post(url, json={"code": code}, headers=shy)
    assert r.status_code == 422
    members = await pool.fetchval(
        "SELECT count(*) FROM programme_members WHERE programme_id = $1", uuid.UUID(closed["id"])
    )
    assert members == 3  # the stranger, the organiser and the other


async def test_a_new_invitation_code_replaces_the_old_one(client, pool):
    boss, _, closed, org_headers, stranger = await _invitation_only(client, pool)
    url = f"/api/v1/programmes/{closed['id']}"
    old = (await client.get(url, headers=org_headers)).json()["invitation_code"]

    # Only its organisers and site admins make a new one.
    r = await client.post(url + "/invitation", headers=stranger)
    assert r.status_code == 403
    r = await client.post(url + "/invitation", headers=org_headers)
    assert r.status_code == 200, r.text
    new = r.json()["invitation_code"]
    assert r.json()["programme_id"] == closed["id"]
    assert CODE.fullmatch(new) and new != old
    assert (await client.get(url, headers=org_headers)).json()["invitation_code"] == new
    r = await client.post(url + "/invitation", headers=boss)
    assert r.status_code == 200
    newest = r.json()["invitation_code"]
    assert newest not in (old, new)

    # The old codes no longer work, either way; the current one does.
    for stale in (old, new):
        r = await client.post(url + "/join", json={"code": stale}, headers=stranger)
        assert r.status_code == 403
        assert (await client.post(f"/api/v1/join/{stale}", headers=stranger)).status_code == 404
    r = await client.post(url + "/join", json={"code": newest}, headers=stranger)
    assert r.status_code == 201
    # Members do not make codes.
    assert (await client.post(url + "/invitation", headers=stranger)).status_code == 403
    missing = f"/api/v1/programmes/{uuid.uuid4()}/invitation"
    assert (await client.post(missing, headers=boss)).status_code == 404


async def test_open_places_are_capacity_minus_open_mentorships(client, pool):
    _, boss = await admin(client, pool)
    p = await programme(client, boss)
    other = await programme(client, boss, name="Elsewhere")
    rui, rui_headers = await mentor(client, capacity=3)
    bea, bea_headers = await mentor(client, capacity=1)
    _, cid_headers = await mentor(client, capacity=2)
    for headers in (rui_headers, bea_headers, cid_headers):
        await join(client, p["id"], headers)
    # A mentor who no longer agrees to be matched takes nobody: their places are not open.
    r = await client.patch("/api/v1/me", json={"consent_to_match": False}, headers=cid_headers)
    assert r.status_code == 200

    async def places() -> tuple[int, int, int]:
        got = (await client.get(f"/api/v1/programmes/{p['id']}", headers=boss)).json()
        listed = (await client.get("/api/v1/programmes", headers=boss)).json()["programmes"]
        assert next(x for x in listed if x["id"] == p["id"])["open_places"] == got["open_places"]
        return got["mentees"], got["mentors"], got["open_places"]

    assert await places() == (0, 3, 4)
    mentees = []
    for _ in range(3):
        _, headers = await account(client)
        await join(client, p["id"], headers)
        mentees.append(headers)
    assert await places() == (3, 3, 4)

    async def ask(pid: str, mentor_id: str, headers) -> None:
        r = await client.post(
            f"/api/v1/programmes/{pid}/requests", json={"mentor_id": mentor_id}, headers=headers
        )
        assert r.status_code == 201, r.text

    await ask(p["id"], rui["id"], mentees[0])
    await ask(p["id"], bea["id"], mentees[1])
    assert await places() == (3, 3, 2)
    # A mentor's places are shared by all their programmes.
    await join(client, other["id"], rui_headers)
    _, elsewhere = await account(client)
    await join(client, other["id"], elsewhere)
    await ask(other["id"], rui["id"], elsewhere)
    assert await places() == (3, 3, 1)
    # Leaving ends the mentee's request and frees the place.
    r = await client.post(f"/api/v1/programmes/{p['id']}/leave", headers=mentees[0])
    assert r.status_code == 204
    assert await places() == (2, 3, 2)


async def test_access_and_next_round_are_set_by_organisers(client, pool):
    _, boss = await admin(client, pool)
    created = await programme(client, boss, next_round_on="2031-03-04")
    assert created["next_round_on"] == "2031-03-04" and created["access"] == "open"
    _, stranger = await account(client)
    url = f"/api/v1/programmes/{created['id']}"

    r = await client.patch(url, json={"access": "invitation"}, headers=boss)
    assert r.status_code == 200, r.text
    assert r.json()["access"] == "invitation" and r.json()["next_round_on"] == "2031-03-04"
    assert listed_ids(await client.get("/api/v1/programmes", headers=stranger)) == []
    r = await client.patch(
        url, json={"next_round_on": "2031-04-01", "access": "open"}, headers=boss
    )
    assert (r.json()["access"], r.json()["next_round_on"]) == ("open", "2031-04-01")
    assert listed_ids(await client.get("/api/v1/programmes", headers=stranger)) == [created["id"]]
    # null clears the date; other fields sent leave it alone.
    r = await client.patch(url, json={"description": "Spring"}, headers=boss)
    assert r.json()["next_round_on"] == "2031-04-01"
    r = await client.patch(url, json={"next_round_on": None}, headers=boss)
    assert r.status_code == 200 and r.json()["next_round_on"] is None

    for body, field in (
        ({"access": "secret"}, "access"),
        ({"access": None}, "access"),
        ({"next_round_on": "2031-02-30"}, "next_round_on"),
        ({"next_round_on": "04/03/2031"}, "next_round_on"),
        ({"next_round_on": "2031-W10-1"}, "next_round_on"),
        ({"next_round_on": 20310304}, "next_round_on"),
        ({"invitation_code": "A" * 22}, "invitation_code"),
    ):
        r = await client.patch(url, json=body, headers=boss)
        assert r.status_code == 422, (body, r.text)
        assert field in [f["field"] for f in r.json()["error"]["fields"]], (body, r.text)
    r = await client.patch(url, json={"next_round_on": "2031-02-30"}, headers=boss)
    assert (
        r.json()["error"]["fields"][0]["message"] == "Enter a date like 2027-01-31 (year-month-day)"
    )
    r = await client.patch(url, json={"next_round_on": "2031-05-06"}, headers=stranger)
    assert r.status_code == 403
    stored = await pool.fetchrow("SELECT access, next_round_on FROM programmes")
    assert (stored["access"], stored["next_round_on"]) == ("open", None)


async def test_openapi_documents_the_optional_join_body(client):
    spec = (await client.get("/openapi.json")).json()
    body = spec["paths"]["/api/v1/programmes/{id}/join"]["post"]["requestBody"]
    assert body["required"] is False
    assert "post" in spec["paths"]["/api/v1/join/{code}"]
    assert "post" in spec["paths"]["/api/v1/programmes/{id}/invitation"]
    docs = (await client.get("/docs")).text
    assert "Body (optional)" in docs
