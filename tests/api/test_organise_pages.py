"""The organisers' and site admins' pages and menu entries: who may join a programme, its next
round's date and invitation link (organisers); creating programmes and appointing or
withdrawing organisers by email (site admins). HTML through httpx with CSRF tokens."""

from __future__ import annotations

import html
import re
import uuid
from datetime import date, timedelta

import httpx

from tests.api.test_programmes import admin, appoint, programme
from tests.conftest import account, csrf_from, sign_up_and_login


def text(page: httpx.Response) -> str:
    return html.unescape(page.text)


def menu(page: httpx.Response) -> list[str]:
    """The entries of the site menu, in order."""
    nav = page.text.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    return [html.unescape(t) for t in re.findall(r"<a [^>]*>([^<]+)</a>", nav)]


async def post(client: httpx.AsyncClient, url: str, form_page: str, **data: str | list[str]):
    """Post a form with the CSRF token of the page it is on."""
    page = await client.get(form_page)
    return await client.post(url, data={"csrf_token": csrf_from(page.text), **data})


async def _site_admin(client: httpx.AsyncClient, pool) -> dict:
    """Log the client in as a new site admin (cookie session)."""
    me = await sign_up_and_login(client, display_name="Sara Admin")
    await pool.execute("UPDATE people SET is_admin = true WHERE id = $1", uuid.UUID(me["id"]))
    return me


async def test_each_person_sees_the_menu_entries_of_their_roles(client, pool):
    _, boss = await admin(client, pool)
    owned = await programme(client, boss, name="Spring cohort")
    olga, _ = await account(client, display_name="Olga Organiser", email="olga@example.org")
    await appoint(client, owned["id"], olga["id"], boss)

    await sign_up_and_login(client, display_name="Nina Newcomer")
    for path in ("/me", "/programmes", "/no-such-page", "/docs"):
        assert "Organise" not in menu(await client.get(path)), path
    assert (await client.get("/admin")).status_code == 403

    client.cookies.clear()
    await client.post(
        "/api/v1/auth/login",
        json={"email": "olga@example.org", "password": "correct horse battery staple"},
    )
    for path in ("/me", "/programmes", "/no-such-page", "/docs"):
        entries = menu(await client.get(path))
        assert "Organise" in entries and "Admin" not in entries, (path, entries)
    page = await client.get("/organise")
    assert 'aria-current="page"' in page.text.split("Organise</a>")[0].rsplit("<a ", 1)[1]

    client.cookies.clear()
    await _site_admin(client, pool)
    for path in ("/me", "/no-such-page"):
        entries = menu(await client.get(path))
        assert entries[:9] == [
            "My profile",
            "Programmes",
            "My matches",
            "Suggested for you",
            "Next steps",
            "Events",
            "Organise",
            "Associations",
            "Admin",
        ]


async def test_an_organiser_sets_who_may_join_and_renews_the_invitation(client, pool):
    _, boss = await admin(client, pool)
    mine = await programme(client, boss, name="Spring cohort")
    other = await programme(client, boss, name="Someone else's")
    olga = await sign_up_and_login(client, display_name="Olga Organiser")
    await appoint(client, mine["id"], olga["id"], boss)

    page = await client.get("/organise")
    assert page.status_code == 200
    assert "Spring cohort" in text(page) and "Someone else's" not in text(page)
    code = (await client.get(f"/api/v1/programmes/{mine['id']}")).json()["invitation_code"]
    assert f"/join/{code}" in page.text

    day = (date.today() + timedelta(days=20)).isoformat()
    r = await post(
        client, f"/organise/{mine['id']}", "/organise", access="invitation", next_round_on=day
    )
    assert r.status_code == 303
    saved = (await client.get(f"/api/v1/programmes/{mine['id']}")).json()
    assert saved["access"] == "invitation" and saved["next_round_on"] == day
    assert "Saved." in text(await client.get(r.headers["location"]))

    bad = await post(
        client, f"/organise/{mine['id']}", "/organise", access="everyone", next_round_on="soon"
    )
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text and "Traceback" not in bad.text
    assert (await client.get(f"/api/v1/programmes/{mine['id']}")).json() == saved

    r = await post(client, f"/organise/{mine['id']}/invitation", "/organise")
    assert r.status_code == 303
    renewed = (await client.get(f"/api/v1/programmes/{mine['id']}")).json()["invitation_code"]
    assert renewed != code
    assert "The old link and code no longer work" in text(await client.get(r.headers["location"]))
    assert (await client.get(f"/join/{code}")).status_code == 404

    # Another programme's settings are not an organiser's to change.
    refused = await post(client, f"/organise/{other['id']}", "/organise", access="invitation")
    assert refused.status_code == 403
    assert (await client.get(f"/api/v1/programmes/{other['id']}", headers=boss)).json()[
        "access"
    ] == "open"


