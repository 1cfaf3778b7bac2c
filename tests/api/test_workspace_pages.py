"""The organiser workspace's pages: who may open and post each (this programme's organisers and
site admins; not an organiser of another programme; anonymous visitors go to the login form),
the settings form with its version check, and the members page's filters. HTML through httpx,
forms posted with their page's CSRF token."""

from __future__ import annotations

import contextlib
import html
import re
import uuid
from collections.abc import AsyncIterator

import httpx

from service.programmes.schemas import DEFAULT_WEIGHTS, WEIGHT_MEANINGS
from tests.api.test_programmes import admin, appoint, join, mentor, programme
from tests.conftest import account, csrf_from, settle_email, sign_up_and_login

PASSWORD = "correct horse battery staple"


def text(page: httpx.Response) -> str:
    return html.unescape(page.text)


@contextlib.asynccontextmanager
async def browser(app, email: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """Another browser (its own cookies) on the app, logged in as ``email`` if given."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        if email:
            r = await c.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
            assert r.status_code == 200, r.text
        yield c


async def post(client: httpx.AsyncClient, url: str, form_page: str, **data: str):
    """Post a form with the CSRF token of the page it is on."""
    page = await client.get(form_page)
    assert page.status_code == 200, (form_page, page.status_code)
    return await client.post(url, data={"csrf_token": csrf_from(page.text), **data})


def settings_form(page: httpx.Response, **changes: str) -> dict[str, str]:
    """The settings form's fields as the page filled them in, with ``changes``."""
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text))
    checked = re.search(r'name="mode" value="(\w+)" checked', page.text)
    assert checked
    fields["mode"] = checked.group(1)
    fields.update(changes)
    return fields


async def _world(client, pool) -> dict:
    """Two programmes: Olga organises "Spring cohort" (a mentee and a mentor in it, a round
    queued), Otto organises "Other cohort"; a site admin runs the site."""
    _, boss = await admin(client, pool)
    mine = await programme(client, boss, name="Spring cohort")
    other = await programme(client, boss, name="Other cohort")
    for name, owned in (("Olga", mine), ("Otto", other)):
        person, _ = await account(
            client, display_name=f"{name} Organiser", email=f"{name.lower()}@example.org"
        )
        await appoint(client, owned["id"], person["id"], boss)
    ana, ana_h = await account(client, display_name="Ana Silva")
    rui, rui_h = await mentor(client, country="BR", timezone="America/Sao_Paulo")
    for h in (ana_h, rui_h):
        await join(client, mine["id"], h)
    await settle_email(pool, ana["id"])
    r = await client.post(f"/api/v1/programmes/{mine['id']}/rounds", json={}, headers=boss)
    assert r.status_code == 202, r.text
    admin_email = await pool.fetchval("SELECT email FROM people WHERE is_admin")
    return {
        "mine": mine,
        "other": other,
        "round": r.json()["id"],
        "boss": boss,
        "admin_email": admin_email,
        "ana": ana,
        "rui": rui,
    }


async def test_each_page_is_for_this_programmes_organisers_and_site_admins(client, app, pool):
    w = await _world(client, pool)
    pid, rid = w["mine"]["id"], w["round"]
    pages = [
        f"/organise/{pid}",
        f"/organise/{pid}/settings",
        f"/organise/{pid}/members",
        f"/organise/rounds/{rid}",
        f"/organise/rounds/{rid}/publish",
    ]
    for path in pages:
        async with browser(app) as anonymous:
            r = await anonymous.get(path)
            assert r.status_code == 303, path
            assert r.headers["location"] == "/login?next=" + path
        async with browser(app, "otto@example.org") as otto:
            r = await otto.get(path)
            assert r.status_code == 403, path
            assert "Not allowed" in r.text and "Ana Silva" not in r.text
        for email in ("olga@example.org", w["admin_email"]):
            async with browser(app, email) as allowed:
                r = await allowed.get(path)
                # The publish step of a round still running says why it cannot be published.
                assert r.status_code == (409 if path.endswith("/publish") else 200), (path, email)
                assert "Spring cohort" in text(r)
    gone = uuid.uuid4()
    async with browser(app, w["admin_email"]) as boss:
        for path in (f"/organise/{gone}", f"/organise/{gone}/members", f"/organise/rounds/{gone}"):
            assert (await boss.get(path)).status_code == 404, path


