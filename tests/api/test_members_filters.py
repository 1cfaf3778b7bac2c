"""The members list's filters: role, matched or not, country, timezone band, status and part of
the name; bad values are 422 naming each parameter."""

from __future__ import annotations

import uuid

import pytest

from tests.api.test_programmes import admin, join, mentor, programme
from tests.conftest import account, settle_email


async def _world(client, pool):
    """A programme with Ana (mentee, PT, verified, matched with Rui), Bea_% (mentee, JP, no
    consent), Rui (mentor, BR) and Carla (mentor and mentee, US, verified)."""
    _, boss = await admin(client, pool)
    p = await programme(client, boss)
    ana, ana_h = await account(client, display_name="Ana Silva")
    bea, bea_h = await account(
        client, display_name="Bea_% Tanaka", country="JP", timezone="Asia/Tokyo"
    )
    rui, rui_h = await mentor(client, country="BR", timezone="America/Sao_Paulo")
    carla, carla_h = await account(
        client,
        display_name="Carla Both",
        roles=["mentee", "mentor"],
        mentor_capacity=1,
        country="US",
        timezone="America/New_York",
    )
    for h in (ana_h, bea_h, rui_h, carla_h):
        await join(client, p["id"], h)
    await client.patch("/api/v1/me", json={"consent_to_match": False}, headers=bea_h)
    for person in (ana, carla):
        await settle_email(pool, person["id"])
    r = await client.post(
        f"/api/v1/programmes/{p['id']}/requests", json={"mentor_id": rui["id"]}, headers=ana_h
    )
    assert r.status_code == 201, r.text
    names = {x["id"]: x["display_name"] for x in (ana, bea, rui, carla)}
    return p, boss, names


async def _names(client, p, boss, query: str) -> list[str]:
    r = await client.get(f"/api/v1/programmes/{p['id']}/members?{query}", headers=boss)
    assert r.status_code == 200, (query, r.text)
    page = r.json()
    assert page["total"] == len(page["members"])
    return [m["display_name"] for m in page["members"]]


async def test_each_filter_keeps_the_members_it_names(client, pool):
    p, boss, _ = await _world(client, pool)
    everyone = ["Ana Silva", "Bea_% Tanaka", "Rui Mentor", "Carla Both"]
    cases = {
        "": everyone,
        "role=mentee": ["Ana Silva", "Bea_% Tanaka", "Carla Both"],
        "role=mentor": ["Rui Mentor", "Carla Both"],
        "matched=true": ["Ana Silva", "Rui Mentor"],
        "matched=false": ["Bea_% Tanaka", "Carla Both"],
        "country=jp": ["Bea_% Tanaka"],
        "band=americas": ["Rui Mentor", "Carla Both"],
        "band=europe_africa": ["Ana Silva"],
        "band=asia_pacific": ["Bea_% Tanaka"],
        "status=email_verified": ["Ana Silva", "Carla Both"],
        "status=email_unverified": ["Bea_% Tanaka", "Rui Mentor"],
        "status=no_consent": ["Bea_% Tanaka"],
        "status=consents": ["Ana Silva", "Rui Mentor", "Carla Both"],
        "q=SILVA": ["Ana Silva"],
        "q=%25": ["Bea_% Tanaka"],  # a LIKE wildcard is a plain character
        "q=_": ["Bea_% Tanaka"],
        "q=a%25": [],
        "q=%5C": [],  # a backslash
        "role=mentee&matched=false&band=americas": ["Carla Both"],
        "role=&country=&q=+": everyone,  # a form's empty fields mean "any"
        "role=mentor&unknown=1": ["Rui Mentor", "Carla Both"],
    }
    for query, expected in cases.items():
        assert await _names(client, p, boss, query) == expected, query

    r = await client.get(
        f"/api/v1/programmes/{p['id']}/members?role=mentee&limit=1&offset=1", headers=boss
    )
    page = r.json()
    assert page["total"] == 3 and [m["display_name"] for m in page["members"]] == ["Bea_% Tanaka"]
    statuses = {
        m["display_name"]: m
        for m in (await client.get(f"/api/v1/programmes/{p['id']}/members", headers=boss)).json()[
            "members"
        ]
    }
    assert statuses["Ana Silva"]["matched"] and statuses["Ana Silva"]["email_verified"]
    assert not statuses["Bea_% Tanaka"]["consents"]
    assert statuses["Bea_% Tanaka"]["timezone_band"] == "asia_pacific"


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("role=admin", ["role"]),
        ("matched=maybe", ["matched"]),
        ("country=XX", ["country"]),
        ("country=Portugal", ["country"]),
        ("band=europe", ["band"]),
        ("status=happy", ["status"]),
        ("q=" + "a" * 101, ["q"]),
        ("role=x&band=y", ["role", "band"]),
    ],
)
async def test_bad_filter_values_are_422_naming_each(client, pool, query, fields):
    _, boss = await admin(client, pool)
    p = await programme(client, boss)
    r = await client.get(f"/api/v1/programmes/{p['id']}/members?{query}", headers=boss)
    assert r.status_code == 422, r.text
    got = r.json()["error"]["fields"]
    assert [f["field"] for f in got] == fields
    assert all(f["message"] and "should be" not in f["message"] for f in got), got


async def test_the_list_never_carries_contact_details(client, pool):
    p, boss, _ = await _world(client, pool)
    r = await client.get(f"/api/v1/programmes/{p['id']}/members?limit=1000", headers=boss)
    assert "@" not in r.text and "Secret Employer" not in r.text
    other = f"/api/v1/programmes/{uuid.uuid4()}/members?role=mentee"
    assert (await client.get(other, headers=boss)).status_code == 404
