"""Double opt-in in a real browser: the demo Mailbox, the emailed link and My matches."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Page, expect

from service.demo.mailbox import start_sink
from service.demo.seed import DEMO_PASSWORD
from tests.conftest import free_port
from tests.workers.test_introductions import _published_round, first_pair
from tests.workers.test_rounds import _run_worker


@pytest.fixture
def live_settings(settings):
    """Demo mode with the demo's own mail sink, links in emails pointing at the live server."""
    return settings.model_copy(
        update={
            "base_url": f"http://127.0.0.1:{free_port()}",
            "smtp_url": f"smtp://127.0.0.1:{free_port()}",
            "demo_mode": True,
        }
    )


@pytest.fixture
def sink(live_settings):
    controller = start_sink(live_settings)
    assert controller is not None
    yield controller
    controller.stop()


def mail_to(page: Page, address: str, subject: str):
    """The Mailbox entry sent to ``address`` whose subject contains ``subject``."""
    to = page.locator("small", has_text=re.compile(r"^To .*" + re.escape(address)))
    return page.locator("article.mail").filter(has=to).filter(has_text=subject)


async def test_both_accept_in_the_browser_and_only_then_see_each_other(live, browser, pool, sink):
    async with httpx.AsyncClient(base_url=live.url) as organiser:
        rnd, _ = await _published_round(organiser, live.app, pool, live.settings)
    pair = await first_pair(pool, rnd["id"])
    await _run_worker(live.settings)  # delivers the introductions to the demo's sink

    # The mentee reads the introduction in the Mailbox and follows its link: no login.
    mentee = await (await browser.new_context()).new_page()
    await mentee.goto(live.url + "/")
    await mentee.get_by_role("link", name="Mailbox").click()
    intro = mail_to(mentee, pair["mentee_email"], "your suggested mentor")
    await expect(intro).to_have_count(1)
    await expect(intro).not_to_contain_text(pair["mentor_email"])
    await intro.locator('a[href*="/introductions/"]').click()
    await expect(mentee.get_by_role("heading", name="Your introduction")).to_be_visible()
    await mentee.get_by_role("button", name="Accept").click()
    await expect(mentee.locator("main")).to_contain_text("only once you have both accepted")
    await expect(mentee.locator("main")).not_to_contain_text(pair["mentor_email"])

    # The mentor logs in, sees the mentee under My matches without any address yet, accepts.
    mentor = await (await browser.new_context()).new_page()
    await mentor.goto(live.url + "/me/matches")
    await expect(mentor).to_have_url(re.compile(r"/login\?next=/me/matches$"))
    await mentor.get_by_label("Email", exact=True).fill(pair["mentor_email"])
    await mentor.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    await mentor.get_by_role("button", name="Log in").click()
    await expect(mentor).to_have_url(re.compile(r"/me/matches$"))
    form = mentor.locator(f'form[action="/me/matches/{pair["id"]}"]')
    match = mentor.locator("article.match").filter(has=form)
    await expect(match).to_contain_text("your mentee")
    # The reasons are worded for the mentor, not copied from the mentee's introduction.
    await expect(match.locator("li")).not_to_have_count(0)
    await expect(match).not_to_contain_text("your goals need")
    await expect(match).not_to_contain_text("which you are aiming for")
    await expect(mentor.locator("main")).not_to_contain_text(pair["mentee_email"])
    await match.get_by_role("button", name="Accept").click()
    await expect(mentor.locator("main")).to_contain_text("You both said yes")
    await expect(mentor.get_by_role("link", name=pair["mentee_email"])).to_have_attribute(
        "href", "mailto:" + pair["mentee_email"]
    )

    # Both are emailed the other's contact details; the mentee reads them in the Mailbox.
    await _run_worker(live.settings)
    await mentee.goto(live.url + "/mailbox")
    contacts = mail_to(mentee, pair["mentee_email"], "both said yes")
    await expect(contacts).to_have_count(1)
    await expect(contacts).to_contain_text(pair["mentor_email"])
