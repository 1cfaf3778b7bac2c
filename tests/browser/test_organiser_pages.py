"""An organiser's round in a real headless Chromium: change a weight, start a round on demo
data, watch it until its review, pin one pair and forbid another, run it again and publish
after the confirmation. Screenshots of each page go to a folder the test prints."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from service.demo.seed import DEMO_PASSWORD, seed_demo
from tests.api.test_programmes import admin, appoint, programme
from tests.api.test_round_pages import SMALL
from tests.conftest import account
from tests.workers.test_rounds import _run_worker

SHOTS = Path("/tmp/organiser-shots")
PASSWORD = "correct horse battery staple"


async def shot(page: Page, name: str, part: int = 1600, parts: int = 3) -> None:
    """A full-page screenshot of what the organiser sees now, and a long page's first
    ``parts`` screens too (easier to look at)."""
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    height = await page.evaluate("document.documentElement.scrollHeight")
    width = page.viewport_size["width"] if page.viewport_size else 1280
    for k in range(min(parts, height // part) if height > 2 * part else 0):
        clip = {"x": 0, "y": k * part, "width": width, "height": part}
        await page.screenshot(path=str(SHOTS / f"{name}-{k + 1}.png"), full_page=True, clip=clip)


async def organiser_world(live, pool) -> str:
    """The demo population and a small programme of it organised by Olga; its id."""
    services = live.app.state.services
    await seed_demo(pool, services.taxonomy, services.passwords)
    async with httpx.AsyncClient(base_url=live.url) as api:
        _, boss = await admin(api, pool)
        owned = await programme(api, boss, name="PMI Lisbon spring 2027")
        olga, _ = await account(api, display_name="Olga Organiser", email="olga@example.org")
        await appoint(api, owned["id"], olga["id"], boss)
    await pool.execute(
        f"INSERT INTO programme_members (programme_id, person_id) SELECT $1, id FROM people"
        f" WHERE {SMALL}",
        owned["id"],
    )
    return str(owned["id"])


async def log_in(browser, live, email: str, password: str = PASSWORD) -> Page:
    page = await (await browser.new_context(accept_downloads=True)).new_page()
    await page.goto(live.url + "/login")
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(re.compile(r"/me$"))
    return page


async def watch_until_reviewed(page: Page, live) -> None:
    """The progress page, with the worker running the round: it becomes the review."""
    await expect(page.locator("progress")).to_be_visible()
    await shot(page, "round-progress")
    worker = asyncio.create_task(_run_worker(live.settings))
    await expect(page.get_by_role("heading", name="How the round went")).to_be_visible(
        timeout=60_000
    )
    await worker


@pytest.fixture
def shots() -> Path:
    """The screenshots' folder, printed so that a person can look at them."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of the organiser's pages: {SHOTS}")
    return SHOTS


