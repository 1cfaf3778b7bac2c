"""My matches tells a person what their programme's last published round did for them when it
did not match them: not taken in, and why, with the link to fix it; or unmatched, and why."""

from __future__ import annotations

import re
from uuid import UUID

from service.introductions.standing import day_in_words
from tests.api.test_programme_pages import text as html_text
from tests.workers.test_round_headcount import PASSWORD, email, programme_of_everyone
from tests.workers.test_rounds import _start_and_run


def text(page) -> str:
    """The page's words as a reader sees them: no tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html_text(page)).split()).replace(" .", ".")


async def _as(client, name: str) -> None:
    client.cookies.clear()
    r = await client.post("/api/v1/auth/login", json={"email": email(name), "password": PASSWORD})
    assert r.status_code == 200, r.text


async def _my_matches(client, name: str):
    await _as(client, name)
    page = await client.get("/me/matches")
    assert page.status_code == 200
    return page


async def test_my_matches_says_why_the_last_round_left_me_out(client, pool, settings):
    pid, _ = await programme_of_everyone(client, pool)
    rnd = await _start_and_run(client, settings, pid)
    # A draft is the organisers' to review: nobody reads about it yet.
    assert "the round of" not in text(await _my_matches(client, "Fay Unverified"))

    await _as(client, "Organiser")
    assert (await client.post(f"/api/v1/rounds/{rnd['id']}/publish")).status_code == 200
    started = await pool.fetchval("SELECT started_at FROM rounds WHERE id = $1", UUID(rnd["id"]))
    heading = f"PMI Lisbon spring 2027, the round of {day_in_words(started.date())}"

    # Not taken in: why, and the link to fix it (once: here, where the page says what is
    # still missing now).
    page = await _my_matches(client, "Fay Unverified")
    body = text(page)
    assert f"{heading}. You were not in this round because your email address was not" in body
    assert body.index(heading) < body.index("your email address is not confirmed")
    assert '<a class="button" href="/me">Go to my profile</a>' in page.text
    assert "Verify my email address" not in body
    # It is among what is stored about her.
    export = (await client.get("/api/v1/me/export")).json()["round_not_entered"]
    assert [(x["role"], x["code"]) for x in export] == [("mentee", "email_not_verified")]

    page = await _my_matches(client, "Eli Noconsent")
    assert "you had not agreed to be matched" in text(page)
    assert '<a class="button" href="/me/edit">Edit my profile</a>' in page.text

    # Fixed since: said so, and no button.
    page = await _my_matches(client, "Gil Notime")
    assert '<a class="button" href="/me/edit">Add my weekly availability</a>' in page.text
    r = await client.patch("/api/v1/me", json={"availability": ["Tue 18:00-20:00"]})
    assert r.status_code == 200, r.text
    page = await _my_matches(client, "Gil Notime")
    assert "You have done this since, so the next round can include you." in text(page)
    assert "Add my weekly availability" not in page.text

    # Both roles: an outcome for each.
    body = text(await _my_matches(client, "Rui Both"))
    assert f"{heading} (as a mentor)." in body
    assert body.count("the round of") == 2

    # Left out by the round size: nothing to fix, a place kept.
    body = text(await _my_matches(client, "Hal Late"))
    assert "You keep your place on the waitlist for the next round." in body

    # Unmatched: why in plain words, naming the mentor who was full; what would widen the choice.
    outcomes = {}
    for name in ("Ana Silva", "Bea Costa"):
        outcomes[name] = await _my_matches(client, name)
    unmatched = next(p for p in outcomes.values() if "the round of" in p.text)
    matched = next(p for p in outcomes.values() if "the round of" not in p.text)
    assert "The mentor who fits you best was full this round: Markus Weber." in text(unmatched)
    assert "Markus" in text(matched)  # the introduction itself
    page = await _my_matches(client, "Caio Lang")
    assert "No mentor in this programme speaks a language you speak." in text(page)
    assert '<a class="button" href="/me/edit">Add a language</a>' in page.text
