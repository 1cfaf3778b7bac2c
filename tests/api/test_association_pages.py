"""The association pages through httpx with CSRF tokens: site admins create associations and
appoint their admins; association admins edit theirs, confirm members, make and revoke API keys
and ask for programmes; people browse associations and say which they belong to."""

from __future__ import annotations

import re
import uuid

import httpx

from tests.api.test_associations import PORTUGAL, association
from tests.api.test_organise_pages import _site_admin, menu, post, text
from tests.api.test_programmes import admin
from tests.conftest import account, sign_up_and_login

PASSWORD = "correct horse battery staple"
FORM = {
    "name": "Lisbon PM Meetup",
    "kind": "local_group",
    "city": "Lisbon",
    "country": "PT",
    "website": "https://meetup.example.org/lisbon-pm",
    "description": "Monthly talks.",
    "focus": "Agile, Risk management, Kanban for NGOs",
}


async def login(client: httpx.AsyncClient, email: str) -> None:
    client.cookies.clear()
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text


async def test_a_site_admin_creates_an_association_and_appoints_its_admin(client, pool):
    ada, _ = await account(client, display_name="Ada Admin")
    await _site_admin(client, pool)
    page = await client.get("/admin")
    assert "Create an association" in text(page) and "There is no association yet" in text(page)

    bad = {**FORM, "name": "", "website": "meetup.example.org", "country": ""}
    r = await post(client, "/admin/associations", "/admin", **bad)
    assert r.status_code == 422
    assert "Fill this in" in text(r)
    assert "Enter a web address starting with http:// or https://" in text(r)
    assert "Choose the country this city is in" in text(r)
    assert await pool.fetchval("SELECT count(*) FROM associations") == 0

    page = await client.get("/admin")
    r = await post(
        client, "/admin/associations", "/admin", **FORM, languages=["pt", "en"], online="on"
    )
    assert r.status_code == 303, r.text
    url = r.headers["location"].split("?")[0]
    stored = await pool.fetchrow("SELECT * FROM associations")
    assert stored["focus"] == ["agile-delivery", "risk-management", "kanban-for-ngos"]
    assert stored["languages"] == ["pt", "en"] and stored["online"]
    page = await client.get(r.headers["location"])
    assert "Association created" in text(page) and "Kanban for NGOs" in text(page)

    r = await post(
        client,
        "/admin/association-admins",
        "/admin",
        association_id=url.split("/")[-1],
        email="nobody@example.org",
    )
    assert r.status_code == 422 and "No one has signed up with this email" in text(r)
    r = await post(
        client, "/admin/association-admins", "/admin", association_id="", email=ada["email"]
    )
    assert r.status_code == 422 and "Choose an association from the list" in text(r)
    assert await pool.fetchval("SELECT count(*) FROM association_admins") == 0
    r = await post(
        client,
        "/admin/association-admins",
        url,
        association_id=url.split("/")[-1],
        email=ada["email"],
        **{"from": "association"},
    )
    assert r.status_code == 303
    page = await client.get(r.headers["location"])
    assert "Admin appointed" in text(page) and "Ada Admin" in text(page)
    assert "Lisbon PM Meetup</a>: Ada Admin" in text(await client.get("/admin"))

    # Withdrawn on the association's page.
    r = await post(client, f"{url}/admins/{ada['id']}/remove", url)
    assert r.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM association_admins") == 0


