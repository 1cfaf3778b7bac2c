"""Every page, as each kind of visitor sees it (and forms showing their errors), checked with
axe-core in real Chromium: no serious or critical violation, and (on a phone-sized screen for
visitors and mentees) nothing wider than the screen."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page

from service.demo.seed import DEMO_PASSWORD
from service.digest.tokens import unsubscribe_token
from service.introductions.tokens import answer_token
from service.security import link_token
from tests.browser.test_introduction_pages import live_settings, sink  # noqa: F401
from tests.conftest import account
from tests.imported import UMA, association, import_members
from tests.workers.test_introductions import _published_round, first_pair

AXE = Axe()
SAMPLE_MEMBERS = Path(__file__).parents[2] / "service" / "demo" / "data" / "sample_members.csv"
SAMPLE_EVENTS = SAMPLE_MEMBERS.with_name("sample_events.ics")
BLOCKING = {"serious", "critical"}


def _described(violations: list[dict[str, Any]]) -> str:
    """Violations as lines a person can act on: rule, impact, help and the first elements."""
    lines = []
    for v in violations:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    return "\n".join(lines)


async def _check(page: Page, url: str, found: dict[str, list[dict[str, Any]]]) -> None:
    """Open ``url`` (unless already there) and keep its serious and critical violations."""
    if url:
        await page.goto(url)
    results = await AXE.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    # Nothing wider than the screen: a phone must not scroll sideways.
    width = await page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    if viewport and width > viewport["width"]:
        bad.append(
            {
                "id": "page-wider-than-screen",
                "impact": "serious",
                "help": f"the page is {width}px wide on a {viewport['width']}px screen",
                "nodes": [],
            }
        )
    if bad:
        found[page.url] = bad


#: A phone's screen: every page must fit it.
PHONE = {"width": 390, "height": 844}


async def _logged_in(
    browser: Browser, base: str, email: str, password: str, viewport: dict[str, int] | None = None
) -> Page:
    context = (
        await browser.new_context(viewport=viewport) if viewport else await browser.new_context()
    )
    page = await context.new_page()
    await page.goto(base + "/login")
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(re.compile(r"/me$"))
    return page


async def test_no_page_has_a_serious_or_critical_accessibility_violation(
    live,
    browser,
    pool,
    sink,  # noqa: F811
):
    async with httpx.AsyncClient(base_url=live.url) as organiser:
        rnd, _ = await _published_round(organiser, live.app, pool, live.settings)
        r = await organiser.post(
            "/api/v1/auth/password-reset", json={"email": "organiser@example.org"}
        )
        assert r.status_code == 202
        programme_id = await pool.fetchval(
            "SELECT programme_id FROM rounds WHERE id = $1", rnd["id"]
        )
        # A second round, queued (no worker runs it): its page shows the progress.
        queued = await organiser.post(f"/api/v1/programmes/{programme_id}/rounds", json={})
        assert queued.status_code == 202, queued.text
        # Olga organises the programme without being a site admin.
        olga, _ = await account(organiser, display_name="Olga Organiser", email="olga@example.org")
        await pool.execute(
            "INSERT INTO programme_organisers (programme_id, person_id) VALUES ($1, $2)",
            programme_id,
            uuid.UUID(olga["id"]),
        )
    pair = await first_pair(pool, rnd["id"])
    secret = live.settings.secret
    answer = answer_token(secret, pair["id"], pair["mentee_id"], pair["introduced_at"])
    reset_id = await pool.fetchval("SELECT id FROM email_links WHERE purpose = 'password_reset'")
    (invited,) = await import_members(pool, live.settings.secret, await association(pool), [UMA])
    base = live.url
    found: dict[str, list[dict[str, Any]]] = {}

    anonymous = await (await browser.new_context(viewport=PHONE)).new_page()
    for path in (
        "/",
        "/signup?role=mentee",
        "/signup?role=mentor",
        "/login",
        "/forgot-password",
        "/docs",
        "/mailbox",
        "/no-such-page",
        f"/introductions/{answer}",
        f"/reset/{link_token(secret, 'password_reset', reset_id)}",
        "/verify/not-a-link",
        f"/invitation/{invited.token}",
        "/invitation/not-a-link",
        f"/unsubscribe/{unsubscribe_token(secret, pair['mentee_id'])}",
        "/unsubscribe/not-a-link",
    ):
        await _check(anonymous, base + path, found)
    # The digest's unsubscribe page once its button was pressed.
    await anonymous.goto(f"{base}/unsubscribe/{unsubscribe_token(secret, pair['mentee_id'])}")
    await anonymous.get_by_role("button", name="Stop the weekly digest").click()
    await anonymous.wait_for_load_state()
    await _check(anonymous, "", found)
    # The answer page once answered: where things stand, and what may still change.
    await anonymous.goto(f"{base}/introductions/{answer}")
    await anonymous.get_by_role("button", name="Accept").click()
    await anonymous.wait_for_load_state()
    await _check(anonymous, "", found)
    # Forms showing their errors: sign-up and login sent empty.
    await anonymous.goto(base + "/signup?role=mentee")
    await anonymous.locator("form[action='/signup'] button[type=submit]").click()
    await _check(anonymous, "", found)
    await anonymous.goto(base + "/login")
    await anonymous.get_by_role("button", name="Log in").click()
    await _check(anonymous, "", found)
    await anonymous.goto(f"{base}/invitation/{invited.token}")
    await anonymous.get_by_role("button", name="Accept and join Kickoff").click()
    await anonymous.wait_for_load_state()
    await _check(anonymous, "", found)

    # The demo's associations: the one with most members, and one of its admins (a mentor).
    chapter = await pool.fetchrow(
        """SELECT a.id, p.email FROM associations a
             JOIN association_admins ad ON ad.association_id = a.id
             JOIN people p ON p.id = ad.person_id AND NOT p.is_admin
            ORDER BY (SELECT count(*) FROM association_members m WHERE m.association_id = a.id)
                     DESC, a.name LIMIT 1"""
    )
    # An event of that association, with a place taken by its admin, and a full online one.
    event_id = await pool.fetchval(
        """INSERT INTO events (association_id, title, kind, starts_at, ends_at, timezone, city,
                               country, tags, languages, capacity, rsvp_count, description)
           VALUES ($1, 'PMP exam preparation: risk management', 'workshop',
                   now() + interval '9 days', now() + interval '9 days 2 hours',
                   'America/Sao_Paulo', 'São Paulo', 'BR', '{pmp,risk-management}', '{pt,en}',
                   20, 0, 'Practice questions.') RETURNING id""",
        chapter["id"],
    )
    await pool.execute(
        """INSERT INTO events (association_id, title, kind, starts_at, ends_at, timezone, online,
                               capacity)
           VALUES ($1, 'Full webinar', 'webinar', now() + interval '3 days',
                   now() + interval '3 days 1 hour', 'Asia/Tokyo', true, 0)""",
        chapter["id"],
    )
    mentee = await _logged_in(browser, base, pair["mentee_email"], DEMO_PASSWORD, PHONE)
    for path in (
        "/me",
        "/me/edit",
        "/me/matches",
        "/suggestions",
        "/next-steps",
        "/programmes",
        f"/programmes/{programme_id}/join",
        "/organise",
        "/associations",
        "/associations?online=yes&language=en",
        f"/associations/{chapter['id']}",
        "/events",
        "/events?kind=workshop&online=no&tag=PMP",
        f"/events/{event_id}",
    ):
        await _check(mentee, base + path, found)
    # Going: the page with its cancel button.
    await mentee.get_by_role("button", name="I am going").click()
    await mentee.wait_for_load_state()
    await _check(mentee, "", found)

    # An association admin on a phone: members, keys (a new one shown), the edit form's errors.
    runner = await _logged_in(browser, base, chapter["email"], DEMO_PASSWORD, PHONE)
    runs = chapter["id"]
    await _check(runner, f"{base}/associations/{chapter['id']}", found)
    await _check(runner, f"{base}/associations/{chapter['id']}?status=requested", found)
    await runner.get_by_label("Name of a new key").fill("CRM sync")
    await runner.get_by_role("button", name="Create a key").click()
    await runner.wait_for_load_state()
    await _check(runner, "", found)
    # Its events: who is going, the cancel confirmation, the forms and their errors.
    await _check(runner, f"{base}/events/{event_id}", found)
    await runner.get_by_role("button", name="Cancel the event…").click()
    await runner.wait_for_load_state()
    await _check(runner, "", found)
    await _check(runner, f"{base}/events/{event_id}/edit", found)
    await _check(runner, f"{base}/events/new", found)
    await runner.get_by_role("button", name="Create the event").click()
    await runner.wait_for_load_state()
    await _check(runner, "", found)
    await runner.goto(f"{base}/associations/{chapter['id']}")
    await runner.get_by_text("Edit the details of").click()
    await runner.locator("form[action$='/edit'] input[name=name]").fill("")
    await runner.locator("form[action$='/edit'] button[type=submit]").click()
    await runner.wait_for_load_state()
    await _check(runner, "", found)

    admin = await _logged_in(browser, base, "organiser@example.org", "correct horse battery staple")
    for path in ("/organise", "/admin", "/me/matches", f"/associations/{chapter['id']}"):
        await _check(admin, base + path, found)
    # The organiser workspace, as a site admin and as the programme's organiser.
    workspace = (
        "/organise",
        f"/organise/{programme_id}",
        f"/organise/{programme_id}/settings",
        f"/organise/{programme_id}/members",
        f"/organise/{programme_id}/members?role=mentor&status=consents",
        f"/organise/{programme_id}/members?role=boss",  # a filter showing its error
        f"/organise/rounds/{rnd['id']}",
        f"/organise/rounds/{rnd['id']}/publish",  # published already: says why not
        f"/organise/rounds/{queued.json()['id']}",
        f"/organise/rounds/{rnd['id']}/compare",  # no other finished round yet: says so
        f"/organise/{programme_id}/outcomes",
    )
    olga_page = await _logged_in(browser, base, "olga@example.org", "correct horse battery staple")
    for page in (admin, olga_page):
        for path in workspace:
            await _check(page, base + path, found)
    # The settings form showing its errors.
    await olga_page.goto(f"{base}/organise/{programme_id}/settings")
    await olga_page.get_by_label(re.compile("^Tools")).fill("11")
    await olga_page.get_by_role("button", name="Save settings").click()
    await olga_page.wait_for_load_state()
    await _check(olga_page, "", found)
    # The admin page's association form sent empty: its errors.
    await admin.goto(base + "/admin")
    await admin.get_by_role("button", name="Create association").click()
    await admin.wait_for_load_state()
    await _check(admin, "", found)
    # A member import: the page, the file checked (its columns and first rows), the report.
    chapter = await pool.fetchval("SELECT id FROM associations ORDER BY name LIMIT 1")
    await _check(admin, f"{base}/associations/{chapter}/imports", found)
    await admin.set_input_files("input[type=file]", str(SAMPLE_MEMBERS))
    await admin.get_by_role("button", name="Check the file").click()
    await admin.wait_for_load_state()
    await _check(admin, "", found)
    await admin.get_by_role("button", name=re.compile("^Import ")).click()
    await admin.wait_for_load_state()
    await _check(admin, "", found)
    # A calendar import on a phone: the page, a refused file, the report with events left out.
    await _check(runner, f"{base}/associations/{runs}/events/import", found)
    await runner.set_input_files("input[type=file]", str(SAMPLE_MEMBERS))
    await runner.get_by_role("button", name="Import the events").click()
    await runner.wait_for_load_state()
    await _check(runner, "", found)
    await runner.set_input_files("input[type=file]", str(SAMPLE_EVENTS))
    await runner.get_by_role("button", name="Import the events").click()
    await runner.wait_for_load_state()
    await _check(runner, "", found)

    assert not found, "\n\n".join(f"{url}\n{_described(v)}" for url, v in found.items())
