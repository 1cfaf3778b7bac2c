"""An association admin imports the demo calendar in a real headless Chromium: from the
association's page to the file picker, the report with the events left out and why, and the
same file again (nothing new); a file that is no calendar says why."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.async_api import expect

from tests.api.test_associations import association, association_admin
from tests.api.test_programmes import admin
from tests.conftest import signup_body

SAMPLE_EVENTS = Path(__file__).parents[2] / "service" / "demo" / "data" / "sample_events.ics"
PHONE = {"width": 390, "height": 844}


async def test_an_admin_imports_a_calendar_on_a_phone(live, browser, pool, tmp_path):
    body = signup_body(display_name="Ada Admin")
    async with httpx.AsyncClient(base_url=live.url) as api:
        _, boss = await admin(api, pool)
        chapter = await association(api, boss, name="PMI Lisbon Chapter")
        await association_admin(api, boss, chapter["id"], **body)

    page = await (await browser.new_context(viewport=PHONE)).new_page()
    await page.goto(f"{live.url}/login")
    await page.get_by_label("Email", exact=True).fill(str(body["email"]))
    await page.get_by_label("Password", exact=True).fill(str(body["password"]))
    await page.get_by_role("button", name="Log in").click()
    await expect(page).to_have_url(re.compile(r"/me$"))
    await page.goto(f"{live.url}/associations/{chapter['id']}")
    await page.get_by_role("link", name="Import events").click()
    await expect(
        page.get_by_role("heading", name="Import events of PMI Lisbon Chapter")
    ).to_be_visible()

    # Not a calendar: said in plain words, the form is there to try again.
    junk = tmp_path / "members.csv"
    junk.write_text("Email,Name\nana@example.org,Ana\n")
    await page.get_by_label("Calendar file").set_input_files(str(junk))
    await page.get_by_role("button", name="Import the events").click()
    await expect(page.get_by_role("alert")).to_contain_text("it has no BEGIN:VCALENDAR")
    assert await pool.fetchval("SELECT count(*) FROM events") == 0

    await page.get_by_label("Calendar file").set_input_files(str(SAMPLE_EVENTS))
    await page.get_by_role("button", name="Import the events").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Events of PMI Lisbon Chapter imported from sample_events.ics"
    )
    stored = await pool.fetchval("SELECT count(*) FROM events")
    await expect(page.get_by_role("status")).to_have_text(
        f"Done: {stored} new, 0 updated, 0 unchanged, 3 left out."
    )
    left_out = page.locator(".rejected-events li")
    await expect(left_out).to_have_count(3)
    await expect(left_out.first).to_contain_text(
        "Mentoring clinic (end time typed wrong): it ends before it starts."
    )
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]

    await page.get_by_role("link", name="Import another calendar").click()
    await page.get_by_label("Calendar file").set_input_files(str(SAMPLE_EVENTS))
    await page.get_by_role("button", name="Import the events").click()
    await expect(page.get_by_role("status")).to_have_text(
        f"Done: 0 new, 0 updated, {stored} unchanged, 3 left out."
    )
    assert await pool.fetchval("SELECT count(*) FROM events") == stored
