"""Double opt-in in a real browser: the demo Mailbox, the emailed link and My matches."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Page, expect

from service.demo.mailbox import start_sink
from service.demo.seed import DEMO_PASSWORD
from service.introductions.tokens import answer_token
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


async def _open_link(browser, live, pool, pair, side: str) -> Page:
    """A new browser following the link of the introduction emailed to one side of ``pair``,
    from the Mailbox (a mentor may have several: the link is the one the email carries)."""
    sent = await pool.fetchval(
        "SELECT created_at FROM outbox WHERE kind = 'introduction' AND mentorship_id = $1"
        " AND recipient_id = $2",
        pair["id"],
        pair[f"{side}_id"],
    )
    token = answer_token(live.settings.secret, pair["id"], pair[f"{side}_id"], sent)
    page = await (await browser.new_context()).new_page()
    await page.goto(live.url + "/mailbox")
    intro = mail_to(page, pair[f"{side}_email"], "your suggested")
    await intro.locator(f'a[href$="/introductions/{token}"]').click()
    await expect(page.get_by_role("heading", name="Your introduction")).to_be_visible()
    return page


async def test_the_answer_page_before_and_after_answering(live, browser, pool, sink):
    async with httpx.AsyncClient(base_url=live.url) as organiser:
        rnd, _ = await _published_round(organiser, live.app, pool, live.settings)
    pair = await first_pair(pool, rnd["id"])
    mentor_name = await pool.fetchval(
        "SELECT display_name FROM people WHERE id = $1", pair["mentor_id"]
    )
    mentor_first = mentor_name.split(" ")[0]
    await _run_worker(live.settings)

    # Before answering: who and why, then Accept (primary) and Decline (secondary).
    mentee = await _open_link(browser, live, pool, pair, "mentee")
    link = mentee.url
    main = mentee.locator("main")
    await expect(mentee.get_by_role("heading", name=mentor_first)).to_contain_text(
        "your suggested mentor"
    )
    await expect(main).to_contain_text("Why you two:")
    await expect(main.locator("article li")).not_to_have_count(0)
    accept = mentee.get_by_role("button", name="Accept")
    decline = mentee.get_by_role("button", name="Decline")
    await expect(accept).not_to_have_class(re.compile("secondary"))
    await expect(decline).to_have_class(re.compile("secondary"))
    await mentee.screenshot(path="/tmp/h2-1-before.png", full_page=True)

    # After accepting, and after opening the link again: the state, no Accept, a way back.
    await accept.click()
    await expect(mentee).to_have_url(link)
    for _ in range(2):
        await expect(main).to_contain_text(f"You accepted. Waiting for {mentor_first} to answer")
        await expect(mentee.get_by_role("button", name="Accept")).to_have_count(0)
        await expect(main).to_contain_text("Changed your mind?")
        await expect(mentee.get_by_role("button", name="Decline")).to_be_visible()
        await mentee.goto(link)
    await mentee.screenshot(path="/tmp/h2-2-accepted.png", full_page=True)

    # The mentor accepts from their own link: both accepted, the contact under My matches.
    mentor = await _open_link(browser, live, pool, pair, "mentor")
    await mentor.get_by_role("button", name="Accept").click()
    await expect(mentor.locator("main")).to_contain_text("You both said yes.")
    await expect(mentor.get_by_role("link", name="My matches").last).to_have_attribute(
        "href", "/me/matches"
    )
    await expect(mentor.locator("main")).not_to_contain_text(pair["mentee_email"])
    await expect(mentor.get_by_role("button")).to_have_count(0)
    await mentor.screenshot(path="/tmp/h2-3-both-accepted.png", full_page=True)

    # The mentee's page still offers Decline (opened before the mentor answered): the change
    # is refused and the page says why, then where things stand.
    await mentee.get_by_role("button", name="Decline").click()
    alert = mentee.get_by_role("alert")
    await expect(alert).to_have_text(
        f"{mentor_first} has already answered and you have both accepted,"
        " so your answer can no longer change."
    )
    await expect(main).to_contain_text("You both said yes.")
    await expect(mentee.get_by_role("button", name="Decline")).to_have_count(0)
    await mentee.screenshot(path="/tmp/h2-4-cannot-change.png", full_page=True)

    # Where to find the contact: My matches, after logging in.
    await main.get_by_role("link", name="My matches").click()
    await mentee.get_by_label("Email", exact=True).fill(pair["mentee_email"])
    await mentee.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    await mentee.get_by_role("button", name="Log in").click()
    await expect(mentee).to_have_url(re.compile(r"/me/matches$"))
    await expect(mentee.get_by_role("link", name=pair["mentor_email"])).to_be_visible()
    await mentee.screenshot(path="/tmp/h2-5-my-matches.png", full_page=True)


async def test_changing_an_acceptance_to_a_decline_on_the_emailed_page(live, browser, pool, sink):
    async with httpx.AsyncClient(base_url=live.url) as organiser:
        rnd, _ = await _published_round(organiser, live.app, pool, live.settings)
    pair = await first_pair(pool, rnd["id"])
    await _run_worker(live.settings)

    mentor = await _open_link(browser, live, pool, pair, "mentor")
    await mentor.get_by_role("button", name="Accept").click()
    await mentor.get_by_role("button", name="Decline").click()
    main = mentor.locator("main")
    await expect(main).to_contain_text("You declined this introduction.")
    await expect(main).to_contain_text("cannot be accepted later")
    await expect(mentor.get_by_role("button")).to_have_count(0)
    await mentor.screenshot(path="/tmp/h2-6-you-declined.png", full_page=True)

    # The mentee, who had not answered, reads the kind words and has nothing left to answer.
    mentee = await _open_link(browser, live, pool, pair, "mentee")
    await expect(mentee.locator("main")).to_contain_text("can't take this introduction further")
    await expect(mentee.locator("main")).to_contain_text("no reflection on you")
    await expect(mentee.get_by_role("button")).to_have_count(0)
    await mentee.screenshot(path="/tmp/h2-7-they-declined.png", full_page=True)
