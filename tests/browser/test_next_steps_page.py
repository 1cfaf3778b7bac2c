"""The Next steps page in a real headless Chromium: a mentee aiming for the PMP reads what is
missing, follows the prompt to fill in the three fields, and comes back to an exact answer
with the events that help, linked to their pages."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.api.test_next_steps import days_to, event
from tests.conftest import account
from tests.imported import association


async def test_a_mentee_fills_in_the_fields_and_reads_their_next_step(live, browser, pool):
    async with httpx.AsyncClient(base_url=live.url) as client:
        await account(client, email="rita@example.org", country="PT")
    chapter = await association(pool)
    # On a Tuesday at 18:30, inside Rita's availability (Tuesdays 18:00-20:00 in Lisbon).
    tuesday = days_to(1, 18, "Europe/Lisbon", 30)
    prep = await event(pool, chapter, "PMP exam prep", tags=("pmp",), days=tuesday)

    page = await (await browser.new_context()).new_page()
    await page.goto(live.url + "/login")
    await page.get_by_label("Email", exact=True).fill("rita@example.org")
    await page.get_by_label("Password", exact=True).fill("correct horse battery staple")
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(re.compile(r"/me$"))

    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Next steps").click()
    await expect(page.get_by_role("heading", name="Next steps", level=1)).to_be_visible()
    prompt = page.get_by_role("region", name="Complete your profile")
    await expect(prompt).to_contain_text("your highest education")
    pmp = page.locator("#cert-pmp")
    await expect(pmp).to_contain_text("you are aiming for it")
    await expect(pmp.get_by_role("link", name="PMP exam prep")).to_have_attribute(
        "href", f"/events/{prep}"
    )

    await prompt.get_by_role("link", name="Add them to my profile").click()
    await page.get_by_label("Highest education").select_option("bachelor")
    await page.get_by_label(re.compile("^Months spent leading projects")).fill("22")
    await page.get_by_label(re.compile("^Hours of project-management education")).fill("40")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator(".notice")).to_contain_text("Your profile was saved")
    await expect(page.locator("dl.profile")).to_contain_text("22 months")

    await page.get_by_role("link", name=re.compile("My next steps")).click()
    await expect(page.get_by_role("region", name="Complete your profile")).to_have_count(0)
    next_step = page.get_by_role("region", name="What to do next")
    await expect(next_step).to_contain_text("PMP is your closest step")
    await expect(next_step).to_contain_text("PMP: 14 more months leading projects")
    await next_step.get_by_role("link", name="PMP exam prep").click()
    await expect(page).to_have_url(re.compile(rf"/events/{prep}$"))