async def test_an_organiser_tunes_runs_fixes_reruns_and_publishes(live, browser, pool, shots):
    pid = await organiser_world(live, pool)
    page = await log_in(browser, live, "olga@example.org")

    # Home leads to My programmes, which leads to the programme.
    await page.goto(live.url + "/")
    await page.get_by_role("link", name="Your programmes").click()
    await expect(page.get_by_role("heading", name="Programmes I organise")).to_be_visible()
    await shot(page, "my-programmes")
    await page.get_by_role("link", name="Matching settings").click()

    # Change a weight.
    await expect(page.get_by_role("heading", name="Matching settings")).to_be_visible()
    tools = page.get_by_label(re.compile(r"^Tools"))
    await expect(tools).to_have_value("1.0")
    await tools.fill("3")
    await shot(page, "settings")
    await page.get_by_role("button", name="Save settings").click()
    await expect(page.get_by_role("status")).to_contain_text("Saved")
    stored = await pool.fetchval("SELECT settings FROM programmes WHERE id = $1", pid)
    assert stored["weights"]["tools"] == 3.0

    # Members, filtered.
    await page.goto(f"{live.url}/organise/{pid}/members")
    await page.get_by_label("Role").select_option("mentor")
    await page.get_by_role("button", name="Show members").click()
    await expect(page.get_by_role("status")).to_contain_text(
        re.compile(r"\d+ members match these filters")
    )
    await shot(page, "members")

    # Start a round and watch it turn into its review.
    await page.goto(f"{live.url}/organise/{pid}")
    await shot(page, "programme")
    await page.get_by_role("button", name="Start a round").click()
    await watch_until_reviewed(page, live)
    # The histogram of match scores and the fairness table, each drawn with its numbers.
    scores = page.get_by_role("img", name=re.compile("Match scores of the proposed pairs"))
    await expect(scores).to_be_visible()
    await expect(page.locator("section.fairness figure.chart").first).to_be_visible()
    await expect(page.locator("section.fairness table").first).to_be_visible()
    await expect(page.locator("li.pair meter").first).to_be_visible()
    await shot(page, "review")
    await page.locator("#unmatched").screenshot(path=str(SHOTS / "review-unmatched.png"))

    # Pin the first pair, forbid the second.
    pairs = page.locator("li.pair")
    first_names = await pairs.nth(0).locator(".who a").all_inner_texts()
    second_names = await pairs.nth(1).locator(".who a").all_inner_texts()
    await pairs.nth(0).get_by_role("button", name=re.compile(r"^Pin ")).click()
    await expect(page.get_by_role("status").first).to_contain_text("Pinned")
    await page.locator("li.pair").nth(1).get_by_role("button", name=re.compile("^Forbid ")).click()
    await expect(page.get_by_role("status").first).to_contain_text("Forbidden")
    overrides = page.locator("table.overrides")
    await expect(overrides).to_contain_text(first_names[0])
    await expect(overrides).to_contain_text(second_names[0])
    await shot(page, "review-overrides")

    # Run again: the pin holds, the forbidden pair is gone.
    await page.get_by_role("button", name="Run again").click()
    await watch_until_reviewed(page, live)
    first = page.locator("li.pair").filter(has_text=first_names[0]).first
    await expect(first).to_contain_text(first_names[1])
    await expect(first.locator(".badge")).to_have_text("pinned")
    forbidden = page.locator("li.pair").filter(has_text=second_names[0])
    await expect(forbidden.filter(has_text=second_names[1])).to_have_count(0)

    # The two rounds side by side (this one first): the forbidden pair's mentee moved.
    second_round = page.url
    await page.get_by_role("link", name="Compare with another round").click()
    await expect(page.get_by_role("heading", name="Compare two rounds")).to_be_visible()
    await expect(page.locator("table.figures")).to_contain_text("Mentees matched")
    moved = page.locator("details").filter(has_text=re.compile(r"(Changed|Dropped|Gained)"))
    await expect(moved.filter(has_text=second_names[0]).first).to_be_attached()
    await shot(page, "compare")
    await page.goto(second_round)

    # The matches as CSV, as a spreadsheet will open them.
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Download the matches (CSV)").click()
    saved = await (await download.value).path()
    table = await asyncio.to_thread(Path(saved).read_text, encoding="utf-8-sig")
    assert table.splitlines()[0].startswith("status,mentee_id,mentee,mentor_id,mentor,score")
    assert first_names[0] in table

    # Publish, after the confirmation that counts what goes out.
    await page.get_by_role("link", name="Publish…").click()
    await expect(page.locator("main")).to_contain_text("Publishing makes")
    await shot(page, "publish-confirm")
    button = page.get_by_role("button", name=re.compile(r"^Publish \d+ introductions?$"))
    n = int(re.findall(r"\d+", await button.inner_text())[0])
    await button.click()
    await expect(page.get_by_role("status").first).to_contain_text(
        f"{n} introductions went out ({2 * n} emails"
    )
    await shot(page, "published")
    assert await pool.fetchval("SELECT count(*) FROM mentorships") == n

    # A mentee of the round finds the introduction under My matches.
    mentee_email = await pool.fetchval(
        "SELECT e.email FROM mentorships m JOIN people e ON e.id = m.mentee_id LIMIT 1"
    )
    mentee = await log_in(browser, live, mentee_email, DEMO_PASSWORD)
    await mentee.goto(live.url + "/me/matches")
    await expect(mentee.locator("article.match").first).to_contain_text("your mentor")
    await shot(mentee, "mentee-my-matches")

    # The review prints without the site's chrome or buttons.
    await page.emulate_media(media="print")
    await expect(page.locator("header.top")).to_be_hidden()
    await expect(page.get_by_role("button", name="Run again")).to_be_hidden()
    await expect(page.locator("section.fairness figure.chart").first).to_be_visible()
    await shot(page, "published-print")
