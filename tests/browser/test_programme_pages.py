"""Joining programmes in a real headless Chromium: by invitation link, then from the list."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.api.test_programmes import admin, programme
from tests.conftest import account, signup_body


async def test_join_by_invitation_link_then_from_the_list(live, browser, pool):
    async with httpx.AsyncClient(base_url=live.url) as api:
        _, boss = await admin(api, pool)
        await programme(api, boss, name="Open cohort", description="Spring cohort")
        closed = await programme(api, boss, name="Invited cohort", access="invitation")
        code = closed["invitation_code"]
        body = signup_body(display_name="Nina Newcomer", consent_to_match=False)
        await account(api, **body)

    # The invitation link, followed while logged out: log in, then back to the link.
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{live.url}/join/{code}")
    await expect(page).to_have_url(re.compile(rf"/login\?next=/join/{code}$"))
    await page.get_by_label("Email", exact=True).fill(str(body["email"]))
    await page.get_by_label("Password", exact=True).fill(str(body["password"]))
    await page.get_by_role("button", name="Log in").click()
    await expect(page).to_have_url(re.compile(rf"/join/{code}$"))
    await expect(page.get_by_role("heading", name="Join Invited cohort")).to_be_visible()
    await expect(page.locator("main")).to_contain_text("What joining means")

    # Joining asks for the consent the profile does not have yet.
    await page.get_by_role("button", name="Join Invited cohort").click()
    await expect(page.get_by_role("alert")).to_contain_text("tick the box")
    await page.get_by_label("I agree to be matched and introduced to other members").check()
    await page.get_by_role("button", name="Join Invited cohort").click()
    await expect(page).to_have_url(re.compile(r"/programmes\?joined="))
    await expect(page.locator(".notice")).to_contain_text("You joined Invited cohort")
    mine = page.locator("section.my-programmes")
    await expect(mine).to_contain_text("Invited cohort")

    # From the list, through the site menu: consent was given, so the step only confirms.
    await page.get_by_role("link", name="Programmes", exact=True).click()
    joinable = page.locator("section.join-programmes")
    await expect(joinable).to_contain_text("Spring cohort")
    await joinable.get_by_role("link", name="Join Open cohort").click()
    await expect(page.get_by_role("heading", name="Join Open cohort")).to_be_visible()
    await expect(page.get_by_label("I agree to be matched")).to_have_count(0)
    await page.get_by_role("button", name="Join Open cohort").click()
    await expect(page.locator(".notice")).to_contain_text("You joined Open cohort")
    await expect(mine).to_contain_text("Open cohort")
    await expect(mine).to_contain_text("Invited cohort")
    await expect(joinable).to_contain_text("no other programme open to join")

    person = await pool.fetchval("SELECT id FROM people WHERE email = $1", body["email"])
    joined = await pool.fetchval(
        "SELECT count(*) FROM programme_members WHERE person_id = $1", person
    )
    assert joined == 2
    assert await pool.fetchval("SELECT consent_to_match FROM people WHERE id = $1", person)

    # And leaving, from My programmes.
    await mine.get_by_role("button", name="Leave Open cohort").click()
    await expect(page.locator(".notice")).to_contain_text("You left the programme")
    await expect(joinable).to_contain_text("Open cohort")
