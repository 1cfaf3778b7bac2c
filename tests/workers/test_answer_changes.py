"""Changing an answer: allowed until the other side answers, a decline is final, racing
answers take turns; every state reads the same on the emailed page and under My matches."""

from __future__ import annotations

import asyncio
import html
from datetime import UTC, datetime

import pytest

from service.demo.seed import DEMO_PASSWORD
from service.introductions import repository as repo
from service.introductions.standing import day_in_words
from service.introductions.tokens import answer_token
from service.kit.db import transaction
from tests.workers.test_introductions import _login, _published_round, follow_answer


@pytest.fixture
async def pairs(client, app, pool, settings):
    """A published round's pairs, those of different mentors first (so that a mentor
    leaving the programme ends only one of the first few)."""
    rnd, _ = await _published_round(client, app, pool, settings)
    client.cookies.clear()
    return await pool.fetch(
        "SELECT m.id, m.mentee_id, m.mentor_id, m.programme_id, e.email AS mentee_email,"
        " o.email AS mentor_email, split_part(e.display_name, ' ', 1) AS mentee_first,"
        " split_part(o.display_name, ' ', 1) AS mentor_first, p.name AS programme"
        " FROM mentorships m JOIN people e ON e.id = m.mentee_id"
        " JOIN people o ON o.id = m.mentor_id JOIN programmes p ON p.id = m.programme_id"
        " WHERE m.round_id = $1"
        " ORDER BY row_number() OVER (PARTITION BY m.mentor_id ORDER BY m.id), m.id",
        rnd["id"],
    )


async def _bearer(client, email: str) -> dict[str, str]:
    """Headers that answer as this person (no cookie: several people share the client)."""
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def _emails(pool, mentorship_id) -> list[tuple[str, object]]:
    """The emails an answer queues about this introduction: (kind, recipient)."""
    rows = await pool.fetch(
        "SELECT kind, recipient_id FROM outbox WHERE mentorship_id = $1"
        " AND kind IN ('declined', 'contacts') ORDER BY kind, recipient_id",
        mentorship_id,
    )
    return [(r["kind"], r["recipient_id"]) for r in rows]


async def _answers(pool, mentorship_id) -> tuple[str, str | None, str | None]:
    row = await pool.fetchrow(
        "SELECT status, mentee_answer, mentor_answer FROM mentorships WHERE id = $1",
        mentorship_id,
    )
    return row["status"], row["mentee_answer"], row["mentor_answer"]


async def test_an_acceptance_becomes_a_decline_until_the_other_answers(client, pool, pairs):
    pair = pairs[0]
    url = f"/api/v1/matches/{pair['id']}"
    mentee = await _bearer(client, pair["mentee_email"])
    mentor = await _bearer(client, pair["mentor_email"])

    first = await client.post(url + "/accept", headers=mentee)
    assert first.status_code == 200, first.text
    assert first.json()["state"] == "waiting" and first.json()["can_answer"] == ["decline"]
    # The same answer again is a no-op: same state, nothing queued.
    again = await client.post(url + "/accept", headers=mentee)
    assert again.status_code == 200 and again.json() == first.json()
    assert await _emails(pool, pair["id"]) == []

    # The mentor has not answered: the mentee may still change her mind.
    changed = await client.post(url + "/decline", headers=mentee)
    assert changed.status_code == 200, changed.text
    assert changed.json()["state"] == "you_declined" and changed.json()["can_answer"] == []
    assert await _answers(pool, pair["id"]) == ("declined", "declined", None)
    assert await _emails(pool, pair["id"]) == [("declined", pair["mentor_id"])]
    assert (await client.post(url + "/decline", headers=mentee)).status_code == 200
    assert await _emails(pool, pair["id"]) == [("declined", pair["mentor_id"])]

    # A decline is final: the mentor was told, and the mentee may be matched again.
    back = await client.post(url + "/accept", headers=mentee)
    assert back.status_code == 409
    assert back.json()["error"] == {
        "code": "conflict",
        "message": "You declined this introduction, and a decline closes it at once,"
        " so it can no longer be accepted.",
    }
    late = await client.post(url + "/accept", headers=mentor)
    assert late.status_code == 409
    assert late.json()["error"]["message"] == (
        f"{pair['mentee_first']} has already answered and this introduction has closed,"
        " so your answer can no longer change."
    )
    listed = (await client.get("/api/v1/matches", headers=mentor)).json()["matches"]
    theirs = next(m for m in listed if m["id"] == str(pair["id"]))
    assert theirs["state"] == "they_declined" and theirs["can_answer"] == []
    assert await _answers(pool, pair["id"]) == ("declined", "declined", None)
    assert await _emails(pool, pair["id"]) == [("declined", pair["mentor_id"])]


