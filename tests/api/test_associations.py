"""Associations and their admins through the JSON API: who may create, edit and appoint, what
is validated, and how listings filter."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.api.test_programmes import admin
from tests.conftest import account

Headers = dict[str, str]
PORTUGAL = {
    "name": "PMI Portugal Chapter",
    "kind": "chapter",
    "city": "Lisbon",
    "country": "pt",
    "website": "https://pmi-portugal.org",
    "description": "The Project Management Institute's chapter in Portugal.",
    "focus": ["Agile", "Project Management Professional", "Kanban for NGOs"],
    "languages": ["pt", "en"],
}


async def association(client: httpx.AsyncClient, boss: Headers, **body: object) -> dict:
    """Create an association as the site admin ``boss``."""
    r = await client.post("/api/v1/associations", json={**PORTUGAL, **body}, headers=boss)
    assert r.status_code == 201, r.text
    return r.json()


async def association_admin(
    client: httpx.AsyncClient, boss: Headers, association_id: str, **profile: object
) -> tuple[dict, Headers]:
    """A new account appointed admin of the association by ``boss``."""
    person, headers = await account(client, **profile)
    r = await client.post(
        f"/api/v1/associations/{association_id}/admins",
        json={"email": person["email"].upper()},
        headers=boss,
    )
    assert r.status_code == 201, r.text
    return person, headers


async def test_only_site_admins_create_associations_and_everyone_logged_in_sees_them(client, pool):
    r = await client.post("/api/v1/associations", json=PORTUGAL)
    assert r.status_code == 401
    _, person = await account(client)
    r = await client.post("/api/v1/associations", json=PORTUGAL, headers=person)
    assert r.status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM associations") == 0

    me, boss = await admin(client, pool)
    created = await association(client, boss)
    assert created["country"] == "PT" and created["city"] == "Lisbon"
    assert created["focus"] == ["agile-delivery", "pmp", "kanban-for-ngos"]
    assert created["focus_labels"][1:] == [
        "PMP (Project Management Professional)",
        "Kanban for NGOs",  # a custom tag, as typed
    ]
    assert created["admins"] == [] and created["members"] == 0 and not created["is_admin"]
    stored = await pool.fetchrow("SELECT created_by, country FROM associations")
    assert str(stored["created_by"]) == me["id"] and stored["country"] == "PT"

    r = await client.get(f"/api/v1/associations/{created['id']}", headers=person)
    assert r.status_code == 200 and r.json()["name"] == "PMI Portugal Chapter"
    assert (await client.get(f"/api/v1/associations/{created['id']}")).status_code == 401
    r = await client.get(f"/api/v1/associations/{uuid.uuid4()}", headers=person)
    assert r.status_code == 404
    assert (await client.get("/api/v1/associations/not-an-id", headers=person)).status_code == 404


async def test_a_minimal_association_is_a_name_and_a_kind(client, pool):
    _, boss = await admin(client, pool)
    r = await client.post(
        "/api/v1/associations",
        json={"name": "Remote PMs", "kind": "online_community"},
        headers=boss,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["online"], body["city"], body["country"], body["focus"]) == (False, "", "", [])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Fill this in"),
        ("name", "x" * 201, "Use at most 200 characters"),
        ("kind", "club", "Choose one of: chapter, local_group, university"),
        ("country", "XX", "Choose the country from the list"),
        ("city", "x" * 101, "Use at most 100 characters"),
        ("website", "ftp://pmi.org", "Enter a web address starting with http:// or https://"),
        ("website", "pmi.org", "Enter a web address starting with http:// or https://"),
        ("languages", ["xx"], "Choose your languages from the list"),
        ("focus", ["x" * 61], "Use at most 60 characters"),
        ("online", "yes", "Answer yes or no"),
        ("colour", "blue", "Kickoff has no such field; leave it out"),
    ],
)
async def test_bad_fields_are_422_in_plain_words_and_write_nothing(
    client, pool, field, value, message
):
    _, boss = await admin(client, pool)
    r = await client.post("/api/v1/associations", json={**PORTUGAL, field: value}, headers=boss)
    assert r.status_code == 422, r.text
    fields = {f["field"].split(".")[0]: f["message"] for f in r.json()["error"]["fields"]}
    assert fields[field].startswith(message), fields
    assert await pool.fetchval("SELECT count(*) FROM associations") == 0


async def test_a_city_needs_its_country(client, pool):
    _, boss = await admin(client, pool)
    body = {"name": "Porto PM meetup", "kind": "local_group", "city": "Porto"}
    r = await client.post("/api/v1/associations", json=body, headers=boss)
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == [
        {"field": "country", "message": "Choose the country this city is in"}
    ]
    created = await association(client, boss)
    r = await client.patch(
        f"/api/v1/associations/{created['id']}", json={"country": ""}, headers=boss
    )
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "country"
    r = await client.patch(
        f"/api/v1/associations/{created['id']}",
        json={"country": "", "city": "", "online": True},
        headers=boss,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["country"], r.json()["online"]) == ("", True)
    assert await pool.fetchval("SELECT country FROM associations") is None


async def test_its_admins_and_site_admins_edit_it_and_no_one_else(client, pool):
    _, boss = await admin(client, pool)
    created = await association(client, boss)
    url = f"/api/v1/associations/{created['id']}"
    other = await association(client, boss, name="Other chapter")
    _, other_admin = await association_admin(client, boss, other["id"])
    _, stranger = await account(client)
    ada, ada_headers = await association_admin(client, boss, created["id"], display_name="Ada")

    for headers in (stranger, other_admin):
        r = await client.patch(url, json={"name": "Taken over"}, headers=headers)
        assert r.status_code == 403, r.text
    r = await client.patch(
        url, json={"description": "Lisbon and Porto", "focus": ["Scrum"]}, headers=ada_headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["description"] == "Lisbon and Porto" and r.json()["focus"] == ["scrum"]
    assert r.json()["is_admin"] and r.json()["admins"] == [{"id": ada["id"], "display_name": "Ada"}]
    assert r.json()["name"] == "PMI Portugal Chapter"  # what was not sent stays
    r = await client.patch(url, json={"name": None}, headers=boss)
    assert r.status_code == 422
    r = await client.patch(url, json={"website": "https://pmi.pt"}, headers=boss)
    assert r.status_code == 200 and r.json()["website"] == "https://pmi.pt"
    r = await client.patch(f"/api/v1/associations/{uuid.uuid4()}", json={}, headers=boss)
    assert r.status_code == 404


async def test_site_admins_appoint_and_withdraw_admins_by_email_or_id(client, pool):
    _, boss = await admin(client, pool)
    created = await association(client, boss)
    url = f"/api/v1/associations/{created['id']}/admins"
    person, headers = await account(client, display_name="Bea")
    r = await client.post(url, json={"email": person["email"]}, headers=headers)
    assert r.status_code == 403  # not a site admin
    r = await client.post(url, json={"email": "nobody@example.org"}, headers=boss)
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == [
        {"field": "email", "message": "No one has signed up with this email"}
    ]
    r = await client.post(url, json={"person_id": str(uuid.uuid4())}, headers=boss)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "person_id"
    r = await client.post(url, json={}, headers=boss)
    assert r.status_code == 422
    assert await pool.fetchval("SELECT count(*) FROM association_admins") == 0

    r = await client.post(url, json={"person_id": person["id"]}, headers=boss)
    assert r.status_code == 201 and r.json() == {"id": person["id"], "display_name": "Bea"}
    r = await client.post(url, json={"email": person["email"]}, headers=boss)
    assert r.status_code == 200  # already one
    me = await client.get(f"/api/v1/associations/{created['id']}", headers=headers)
    assert me.json()["is_admin"]
    r = await client.post(
        f"/api/v1/associations/{uuid.uuid4()}/admins",
        json={"person_id": person["id"]},
        headers=boss,
    )
    assert r.status_code == 404

    r = await client.delete(f"{url}/{person['id']}", headers=headers)
    assert r.status_code == 403
    r = await client.delete(f"{url}/{person['id']}", headers=boss)
    assert r.status_code == 204
    assert await pool.fetchval("SELECT count(*) FROM association_admins") == 0
    assert (await client.delete(f"{url}/{person['id']}", headers=boss)).status_code == 204


async def test_listing_filters_by_kind_country_online_language_and_tag(client, pool):
    _, boss = await admin(client, pool)
    await association(client, boss)
    await association(
        client,
        boss,
        name="Agile Remote Circle",
        kind="online_community",
        online=True,
        city="",
        country="",
        languages=["en"],
        focus=["Scrum"],
    )
    await association(
        client,
        boss,
        name="Universidade do Porto PM club",
        kind="university",
        city="Porto",
        languages=["pt"],
        focus=["PRINCE2 Foundation"],
    )
    _, person = await account(client)

    async def names(query: str) -> list[str]:
        r = await client.get(f"/api/v1/associations?{query}", headers=person)
        assert r.status_code == 200, r.text
        return [a["name"] for a in r.json()["associations"]]

    assert await names("") == [
        "Agile Remote Circle",
        "PMI Portugal Chapter",
        "Universidade do Porto PM club",
    ]
    assert await names("kind=university") == ["Universidade do Porto PM club"]
    assert await names("country=pt") == ["PMI Portugal Chapter", "Universidade do Porto PM club"]
    assert await names("online=true") == ["Agile Remote Circle"]
    assert await names("online=false&language=en") == ["PMI Portugal Chapter"]
    assert await names("tag=Project%20Management%20Professional") == ["PMI Portugal Chapter"]
    assert await names("tag=prince2%20foundation") == ["Universidade do Porto PM club"]
    assert await names("tag=Kanban%20for%20NGOs") == ["PMI Portugal Chapter"]
    assert await names("tag=Waterfall") == []
    r = await client.get("/api/v1/associations?limit=1&offset=1", headers=person)
    assert r.json()["total"] == 3 and len(r.json()["associations"]) == 1
    assert r.json()["associations"][0]["name"] == "PMI Portugal Chapter"
    for bad in ("kind=club", "country=XX", "language=xx", "online=maybe", "limit=0"):
        r = await client.get(f"/api/v1/associations?{bad}", headers=person)
        assert r.status_code == 422, bad
        assert r.json()["error"]["fields"][0]["field"] == bad.split("=")[0]


async def test_openapi_names_each_schema_once(client):
    # Two models of one name in different domains would be listed by their module path.
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert not [name for name in schemas if "__" in name]
    assert {"AssociationIn", "AssociationMemberList", "ApiKeyCreated"} <= set(schemas)
