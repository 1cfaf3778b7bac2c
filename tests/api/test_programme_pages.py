"""The programmes page, the join step (from the list and by invitation link) and leaving: HTML
through httpx, forms posted with their CSRF token."""

from __future__ import annotations

import html
import uuid
from datetime import date, timedelta

from service.introductions.standing import day_in_words
from tests.api.test_programmes import admin, appoint, join, mentor, programme
from tests.conftest import account, csrf_from, sign_up_and_login

NEXT_ROUND = date.today() + timedelta(days=30)


async def _world(client, pool):
    """An open programme (organised by Olga, one mentor with 2 places, a next round date) and an
    invitation-only one; returns (boss headers, open programme, invitation-only programme)."""
    _, boss = await admin(client, pool)
    open_one = await programme(
        client,
        boss,
        name="Open cohort",
        description="Spring cohort for new PMs",
        next_round_on=NEXT_ROUND.isoformat(),
    )
    closed = await programme(client, boss, name="Invited cohort", access="invitation")
    olga, _ = await account(client, display_name="Olga Organiser")
    await appoint(client, open_one["id"], olga["id"], boss)
    _, rui = await mentor(client, capacity=2)
    await join(client, open_one["id"], rui)
    return boss, open_one, closed


def text(page) -> str:
    return html.unescape(page.text)


async def test_programmes_page_lists_what_i_can_join_and_mine(client, pool):
    _, open_one, _ = await _world(client, pool)
    r = await client.get("/programmes")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/programmes"

    await sign_up_and_login(client, display_name="Nina Newcomer")
    page = await client.get("/programmes")
    assert page.status_code == 200
    body = text(page)
    assert 'href="/programmes"' in page.text  # in the site menu
    assert "Open cohort" in body and "Spring cohort for new PMs" in body
    assert "Olga Organiser" in body
    assert "0 mentees and 1 mentor" in body
    assert "<dt>Open mentor places</dt><dd>2</dd>" in page.text
    assert day_in_words(NEXT_ROUND) in body
    assert f'href="/programmes/{open_one["id"]}/join"' in page.text
    assert "You are not in a programme yet" in body
    # Invitation-only programmes are not listed to people outside them.
    assert "Invited cohort" not in body


async def test_join_from_the_list_with_consent_then_leave(client, pool):
    _, open_one, _ = await _world(client, pool)
    me = await sign_up_and_login(client, consent_to_match=False)
    person = uuid.UUID(me["id"])
    url = f"/programmes/{open_one['id']}/join"

    step = await client.get(url)
    assert step.status_code == 200
    body = text(step)
    assert "What joining means" in body and "both accept" in body
    assert 'name="consent"' in step.text and "not agreed to be matched yet" in body
    token = csrf_from(step.text)

    # Without the CSRF token nothing happens; without ticking the box, neither.
    assert (await client.post(url, data={"consent": "on"})).status_code == 403
    r = await client.post(url, data={"csrf_token": token})
    assert r.status_code == 422
    assert "tick the box to agree to be matched" in text(r)
    assert (
        await pool.fetchval("SELECT count(*) FROM programme_members WHERE person_id = $1", person)
        == 0
    )
    assert not await pool.fetchval("SELECT consent_to_match FROM people WHERE id = $1", person)

    r = await client.post(url, data={"csrf_token": token, "consent": "on"})
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/programmes?joined={open_one['id']}"
    assert await pool.fetchval("SELECT consent_to_match FROM people WHERE id = $1", person)
    page = await client.get(r.headers["location"])
    body = text(page)
    assert "You joined Open cohort" in body
    mine = body.split("My programmes")[1].split("Programmes you can join")[0]
    assert "Open cohort" in mine and "Leave Open cohort" in mine
    assert "1 mentee and 1 mentor" in mine
    # Joined already: the join page says so and offers no form.
    again = text(await client.get(url))
    assert "You are already in Open cohort" in again and "What joining means" not in again

    leave = f"/programmes/{open_one['id']}/leave"
    assert (await client.post(leave, data={})).status_code == 403
    r = await client.post(leave, data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/programmes?left=1"
    page = text(await client.get("/programmes?left=1"))
    assert "You left the programme" in page and "You are not in a programme yet" in page
    assert (
        await pool.fetchval("SELECT count(*) FROM programme_members WHERE person_id = $1", person)
        == 0
    )

    # Someone who already agreed to be matched is not asked again.
    client.cookies.clear()
    await sign_up_and_login(client)
    step = await client.get(url)
    assert 'name="consent"' not in step.text
    r = await client.post(url, data={"csrf_token": csrf_from(step.text)})
    assert r.status_code == 303


async def test_join_by_invitation_link(client, pool):
    boss, _, closed = await _world(client, pool)
    code = (await client.get(f"/api/v1/programmes/{closed['id']}", headers=boss)).json()[
        "invitation_code"
    ]
    link = f"/join/{code}"
    r = await client.get(link)
    assert r.status_code == 303 and r.headers["location"] == f"/login?next={link}"

    me = await sign_up_and_login(client, consent_to_match=False)
    # Without the link, the programme is nowhere to be seen.
    assert (await client.get(f"/programmes/{closed['id']}/join")).status_code == 404
    step = await client.get(link)
    assert step.status_code == 200
    body = text(step)
    assert "Join Invited cohort" in body and "by invitation" in body
    assert f'action="/join/{code}"' in step.text and 'name="consent"' in step.text
    r = await client.post(link, data={"csrf_token": csrf_from(step.text)})
    assert r.status_code == 422
    r = await client.post(link, data={"csrf_token": csrf_from(step.text), "consent": "on"})
    assert r.status_code == 303 and r.headers["location"] == f"/programmes?joined={closed['id']}"
    page = text(await client.get(r.headers["location"]))
    assert "You joined Invited cohort" in page
    assert "Invited cohort" in page.split("My programmes")[1].split("Programmes you can join")[0]
    member = await pool.fetchval(
        "SELECT 1 FROM programme_members WHERE person_id = $1", uuid.UUID(me["id"])
    )
    assert member == 1

    # A replaced code's link no longer works.
    fresh = await client.post(f"/api/v1/programmes/{closed['id']}/invitation", headers=boss)
    assert fresh.status_code == 200
    client.cookies.clear()
    await sign_up_and_login(client)
    stale = await client.get(link)
    assert stale.status_code == 404 and "does not work" in text(stale)
    token = csrf_from((await client.get("/programmes")).text)
    assert (await client.post(link, data={"csrf_token": token})).status_code == 404
    new_link = f"/join/{fresh.json()['invitation_code']}"
    r = await client.post(new_link, data={"csrf_token": token})
    assert r.status_code == 303