async def test_once_the_other_has_answered_or_it_closed_an_answer_cannot_change(
    client, pool, pairs
):
    both, expired, ended = pairs[0], pairs[1], pairs[2]
    mentee = await _bearer(client, both["mentee_email"])
    mentor = await _bearer(client, both["mentor_email"])
    url = f"/api/v1/matches/{both['id']}"
    assert (await client.post(url + "/accept", headers=mentee)).status_code == 200
    done = await client.post(url + "/accept", headers=mentor)
    assert done.json()["state"] == "both_accepted" and done.json()["can_answer"] == []
    contacts = [("contacts", both["mentee_id"]), ("contacts", both["mentor_id"])]
    assert await _emails(pool, both["id"]) == sorted(contacts, key=lambda e: str(e[1]))
    for who, other in ((mentee, both["mentor_first"]), (mentor, both["mentee_first"])):
        r = await client.post(url + "/decline", headers=who)
        assert r.status_code == 409
        assert r.json()["error"]["message"] == (
            f"{other} has already answered and you have both accepted,"
            " so your answer can no longer change."
        )
        assert (await client.post(url + "/accept", headers=who)).status_code == 200  # no-op
    assert await _answers(pool, both["id"]) == ("active", "accepted", "accepted")
    assert len(await _emails(pool, both["id"])) == 2

    # Not answered in time (the clock moved for this pair only): closed, with the day.
    await pool.execute(
        "UPDATE mentorships SET introduced_at = introduced_at - interval '11 days' WHERE id = $1",
        expired["id"],
    )
    async with transaction(pool) as conn:
        assert len(await repo.expire_unanswered(conn, datetime.now(UTC))) == 2
    closed = await pool.fetchval("SELECT closed_at FROM mentorships WHERE id = $1", expired["id"])
    late = await client.post(
        f"/api/v1/matches/{expired['id']}/accept",
        headers=await _bearer(client, expired["mentee_email"]),
    )
    assert late.status_code == 409
    assert late.json()["error"]["message"] == (
        f"This introduction closed on {day_in_words(closed.astimezone(UTC).date())} because"
        " it was not answered by both of you in time, so it can no longer be answered."
    )

    # The mentor left the programme: the introduction ended.
    leaver = await _bearer(client, ended["mentor_email"])
    left = await client.post(f"/api/v1/programmes/{ended['programme_id']}/leave", headers=leaver)
    assert left.status_code == 204
    late = await client.post(
        f"/api/v1/matches/{ended['id']}/decline",
        headers=await _bearer(client, ended["mentee_email"]),
    )
    assert late.status_code == 409
    assert late.json()["error"]["message"] == (
        f"This introduction has ended because one of you left {ended['programme']},"
        " so it can no longer be answered."
    )
    assert await _emails(pool, expired["id"]) == await _emails(pool, ended["id"]) == []


async def test_racing_answers_take_turns_and_end_consistent(client, pool, pairs):
    assert len(pairs) >= 9
    heads = {}
    for pair in pairs[:9]:
        heads[pair["id"]] = (
            await _bearer(client, pair["mentee_email"]),
            await _bearer(client, pair["mentor_email"]),
        )

    def post(pair, side: int, choice: str):
        return client.post(
            f"/api/v1/matches/{pair['id']}/{choice}", headers=heads[pair["id"]][side]
        )

    # Both sides accept at the same moment: active, each told the other's contact once.
    together = pairs[0:3]
    results = await asyncio.gather(*(post(p, s, "accept") for p in together for s in (0, 1)))
    assert [r.status_code for r in results] == [200] * 6
    for pair in together:
        assert await _answers(pool, pair["id"]) == ("active", "accepted", "accepted")
        assert [kind for kind, _ in await _emails(pool, pair["id"])] == ["contacts"] * 2

    # The mentee turns her acceptance into a decline as the mentor accepts: one of them wins,
    # the other is told why not, and the emails follow the winner only.
    changing = pairs[3:6]
    for pair in changing:
        assert (await post(pair, 0, "accept")).status_code == 200
    results = await asyncio.gather(
        *(post(p, s, c) for p in changing for s, c in ((0, "decline"), (1, "accept")))
    )
    for i, pair in enumerate(changing):
        change, answer = results[2 * i], results[2 * i + 1]
        assert sorted([change.status_code, answer.status_code]) == [200, 409]
        state = await _answers(pool, pair["id"])
        if change.status_code == 200:
            assert state == ("declined", "declined", None)
            assert await _emails(pool, pair["id"]) == [("declined", pair["mentor_id"])]
        else:
            assert state == ("active", "accepted", "accepted")
            assert [kind for kind, _ in await _emails(pool, pair["id"])] == ["contacts"] * 2

    # Both decline at once, each twice: the first decline closes it and the other side is
    # told once; the winner's second decline changes nothing, the other's are refused.
    declining = pairs[6:9]
    results = await asyncio.gather(
        *(post(p, s, "decline") for p in declining for s in (0, 1, 0, 1))
    )
    for i, pair in enumerate(declining):
        codes = [r.status_code for r in results[4 * i : 4 * i + 4]]
        status, mentee_answer, mentor_answer = await _answers(pool, pair["id"])
        assert status == "declined"
        if mentee_answer == "declined":
            assert mentor_answer is None and codes == [200, 409, 200, 409]
            assert await _emails(pool, pair["id"]) == [("declined", pair["mentor_id"])]
        else:
            assert mentor_answer == "declined" and codes == [409, 200, 409, 200]
            assert await _emails(pool, pair["id"]) == [("declined", pair["mentee_id"])]