async def test_each_post_is_refused_to_an_organiser_of_another_programme(client, app, pool):
    w = await _world(client, pool)
    pid, rid = w["mine"]["id"], w["round"]
    ana, rui = w["ana"]["id"], w["rui"]["id"]
    posts = {
        f"/organise/{pid}/settings": {"mode": "stable"},
        f"/organise/{pid}/rounds": {},
        f"/organise/rounds/{rid}/overrides": {"mentee_id": ana, "mentor_id": rui, "kind": "pin"},
        f"/organise/{pid}/overrides/{ana}/{rui}/remove": {},
        f"/organise/rounds/{rid}/rerun": {},
        f"/organise/rounds/{rid}/publish": {},
    }
    before = await pool.fetchval(
        "SELECT (SELECT count(*) FROM rounds) + (SELECT count(*) FROM programme_overrides)"
    )
    settings = await pool.fetchval("SELECT settings FROM programmes WHERE id = $1", pid)
    async with browser(app, "otto@example.org") as otto:
        for url, data in posts.items():
            r = await post(otto, url, "/organise", **data)
            assert r.status_code == 403, (url, r.text)
    async with browser(app) as anonymous:
        for url, data in posts.items():
            r = await post(anonymous, url, "/login", **data)
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    after = await pool.fetchval(
        "SELECT (SELECT count(*) FROM rounds) + (SELECT count(*) FROM programme_overrides)"
    )
    assert after == before
    assert await pool.fetchval("SELECT settings FROM programmes WHERE id = $1", pid) == settings


async def test_the_settings_page_shows_each_default_and_meaning_and_saves(client, app, pool):
    w = await _world(client, pool)
    pid = w["mine"]["id"]
    async with browser(app, "olga@example.org") as olga:
        page = await olga.get(f"/organise/{pid}/settings")
        body = text(page)
        for name, default in DEFAULT_WEIGHTS.items():
            assert WEIGHT_MEANINGS[name] in body
            assert f'name="w_{name}"' in page.text and f"(default {default})" in body
        assert "optimal: as many matches as possible" not in body  # shown as a choice instead
        assert "(default optimal)" in body and "(default everyone eligible)" in body
        form = settings_form(page, w_tools="4", mode="stable", round_size="12")
        r = await olga.post(f"/organise/{pid}/settings", data=form)
        assert r.status_code == 303, r.text
        saved = await olga.get(r.headers["location"])
        assert "Saved." in text(saved)
        stored = await pool.fetchval("SELECT settings FROM programmes WHERE id = $1", pid)
        assert stored["weights"]["tools"] == 4.0 and stored["mode"] == "stable"
        assert stored["round_size"] == 12
        # Emptying the round size means everyone eligible again.
        r = await olga.post(f"/organise/{pid}/settings", data=settings_form(saved, round_size=""))
        assert r.status_code == 303
        stored = await pool.fetchval("SELECT settings FROM programmes WHERE id = $1", pid)
        assert stored["round_size"] is None and stored["weights"]["tools"] == 4.0


async def test_bad_settings_show_each_field_message_and_save_nothing(client, app, pool):
    w = await _world(client, pool)
    pid = w["mine"]["id"]
    stored = await pool.fetchval("SELECT settings FROM programmes WHERE id = $1", pid)
    async with browser(app, "olga@example.org") as olga:
        page = await olga.get(f"/organise/{pid}/settings")
        zeros = {f"w_{name}": "0" for name in DEFAULT_WEIGHTS}
        cases = [
            ({"w_tools": "lots"}, "Enter a number"),
            ({"w_tools": "11"}, "Use 10.0 or less"),
            (zeros, "At least one weight must be above 0"),
            ({"mode": "fast"}, "Choose one of"),
            ({"round_size": "0"}, "Use 1 or more"),
            ({"reminder_days": "12", "expiry_days": "10"}, "Must be more than reminder_days"),
            ({"min_overlap_hours": "-1"}, "Use 0.0 or more"),
            ({"version": "x"}, "This form is out of date"),
        ]
        for changes, message in cases:
            r = await olga.post(f"/organise/{pid}/settings", data=settings_form(page, **changes))
            assert r.status_code == 422, (changes, r.text)
            assert message in text(r), (changes, text(r))
            assert 'aria-invalid="true"' in r.text or "out of date" in text(r)
            # What was typed stays in the form.
            for name, value in changes.items():
                if name.startswith("w_") and name != "w_tools":
                    continue
                assert f'value="{value}' in r.text or name in ("mode", "version"), name
    assert await pool.fetchval("SELECT settings FROM programmes WHERE id = $1", pid) == stored


