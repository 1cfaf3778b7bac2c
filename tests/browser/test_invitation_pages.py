"""An imported member follows the invitation from the demo Mailbox to their own account, in a
real headless Chromium."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.test_introduction_pages import live_settings, mail_to, sink  # noqa: F401
from tests.imported import UMA, association, import_members
from tests.workers.test_rounds import _run_worker


async def test_from_the_invitation_email_to_an_account(
    live,
    browser,
    pool,
    sink,  # noqa: F811
):
    chapter = await association(pool)
    await import_members(pool, live.settings.secret, chapter, [UMA])
    await _run_worker(live.settings)  # the invitation reaches the demo's sink

    page = await (await browser.new_context()).new_page()
    await page.goto(live.url + "/mailbox")
    mail = mail_to(page, UMA["email"], "PMI Lisbon Chapter invited you to Kickoff")
    await expect(mail).to_have_count(1)
    await expect(mail).to_contain_text("We will remind you once")
    await mail.screenshot(path="/tmp/h9-1-email.png")
    await mail.locator('a[href*="/invitation/"]').first.click()
    link = page.url

    # The association's name, what accepting means, and what the import filled in.
    await expect(
        page.get_by_role("heading", name="PMI Lisbon Chapter invited you to Kickoff")
    ).to_be_visible()
    await expect(page.get_by_label("Display name", exact=True)).to_have_value("Uma Costa")
    await expect(page.get_by_label("City", exact=True)).to_have_value("Lisbon")
    consent = page.get_by_label("I agree to be matched with other members of programmes I join")
    await expect(consent).not_to_be_checked()
    await page.screenshot(path="/tmp/h9-2-invitation.png", full_page=True)

    # Sent as it is: plain messages, and the import's values still there.
    await page.get_by_role("button", name="Accept and join Kickoff").click()
    await expect(page.get_by_role("alert")).to_contain_text("Please fix the fields marked below")
    await expect(page.locator("main")).to_contain_text("Choose at least one role")
    await expect(page.get_by_label("City", exact=True)).to_have_value("Lisbon")
    capacity = page.get_by_label("How many mentees can you take at once? (1–10)")
    await expect(capacity).to_have_value("2")
    await page.screenshot(path="/tmp/h9-3-errors.png", full_page=True)

    await page.get_by_label("Password (at least 12 characters)").fill("my invited long password")
    await page.get_by_label("As a mentee: I would like a mentor").check()
    await page.get_by_label("Timezone", exact=True).select_option("Europe/Lisbon")
    await page.get_by_label("Tuesday evening").check()
    await consent.check()
    await page.get_by_role("button", name="Accept and join Kickoff").click()
    await expect(page).to_have_url(re.compile(r"/me\?welcome=1$"))
    await expect(page.locator(".notice")).to_contain_text("Welcome to Kickoff, Uma Costa!")
    await expect(page.get_by_role("heading", name="Uma Costa")).to_be_visible()
    # Following the emailed link verified the address.
    await expect(page.get_by_role("region", name="Email address not verified")).to_have_count(0)
    await page.screenshot(path="/tmp/h9-4-welcome.png", full_page=True)
    assert await pool.fetchval("SELECT status FROM association_members") == "active"

    # The link worked once.
    await page.goto(link)
    await expect(page.get_by_role("alert")).to_contain_text("This invitation was already used")
    await expect(page.get_by_role("button", name="Accept and join Kickoff")).to_have_count(0)
    await page.screenshot(path="/tmp/h9-5-used.png", full_page=True)