async def test_an_association_admin_runs_members_keys_and_programme_requests(client, pool):
    _, boss = await admin(client, pool)
    chapter = await association(client, boss)
    ada, _ = await account(client, display_name="Ada Admin")
    r = await client.post(
        f"/api/v1/associations/{chapter['id']}/admins", json={"person_id": ada["id"]}, headers=boss
    )
    assert r.status_code == 201
    mia = await sign_up_and_login(client, display_name="Mia Member")
    url = f"/associations/{chapter['id']}"

    # Mia says she is a member, from the association's page.
    page = await client.get(url)
    assert "I am a member of PMI Portugal Chapter" in text(page)
    assert "API keys" not in text(page) and "Edit the details" not in text(page)
    assert "Associations" not in menu(page)
    r = await post(
        client,
        "/me/associations",
        url,
        association_id=chapter["id"],
        member_ref="P-9",
        back=f"{url}?done=asked_member#membership-title",
    )
    assert r.status_code == 303 and r.headers["location"].startswith(url)
    assert "has not confirmed it yet" in text(await client.get(url))
    assert (await post(client, f"{url}/edit", url, **FORM)).status_code == 403

    await login(client, ada["email"])
    page = await client.get(url)
    assert "Associations" in menu(page)
    assert "Mia Member" in text(page) and "P-9" in text(page) and mia["email"] not in page.text
    assert f'href="{url}/imports">Import members</a>' in page.text
    r = await post(client, f"{url}/members/{mia['id']}/confirm?status=requested", url)
    assert r.status_code == 303 and "status=requested" in r.headers["location"]
    assert await pool.fetchval("SELECT status FROM association_members") == "active"

    # Edit: errors in plain words, then saved.
    r = await post(client, f"{url}/edit", url, **{**FORM, "kind": "club"})
    assert r.status_code == 422 and "Choose one of: chapter" in text(r)
    r = await post(client, f"{url}/edit", url, **FORM)
    assert r.status_code == 303
    assert await pool.fetchval("SELECT name FROM associations") == "Lisbon PM Meetup"

    # A key is shown once.
    r = await post(client, f"{url}/keys", url, name="")
    assert r.status_code == 422 and "Fill this in" in text(r)
    r = await post(client, f"{url}/keys", url, name="CRM sync")
    assert r.status_code == 200
    key = re.search(r"<code>(kk_[\w-]+)</code>", r.text)[1]
    page = await client.get(url)
    assert key not in page.text and key[:11] in page.text
    members = await client.get(
        f"/api/v1/associations/{chapter['id']}/members", headers={"X-Api-Key": key}
    )
    assert members.status_code == 200
    key_id = await pool.fetchval("SELECT id FROM association_api_keys")
    r = await post(client, f"{url}/keys/{key_id}/revoke", url)
    assert r.status_code == 303
    members = await client.get(
        f"/api/v1/associations/{chapter['id']}/members", headers={"X-Api-Key": key}
    )
    assert members.status_code == 401

    # A programme asked for; the site admin creates it with one click.
    r = await post(
        client, f"{url}/programme-requests", url, name="Mentoring 2027", description="For members"
    )
    assert r.status_code == 303
    assert "waiting for a site admin" in text(await client.get(url))
    client.cookies.clear()
    await _site_admin(client, pool)
    page = await client.get("/admin")
    assert "Mentoring 2027" in text(page) and "asked by Ada Admin" in text(page)
    request_id = await pool.fetchval("SELECT id FROM programme_requests")
    r = await post(client, f"/admin/programme-requests/{request_id}/approve", "/admin")
    assert r.status_code == 303
    programme_id = await pool.fetchval("SELECT id FROM programmes")
    assert r.headers["location"] == f"/admin?done=created#p-{programme_id}"
    assert "No association is waiting for a programme" in text(await client.get("/admin"))
    await login(client, ada["email"])
    page = await client.get("/organise")
    assert "Mentoring 2027" in text(page) and "Lisbon PM Meetup" in text(page)


async def test_people_browse_associations_and_manage_theirs_on_their_profile(client, pool):
    _, boss = await admin(client, pool)
    chapter = await association(client, boss)
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
    await sign_up_and_login(client, display_name="Mia Member")

    page = await client.get("/associations")
    assert page.status_code == 200
    assert "2 associations" in text(page)
    page = await client.get("/associations?online=yes&kind=nonsense&country=ZZ")
    assert "1 association match" in text(page) and "Agile Remote Circle" in text(page)
    page = await client.get("/associations?tag=Project+Management+Professional")
    assert "PMI Portugal Chapter" in text(page) and "Agile Remote Circle" not in text(page)
    assert (await client.get(f"/associations/{uuid.uuid4()}")).status_code == 404

    me = await client.get("/me")
    assert "My associations" in text(me) and "Ask to be listed as a member" in text(me)
    r = await post(client, "/me/associations", "/me", association_id=str(uuid.uuid4()))
    assert r.status_code == 422 and "No such association; choose one from the list" in text(r)
    r = await post(client, "/me/associations", "/me", association_id=chapter["id"])
    assert r.status_code == 303
    me = await client.get(r.headers["location"])
    assert "Your request was sent" in text(me) and "waiting for the association to confirm" in text(
        me
    )
    r = await post(client, f"/me/associations/{chapter['id']}/leave", "/me")
    assert r.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM association_members") == 0
    client.cookies.clear()
    r = await client.get("/associations")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert PORTUGAL["name"] == chapter["name"]