async def test_two_organisers_save_at_once_and_the_second_is_refused(client, app, pool):
    w = await _world(client, pool)
    pid = w["mine"]["id"]
    async with (
        browser(app, "olga@example.org") as olga,
        browser(app, w["admin_email"]) as sara,
    ):
        olga_page = await olga.get(f"/organise/{pid}/settings")
        sara_page = await sara.get(f"/organise/{pid}/settings")
        first = await olga.post(
            f"/organise/{pid}/settings", data=settings_form(olga_page, w_tools="5", mode="stable")
        )
        assert first.status_code == 303
        second = await sara.post(
            f"/organise/{pid}/settings", data=settings_form(sara_page, w_text="7")
        )
        assert second.status_code == 409
        body = text(second)
        assert "Someone else saved these settings at" in body
        assert "Nothing of yours was saved" in body and "Make your change again" in body
        # The page shows theirs: tools 5 and stable, not Sara's text weight.
        assert 'name="w_tools" min="0" max="10" step="0.5" value="5.0"' in second.text
        assert 'name="w_text" min="0" max="10" step="0.5" value="1.0"' in second.text
        assert re.search(r'name="mode" value="stable" checked', second.text)
        # Sent again from the refreshed page, Sara's change goes through on top of Olga's.
        third = await sara.post(f"/organise/{pid}/settings", data=settings_form(second, w_text="7"))
        assert third.status_code == 303
    stored = await pool.fetchval("SELECT settings FROM programmes WHERE id = $1", pid)
    assert stored["weights"]["tools"] == 5.0 and stored["weights"]["text"] == 7.0
    assert stored["mode"] == "stable"


async def test_the_members_page_filters_and_shows_no_contact_details(client, app, pool):
    w = await _world(client, pool)
    pid = w["mine"]["id"]
    async with browser(app, "olga@example.org") as olga:
        page = await olga.get(f"/organise/{pid}/members")
        body = text(page)
        assert "2 members." in body and "Ana Silva" in body and "Rui Mentor" in body
        assert "@" not in re.sub(r"<header.*?</header>", "", page.text, flags=re.S)
        only = await olga.get(f"/organise/{pid}/members?role=mentor&band=americas&q=rui")
        assert "1 member matches these filters." in text(only)
        assert "Ana Silva" not in text(only) and "Rui Mentor" in text(only)
        assert '<option value="americas" selected>' in only.text
        verified = await olga.get(f"/organise/{pid}/members?status=email_verified")
        assert "Ana Silva" in text(verified) and "Rui Mentor" not in text(verified)
        bad = await olga.get(f"/organise/{pid}/members?role=boss&country=XX")
        assert bad.status_code == 422
        assert text(bad).count('aria-invalid="true"') == 2
        assert "Choose one of: mentee or mentor" in text(bad)
        assert "choose a country from the list" in text(bad).lower()


async def test_my_programmes_and_the_home_page_lead_an_organiser_to_their_programmes(
    client, app, pool
):
    w = await _world(client, pool)
    pid = w["mine"]["id"]
    async with browser(app, "olga@example.org") as olga:
        home = await olga.get("/")
        assert '<a class="button" href="/organise">Your programmes</a>' in home.text
        page = await olga.get("/organise")
        body = text(page)
        assert f'href="/organise/{pid}"' in page.text
        assert f'href="/organise/{pid}/members"' in page.text
        assert f'href="/organise/{pid}/settings"' in page.text
        assert "1 mentee and 1 mentor" in body
        assert f'href="/organise/rounds/{w["round"]}"' in page.text
        assert "waiting for a worker" in body
    async with browser(app) as anonymous:
        assert "Your programmes" not in (await anonymous.get("/")).text
    await sign_up_and_login(client, display_name="Nina Newcomer")
    assert "Your programmes" not in (await client.get("/")).text