def _article(page: str, mentorship_id) -> str:
    """The part of My matches about one introduction."""
    return page.split(f'id="match-{mentorship_id}"')[1].split("</article>")[0]


async def test_each_state_reads_the_same_on_the_emailed_page_and_my_matches(
    client, pool, pairs, settings
):
    open_, waiting, both, declined, expired, ended = pairs[:6]
    assert len({p["mentor_id"] for p in pairs[:6]}) == 6
    await follow_answer(pool, waiting["id"], waiting["mentee_id"], True)
    for who in (both["mentee_id"], both["mentor_id"]):
        await follow_answer(pool, both["id"], who, True)
    await follow_answer(pool, declined["id"], declined["mentor_id"], True)
    await follow_answer(pool, declined["id"], declined["mentor_id"], False)  # changed her mind
    await pool.execute(
        "UPDATE mentorships SET introduced_at = introduced_at - interval '11 days' WHERE id = $1",
        expired["id"],
    )
    async with transaction(pool) as conn:
        await repo.expire_unanswered(conn, datetime.now(UTC))
    leaver = await _bearer(client, ended["mentor_email"])
    await client.post(f"/api/v1/programmes/{ended['programme_id']}/leave", headers=leaver)

    # (pair, side, what the page says, the buttons it offers)
    mentee, mentor = "mentee", "mentor"
    cases = [
        (open_, mentee, "Would you like to be introduced to", ["accept", "decline"]),
        (waiting, mentee, f"You accepted. Waiting for {waiting['mentor_first']}", ["decline"]),
        (waiting, mentor, "Would you like to be introduced to", ["accept", "decline"]),
        (both, mentee, "You both said yes.", []),
        (declined, mentor, "You declined this introduction.", []),
        (declined, mentee, f"{declined['mentor_first']} can't take this introduction", []),
        (expired, mentor, "not answered by both of you in time", []),
        (ended, mentee, f"One of you left {ended['programme']}", []),
    ]
    for pair, side, words, buttons in cases:
        me, other = pair[f"{side}_id"], pair["mentor_email" if side == mentee else "mentee_email"]
        token = answer_token(settings.secret, pair["id"], me, datetime.now(UTC))
        client.cookies.clear()
        emailed = await client.get(f"/introductions/{token}")
        await _login(client, pair[f"{side}_email"])
        listed = _article((await client.get("/me/matches")).text, pair["id"])
        for page in (emailed.text, listed):
            assert words in html.unescape(page), (side, words, page)
            offered = [b for b in ("accept", "decline") if f'value="{b}"' in page]
            assert offered == buttons, (side, words)
            assert ("Changed your mind?" in page) == (buttons == ["decline"])
        # The contact details: under My matches once both accepted; never on the link's page.
        assert other not in emailed.text
        assert (other in listed) == (pair is both)
        if pair is both:
            assert 'href="/me/matches"' in emailed.text


async def test_the_link_of_an_erased_introduction_says_it_is_gone(client, pool, pairs, settings):
    pair = pairs[0]
    token = answer_token(settings.secret, pair["id"], pair["mentee_id"], datetime.now(UTC))
    erased = await client.delete("/api/v1/me", headers=await _bearer(client, pair["mentor_email"]))
    assert erased.status_code == 204, erased.text
    page = await client.get(f"/introductions/{token}")
    assert page.status_code == 404
    assert "This introduction no longer exists" in page.text
    assert 'value="accept"' not in page.text