async def test_a_person_who_organises_nothing_is_told_who_appoints_organisers(client):
    await sign_up_and_login(client)
    page = await client.get("/organise")
    assert page.status_code == 200 and "A site admin appoints organisers" in text(page)


async def test_a_site_admin_creates_a_programme_and_appoints_and_withdraws_organisers(client, pool):
    olga, olga_headers = await account(
        client, display_name="Olga Organiser", email="olga@example.org"
    )
    await _site_admin(client, pool)

    empty = await post(client, "/admin/programmes", "/admin", name="  ", access="open")
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.text
    assert await pool.fetchval("SELECT count(*) FROM programmes") == 0

    r = await post(
        client,
        "/admin/programmes",
        "/admin",
        name="PMI Porto autumn",
        description="For people moving into PM",
        access="invitation",
    )
    assert r.status_code == 303
    made = await pool.fetchrow("SELECT id, access FROM programmes WHERE name = 'PMI Porto autumn'")
    assert made["access"] == "invitation"
    assert "Programme created" in text(await client.get(r.headers["location"]))

    unknown = await post(
        client, f"/admin/programmes/{made['id']}/organisers", "/admin", email="no@example.org"
    )
    assert unknown.status_code == 422
    assert "no one has signed up with this email" in text(unknown).lower()
    r = await post(
        client, f"/admin/programmes/{made['id']}/organisers", "/admin", email="OLGA@example.org"
    )
    assert r.status_code == 303
    page = text(await client.get("/admin"))
    assert "Withdraw Olga Organiser as organiser of PMI Porto autumn" in page
    patch = await client.patch(
        f"/api/v1/programmes/{made['id']}", json={"name": "Renamed"}, headers=olga_headers
    )
    assert patch.status_code == 200

    r = await post(
        client, f"/admin/programmes/{made['id']}/organisers/{olga['id']}/remove", "/admin"
    )
    assert r.status_code == 303
    patch = await client.patch(
        f"/api/v1/programmes/{made['id']}", json={"name": "Again"}, headers=olga_headers
    )
    assert patch.status_code == 403


async def test_withdrawing_an_organiser_through_the_api(client, pool):
    _, boss = await admin(client, pool)
    owned = await programme(client, boss)
    olga, olga_headers = await account(client, display_name="Olga Organiser")
    await appoint(client, owned["id"], olga["id"], boss)
    url = f"/api/v1/programmes/{owned['id']}/organisers/{olga['id']}"
    assert (await client.delete(url, headers=olga_headers)).status_code == 403
    assert (await client.delete(url, headers=boss)).status_code == 204
    assert (await client.delete(url, headers=boss)).status_code == 204  # a repeat is a no-op
    got = (await client.get(f"/api/v1/programmes/{owned['id']}", headers=boss)).json()
    assert got["organisers"] == []
    gone = f"/api/v1/programmes/{uuid.uuid4()}/organisers/{olga['id']}"
    assert (await client.delete(gone, headers=boss)).status_code == 404
