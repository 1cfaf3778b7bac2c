"""Verify the address from the demo Mailbox, then "Forgot your password?" end to end, in a real
headless Chromium."""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import expect

from tests.browser.test_introduction_pages import live_settings, mail_to, sink  # noqa: F401
from tests.workers.test_rounds import _run_worker

EMAIL = "vera.browser@example.org"


async def _deliver(live) -> None:
    """Wait for the email just asked for to be enqueued, then let a worker deliver it."""
    arq = live.app.state.services.arq
    for _ in range(200):
        if await arq.zcard(live.settings.arq_queue_name):
            break
        await asyncio.sleep(0.05)
    await _run_worker(live.settings)


async def test_verify_from_the_mailbox_then_reset_a_forgotten_password(
    live,
    browser,
    pool,
    sink,  # noqa: F811
):
    page = await (await browser.new_context()).new_page()
    await page.goto(live.url + "/signup?role=mentee")
    await page.get_by_label("Email", exact=True).fill(EMAIL)
    await page.get_by_label("Password (at least 12 characters)").fill("my first long password")
    await page.get_by_label("Display name", exact=True).fill("Vera Browser")
    await page.get_by_label("Timezone", exact=True).select_option("Europe/Lisbon")
    await page.get_by_role("button", name="Create my account").click()
    await expect(page).to_have_url(re.compile(r"/me\?welcome=1$"))
    unverified = page.get_by_role("region", name="Email address not verified")
    await expect(unverified).to_contain_text("Your email address is not verified yet")
    await expect(unverified.get_by_role("button", name="Send the link again")).to_be_visible()

    # The verification email, in the demo's Mailbox; its link confirms the address.
    await _deliver(live)
    await page.get_by_role("link", name="Mailbox").click()
    mail = mail_to(page, EMAIL, "Confirm your email address")
    await expect(mail).to_have_count(1)
    link = mail.locator('a[href*="/verify/"]')
    href = await link.get_attribute("href")
    assert href is not None
    await link.click()
    await page.get_by_role("button", name="Confirm my email address").click()
    await expect(page.locator(".notice")).to_contain_text("your email address is verified")
    await page.get_by_role("link", name="Go to my profile").click()
    await expect(page.get_by_role("heading", name="Vera Browser")).to_be_visible()
    await expect(unverified).to_have_count(0)
    assert await pool.fetchval("SELECT email_verified_at IS NOT NULL FROM people")
    # Used once, the link says so.
    await page.goto(href)
    await expect(page.get_by_role("alert")).to_contain_text("already used")
    await expect(page.get_by_role("button", name="Confirm my email address")).to_have_count(0)

    # Forgotten password: from the login form, a link by email, a new password.
    await page.goto(live.url + "/me")
    await page.get_by_role("button", name="Log out").click()
    await page.goto(live.url + "/login")
    await page.get_by_role("link", name="Forgot your password?").click()
    await page.get_by_label("Email", exact=True).fill(EMAIL)
    await page.get_by_role("button", name="Email me a link").click()
    await expect(page.locator(".notice")).to_contain_text(f"If an account uses {EMAIL}")
    await _deliver(live)
    await page.goto(live.url + "/mailbox")
    mail = mail_to(page, EMAIL, "Choose a new Kickoff password")
    await expect(mail).to_have_count(1)
    await mail.locator('a[href*="/reset/"]').click()
    await page.get_by_label("New password").fill("my second long password")
    await page.get_by_role("button", name="Set my new password").click()
    await expect(page.locator(".notice")).to_contain_text("Your password was changed")
    await page.get_by_role("link", name="Log in with your new password").click()
    await page.get_by_label("Email", exact=True).fill(EMAIL)
    await page.get_by_label("Password", exact=True).fill("my first long password")
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    await page.get_by_label("Password", exact=True).fill("my second long password")
    await page.get_by_role("button", name="Log in").click()
    await expect(page).to_have_url(re.compile(r"/me$"))
    await expect(page.get_by_role("heading", name="Vera Browser")).to_be_visible()
