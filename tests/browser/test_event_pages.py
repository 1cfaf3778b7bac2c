"""Events in a real headless Chromium: an association admin creates one with the form (its
errors first, local times in the chosen timezone), a person finds it under Events and says
they are going, then changes their mind; the host sees who is going."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import Browser, Page, expect

from tests.api.test_associations import association, association_admin
from tests.api.test_programmes import admin
from tests.conftest import account, signup_body


async def _login(browser: Browser, base: str, email: str, password: str) -> Page:
    page = await (await browser.new_context()).new_page()
    await page.goto(base + "/login")
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(re.compile(r"/me$"))
    return page


async def test_create_an_event_then_rsvp_and_cancel_it(live, browser, pool):
    host = signup_body(display_name="Ada Admin", email="ada@example.org")
    guest = signup_body(display_name="Nina Newcomer", timezone="Asia/Tokyo")
    async with httpx.AsyncClient(base_url=live.url) as api:
        _, boss = await admin(api, pool)
        a = await association(api, boss, name="PMI Lisbon")
        await association_admin(api, boss, a["id"], **host)
        await account(api, **guest)

    page = await _login(browser, live.url, str(host["email"]), str(host["password"]))
    await page.goto(f"{live.url}/associations/{a['id']}")
    await page.get_by_role("link", name="Create an event").click()
    await expect(page.get_by_label("Host")).to_have_value(f"association:{a['id']}")
    # The times are read in the host's own zone unless they choose another.
    await expect(page.get_by_label("Timezone of the times below")).to_have_value("Europe/Lisbon")
    # Sent with a title only: each missing field says so.
    await page.get_by_label("Title").fill("Risk management clinic")
    await page.get_by_role("button", name="Create the event").click()
    await expect(page.get_by_role("alert")).to_contain_text("Some fields need another look")
    await expect(page.locator("#kind-error")).to_be_visible()
    await expect(page.locator("#starts_at-error")).to_be_visible()
    await expect(page.get_by_label("Title")).to_have_value("Risk management clinic")
    assert await pool.fetchval("SELECT count(*) FROM events") == 0

    day = (datetime.now(ZoneInfo("Europe/Lisbon")) + timedelta(days=12)).date()
    await page.get_by_label("Kind").select_option("workshop")
    await page.get_by_label("Timezone of the times below").select_option("Europe/Lisbon")
    await page.get_by_label("Starts").fill(f"{day}T18:30")
    await page.get_by_label("Ends").fill(f"{day}T20:00")
    await page.get_by_label("City of the venue").fill("Lisbon")
    await page.get_by_label("Country of the venue").select_option("PT")
    await page.get_by_label("Topics").fill("Risk management, PMP")
    await page.get_by_label("Places").fill("1")
    await page.get_by_role("button", name="Create the event").click()
    await expect(page.locator(".notice")).to_contain_text("Event created")
    await expect(page.locator("main")).to_contain_text("1 of 1 places left")
    url = page.url.split("?")[0]
    starts = await pool.fetchval("SELECT starts_at FROM events")
    assert starts.astimezone(ZoneInfo("Europe/Lisbon")).strftime("%H:%M") == "18:30"

    # Nina (in Tokyo) finds it under Events, in her time and the event's, and goes.
    nina = await _login(browser, live.url, str(guest["email"]), str(guest["password"]))
    await nina.get_by_role("link", name="Events", exact=True).click()
    card = nina.locator("article.event", has_text="Risk management clinic")
    await expect(card).to_contain_text("your time, Asia/Tokyo")
    await expect(card).to_contain_text("18:30–20:00")  # the event's own time
    await card.get_by_role("link", name="Risk management clinic").click()
    await nina.get_by_role("button", name="I am going").click()
    await expect(nina.locator(".notice")).to_contain_text("You are going")
    await expect(nina.locator("main")).to_contain_text("Full")
    assert await pool.fetchval("SELECT rsvp_count FROM events") == 1

    await page.goto(url)
    await expect(page.locator("#hosting")).to_contain_text("Nina Newcomer")

    await nina.get_by_role("button", name="I am not going after all").click()
    await expect(nina.locator(".notice")).to_contain_text("no longer going")
    await expect(nina.get_by_role("button", name="I am going")).to_be_visible()
    assert await pool.fetchval("SELECT rsvp_count FROM events") == 0
