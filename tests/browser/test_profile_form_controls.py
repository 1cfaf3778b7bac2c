"""The sign-up form's lists, suggestions and availability grid, in a real headless Chromium,
with JavaScript (the browser's timezone preselected, suggestions for the term being typed)
and without it (everything chosen by hand still works)."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

SCREENSHOT = "/tmp/h1-signup.png"


async def _account(page: Page, email: str, name: str) -> None:
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_label("Password (at least 12 characters)").fill("a long enough password")
    await page.get_by_label("Display name", exact=True).fill(name)


async def test_sign_up_with_scripts_preselects_the_timezone_and_suggests_terms(live, browser):
    context = await browser.new_context(timezone_id="Asia/Kolkata")
    page = await context.new_page()
    await page.goto(live.url + "/signup?role=mentor")
    timezone = page.get_by_label("Timezone", exact=True)
    # Chromium may call it Asia/Calcutta: the form's list names it Asia/Kolkata.
    await expect(timezone).to_have_value("Asia/Kolkata")

    await _account(page, "asha.browser@example.org", "Asha Browser")
    await page.get_by_label("Country", exact=True).select_option(label="India")
    languages = page.get_by_label("Languages you can meet in")
    await expect(languages).to_have_values(["en"])  # English to start with
    await languages.select_option(["en", "hi"])

    # Suggestions follow the term after the last comma, keeping what is already there.
    skills = page.get_by_label("Skills", exact=True)
    await skills.press_sequentially("Risk management, stak")
    suggestions = page.locator(f"datalist#{await skills.get_attribute('list')} option")
    await expect(suggestions.first).to_have_attribute(
        "value", "Risk management, Stakeholder communication"
    )
    assert all(
        value.startswith("Risk management, ")
        for value in await suggestions.evaluate_all("os => os.map(o => o.value)")
    )
    await skills.fill("Risk management, Kanban Coaching for NGOs")

    await page.get_by_label("Tuesday evening").check()
    await page.get_by_label("Saturday morning").check()
    await page.screenshot(path=SCREENSHOT, full_page=True)
    await page.get_by_role("button", name="Create my account").click()

    await expect(page).to_have_url(re.compile(r"/me\?welcome=1$"))
    profile = page.locator("dl.profile")
    await expect(profile).to_contain_text("India (Asia/Kolkata)")
    await expect(profile).to_contain_text("English, Hindi")
    await expect(profile).to_contain_text("Kanban Coaching for NGOs")
    await expect(profile).to_contain_text("Tue 18:00–22:00")
    await expect(profile).to_contain_text("Sat 08:00–12:00")

    # The edit form shows the same choices; the person's timezone is not replaced.
    await page.get_by_role("link", name="Edit my profile").click()
    await expect(timezone).to_have_value("Asia/Kolkata")
    await expect(languages).to_have_values(["en", "hi"])
    await expect(page.get_by_label("Tuesday evening")).to_be_checked()
    await expect(page.get_by_label("Tuesday morning")).not_to_be_checked()
    await expect(skills).to_have_value("Risk management, Kanban Coaching for NGOs")
    await context.close()


async def test_sign_up_without_scripts_by_choosing_from_the_lists(live, browser, pool):
    context = await browser.new_context(java_script_enabled=False, timezone_id="Asia/Kolkata")
    page = await context.new_page()
    await page.goto(live.url + "/signup")
    timezone = page.get_by_label("Timezone", exact=True)
    await expect(timezone).to_have_value("")  # nothing guessed without a script

    await _account(page, "nuno.browser@example.org", "Nuno Browser")
    await page.get_by_label("Languages you can meet in").select_option(["pt", "en"])
    await page.get_by_label("Skills", exact=True).fill("Scrum, Kanban Coaching for NGOs")
    await page.get_by_label("Monday morning").check()
    await page.get_by_label("Thursday afternoon").check()
    await page.get_by_text("Or type exact times").click()
    await page.locator("textarea[name=availability]").fill("Sun 10:00-11:30")
    await page.get_by_role("button", name="Create my account").click()

    # No timezone chosen: said plainly, by the field; the rest is kept.
    await expect(page.locator("#timezone-error")).to_have_text("Choose your timezone from the list")
    assert await pool.fetchval("SELECT count(*) FROM people") == 0
    await expect(page.get_by_label("Monday morning")).to_be_checked()
    await expect(page.locator("textarea[name=availability]")).to_have_value("Sun 10:00-11:30\n")

    await timezone.select_option("Europe/Lisbon")
    await page.get_by_label("Country", exact=True).select_option("PT")
    await page.get_by_label("Password (at least 12 characters)").fill("a long enough password")
    await page.get_by_role("button", name="Create my account").click()
    await expect(page).to_have_url(re.compile(r"/me\?welcome=1$"))
    profile = page.locator("dl.profile")
    await expect(profile).to_contain_text("Portugal (Europe/Lisbon)")
    await expect(profile).to_contain_text("English, Portuguese")
    windows = profile.locator("dd").filter(has_text="Mon 08:00–12:00").locator(".tag")
    await expect(windows).to_have_text(["Mon 08:00–12:00", "Thu 13:00–17:00", "Sun 10:00–11:30"])
    await expect(profile).to_contain_text("Kanban Coaching for NGOs")
    await context.close()
