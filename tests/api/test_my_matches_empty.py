"""My matches with no introduction yet says why (no programme, the next round to come, no
consent to be matched) and what to do next, with the link."""

from __future__ import annotations

from datetime import date, timedelta

from service.introductions.standing import day_in_words
from tests.api.test_programme_pages import NEXT_ROUND, _world, text
from tests.api.test_programmes import programme
from tests.conftest import settle_email, sign_up_and_login


async def test_my_matches_says_why_it_is_empty_and_what_to_do(client, pool):
    boss, open_one, _ = await _world(client, pool)
    open_later = await programme(client, boss, name="Later cohort")
    me = await sign_up_and_login(client)

    # Not in a programme: join one.
    page = await client.get("/me/matches")
    body = text(page)
    assert "you are not in a programme" in body
    assert '<a class="button" href="/programmes">' in page.text

    # In a programme, but the email address is not confirmed yet: confirm it.
    r = await client.post(f"/api/v1/programmes/{open_later['id']}/join")
    assert r.status_code == 201
    page = await client.get("/me/matches")
    assert "your email address is not confirmed" in text(page)
    assert '<a class="button" href="/me">' in page.text
    await settle_email(pool, me["id"])

    # In a programme without a date for its next round: wait.
    body = text(await client.get("/me/matches"))
    assert "waiting for the next matching round" in body
    assert "Later cohort: the organisers have not set the next round's date yet" in body
    # With one: the date.
    assert (await client.post(f"/api/v1/programmes/{open_one['id']}/join")).status_code == 201
    body = text(await client.get("/me/matches"))
    assert f"Open cohort: next round on {day_in_words(NEXT_ROUND)}" in body
    # A date gone by is not shown as the next round.
    r = await client.patch(
        f"/api/v1/programmes/{open_one['id']}",
        json={"next_round_on": (date.today() - timedelta(days=1)).isoformat()},
        headers=boss,
    )
    assert r.status_code == 200
    body = text(await client.get("/me/matches"))
    assert "Open cohort: the organisers have not set the next round's date yet" in body

    # No longer agreeing to be matched: say so, and where to change it.
    assert (await client.patch("/api/v1/me", json={"consent_to_match": False})).status_code == 200
    page = await client.get("/me/matches")
    body = text(page)
    assert "you have not agreed to be matched" in body
    assert '<a class="button" href="/me/edit">' in page.text
    assert "waiting for the next matching round" not in body
