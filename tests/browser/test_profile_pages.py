"""A newcomer signs up, edits and logs back in, in a real headless Chromium."""

from __future__ import annotations

import re

from playwright.async_api import expect


async def test_sign_up_fix_a_field_edit_log_out_and_back_in(live, browser, pool):
    page = await (await browser.new_context()).new_page()
    await page.goto(live.url + "/")
    await page.get_by_role("link", name="Find a mentor").click()
    await expect(page.get_by_role("heading", name="Sign up as a mentee")).to_be_visible()

    await page.get_by_label("Email", exact=True).fill("rita.browser@example.org")
    await page.get_by_label("Password (at least 12 characters)").fill("a long enough password")
    await page.get_by_label("Display name", exact=True).fill("Rita Browser")
    await page.get_by_label("Headline", exact=True).fill("Business analyst aiming for PM")
    await page.get_by_label("Timezone", exact=True).select_option("")
    await page.get_by_label("Languages you can meet in").select_option(["en", "pt"])
    await page.get_by_label("Goals", exact=True).fill("Earn PMP, first PM job")
    await page.get_by_label("Tools", exact=True).fill("Microsoft Project, Jira")
    await page.get_by_text("Or type exact times").click()
    await page.locator("textarea[name=availability]").fill("Tue 18:00-20:00\nSat 10:00-12:00")
    await page.get_by_role("button", name="Create my account").click()

    # No timezone chosen: the form comes back with the message by the field and everything
    # typed kept (except the password), and no account exists yet.
    await expect(page.get_by_role("alert")).to_contain_text("Please fix the fields")
    await expect(page.locator(".error")).to_have_text("Choose your timezone from the list")
    await expect(page.get_by_label("Display name", exact=True)).to_have_value("Rita Browser")
    assert await pool.fetchval("SELECT count(*) FROM people") == 0

    await page.get_by_label("Timezone", exact=True).select_option("Europe/Lisbon")
    await page.get_by_label("Password (at least 12 characters)").fill("a long enough password")
    await page.get_by_role("button", name="Create my account").click()
    await expect(page).to_have_url(re.compile(r"/me\?welcome=1$"))
    await expect(page.locator(".notice")).to_contain_text("Welcome to Kickoff, Rita Browser")
    # Free text was normalised through the taxonomy's synonyms and shown by its labels.
    await expect(page.locator("dl.profile")).to_contain_text("Earn the PMP")
    await expect(page.locator("dl.profile")).to_contain_text("Microsoft Project")
    await expect(page.locator("dl.profile")).to_contain_text("Tue 18:00–20:00")

    await page.get_by_role("link", name="Edit my profile").click()
    await page.get_by_label("Headline", exact=True).fill(
        "Scrum master moving into IT project management"
    )
    await page.get_by_role("button", name=re.compile("Save")).click()
    await expect(page.locator(".notice")).to_contain_text("Your profile was saved")
    await expect(page.locator(".headline")).to_have_text(
        "Scrum master moving into IT project management"
    )

    await page.get_by_role("button", name="Log out").click()
    await page.goto(live.url + "/me")
    await expect(page).to_have_url(re.compile(r"/login\?next=/me$"))
    await page.get_by_label("Email", exact=True).fill("rita.browser@example.org")
    await page.get_by_label("Password", exact=True).fill("not the password at all")
    await page.get_by_role("button", name=re.compile("Log in")).click()
    await expect(page.get_by_role("alert")).to_be_visible()
    await page.get_by_label("Password", exact=True).fill("a long enough password")
    await page.get_by_role("button", name=re.compile("Log in")).click()
    await expect(page).to_have_url(re.compile(r"/me$"))
    await expect(page.get_by_role("heading", name="Rita Browser")).to_be_visible()
