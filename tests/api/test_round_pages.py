"""A round from its organiser's pages, with the real arq worker: start it, watch its progress,
review it, pin and forbid pairs, remove a pin, run it again, publish after the confirmation
step, and a failed or stale round saying why. Also the API's pins and forbids list and DELETE."""

from __future__ import annotations

import html
import re
import uuid

from service.demo.seed import seed_demo
from tests.api.test_workspace_pages import post
from tests.workers.test_rounds import _organiser, _programme, _run_worker

#: The first 30 demo mentees and 10 demo mentors (as tests/workers/test_introductions.py).
SMALL = (
    "id IN ((SELECT id FROM people WHERE is_demo AND is_mentee ORDER BY email LIMIT 30)"
    " UNION ALL (SELECT id FROM people WHERE is_demo AND is_mentor AND NOT is_mentee"
    " ORDER BY email LIMIT 10))"
)


def text(page) -> str:
    """What a person reads: no tags, single spaces."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


async def _draft(client, app, pool, settings) -> tuple[str, str, object]:
    """A small demo programme whose organiser (a site admin, logged in on ``client``) started a
    round from the programme page and the worker ran it; (programme id, round id, page)."""
    await seed_demo(pool, app.state.services.taxonomy, app.state.services.passwords)
    await _organiser(client, pool)
    pid = await _programme(client, pool, members=SMALL)
    r = await post(client, f"/organise/{pid}/rounds", f"/organise/{pid}", mode="", round_size="")
    assert r.status_code == 303, r.text
    round_url = r.headers["location"]
    assert re.fullmatch(r"/organise/rounds/[0-9a-f-]{36}", round_url)
    waiting = await client.get(round_url)
    assert waiting.status_code == 200
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in waiting.text
    assert "<progress" in waiting.text and "Waiting for a worker" in text(waiting)
    await _run_worker(settings)
    done = await client.get(round_url)
    assert done.status_code == 200 and "http-equiv" not in done.text
    return pid, round_url.rsplit("/", 1)[1], done


async def test_start_review_pin_forbid_rerun_and_publish(client, app, pool, settings):
    pid, rid, page = await _draft(client, app, pool, settings)
    body = text(page)
    metrics = (await client.get(f"/api/v1/rounds/{rid}")).json()["metrics"]
    for words in (
        "How the round went",
        "Coverage",
        f"{metrics['matched']} of {metrics['mentees']} mentees matched",
        "Proven optimal",
        "Who was in the round",
        "The price of optimality",
        "Stable mode",
        "Fairness",
        "Timezone band",
        f"Pairs ({metrics['matched']})",
        "Why, as each of them reads it",
    ):
        assert words in body, words
    assert "<meter" in page.text and 'aria-label="Needs and offers: ' in page.text
    assert "@" not in re.sub(r"<header.*?</header>", "", page.text, flags=re.S)

    matches = (await client.get(f"/api/v1/rounds/{rid}/matches?limit=1000")).json()
    first, second = matches["matches"][:2]
    assert f'id="match-{first["mentee_id"]}"' in page.text
    assert f"/organise/{pid}/members?q=" in page.text
    if matches["unmatched"]:
        assert "Mentees without a mentor" in body
        assert matches["unmatched"][0]["mentee_name"] in body

    # Pin one pair, forbid another, straight from the review.
    here = f"/organise/rounds/{rid}"
    r = await post(
        client,
        f"{here}/overrides",
        here,
        mentee_id=first["mentee_id"],
        mentor_id=first["mentor_id"],
        kind="pin",
        back=f"{here}?m=0&u=0",
    )
    assert r.status_code == 303 and r.headers["location"] == f"{here}?m=0&u=0&done=pin#overrides"
    r = await post(
        client,
        f"{here}/overrides",
        here,
        mentee_id=second["mentee_id"],
        mentor_id=second["mentor_id"],
        kind="forbid",
    )
    assert r.status_code == 303
    kinds = await pool.fetch("SELECT kind FROM programme_overrides ORDER BY kind")
    assert [k["kind"] for k in kinds] == ["forbid", "pin"]
    listed = (await client.get(f"/api/v1/programmes/{pid}/overrides")).json()["overrides"]
    assert {(o["mentee_name"], o["kind"]) for o in listed} == {
        (first["mentee_name"], "pin"),
        (second["mentee_name"], "forbid"),
    }
    home = html.unescape((await client.get(f"/organise/{pid}")).text)
    assert f"Remove the forbid of {second['mentee_name']} with {second['mentor_name']}" in home

    # A crafted override form is a 4xx that saves nothing.
    bad = await post(client, f"{here}/overrides", here, mentee_id="x", mentor_id="y", kind="hug")
    assert bad.status_code == 422 and "This pin or forbid is not valid" in text(bad)
    stranger = await post(
        client,
        f"{here}/overrides",
        here,
        mentee_id=str(uuid.uuid4()),
        mentor_id=first["mentor_id"],
        kind="pin",
    )
    assert stranger.status_code == 422
    assert await pool.fetchval("SELECT count(*) FROM programme_overrides") == 2

    # Run again: a new round with the same settings, whose review keeps the pin and drops the
    # forbidden pair.
    r = await post(client, f"{here}/rerun", here)
    assert r.status_code == 303
    rerun_url = r.headers["location"]
    assert rerun_url != here
    await _run_worker(settings)
    rerun = rerun_url.rsplit("/", 1)[1]
    pairs = {
        (m["mentee_id"], m["mentor_id"]): m["pinned"]
        for m in (await client.get(f"/api/v1/rounds/{rerun}/matches?limit=1000")).json()["matches"]
    }
    assert pairs.get((first["mentee_id"], first["mentor_id"])) is True
    assert (second["mentee_id"], second["mentor_id"]) not in pairs

    # Publish the re-run after the confirmation step, which counts what will go out.
    confirm = await client.get(f"{rerun_url}/publish")
    assert confirm.status_code == 200
    n = len(pairs)
    assert f"Publishing makes {n} introductions and sends {2 * n} emails" in text(confirm)
    assert await pool.fetchval("SELECT count(*) FROM mentorships") == 0
    r = await post(client, f"{rerun_url}/publish", f"{rerun_url}/publish")
    assert r.status_code == 303 and r.headers["location"] == f"{rerun_url}?done=published"
    published = text(await client.get(r.headers["location"]))
    assert f"{n} introductions went out ({2 * n} emails" in published
    assert await pool.fetchval("SELECT count(*) FROM mentorships WHERE round_id = $1", rerun) == n

    # The first draft is stale now: its confirmation and its publish say why, nothing changes.
    stale = await client.get(f"{here}/publish")
    assert stale.status_code == 409
    assert "was published after this draft was computed" in text(stale)
    refused = await post(client, f"{here}/publish", f"/organise/{pid}")
    assert refused.status_code == 409 and "run a new round" in text(refused)
    assert await pool.fetchval("SELECT count(*) FROM mentorships") == n

    # Removing a pin from the programme page.
    r = await post(
        client,
        f"/organise/{pid}/overrides/{first['mentee_id']}/{first['mentor_id']}/remove",
        f"/organise/{pid}",
    )
    assert r.status_code == 303 and "done=removed" in r.headers["location"]
    assert await pool.fetchval("SELECT count(*) FROM programme_overrides") == 1


async def test_a_failed_round_says_why_and_offers_to_try_again(client, app, pool, settings):
    await _organiser(client, pool)
    pid = await _programme(client, pool, members="false")
    r = await post(client, f"/organise/{pid}/rounds", f"/organise/{pid}", mode="stable")
    assert r.status_code == 303
    rid = r.headers["location"].rsplit("/", 1)[1]
    assert await pool.fetchval("SELECT settings->>'mode' FROM rounds WHERE id = $1", rid) == (
        "stable"
    )
    # A second start while it is queued is refused with the reason, on the programme page.
    busy = await post(client, f"/organise/{pid}/rounds", f"/organise/{pid}")
    assert busy.status_code == 409
    assert "already queued or running" in text(busy) and "watch its progress" in text(busy)
    await pool.execute(
        "UPDATE rounds SET status = 'failed', message = 'failed: the solver ran out of time'"
        " WHERE id = $1",
        rid,
    )
    page = await client.get(f"/organise/rounds/{rid}")
    assert "This round failed" in text(page) and "the solver ran out of time" in text(page)
    r = await post(client, f"/organise/rounds/{rid}/rerun", f"/organise/rounds/{rid}")
    assert r.status_code == 303
    assert await pool.fetchval("SELECT settings->>'mode' FROM rounds WHERE status = 'queued'") == (
        "stable"
    )


async def test_bad_start_values_are_shown_and_start_nothing(client, pool):
    await _organiser(client, pool)
    pid = await _programme(client, pool, members="false")
    for data, message in (
        ({"mode": "fastest"}, "Choose one of"),
        ({"round_size": "0"}, "Use 1 or more"),
        ({"round_size": "many"}, "Enter a whole number"),
    ):
        r = await post(client, f"/organise/{pid}/rounds", f"/organise/{pid}", **data)
        assert r.status_code == 422 and message in text(r), (data, text(r))
    assert await pool.fetchval("SELECT count(*) FROM rounds") == 0


async def test_removing_a_pin_or_forbid_through_the_api(client, app, pool):
    await seed_demo(pool, app.state.services.taxonomy, app.state.services.passwords)
    await _organiser(client, pool)
    pid = await _programme(client, pool, members=SMALL)
    r = await client.post(f"/api/v1/programmes/{pid}/rounds", json={})
    rid = r.json()["id"]
    mentee, mentor = await pool.fetchrow(
        "SELECT (SELECT id FROM people WHERE is_demo AND is_mentee ORDER BY email LIMIT 1),"
        " (SELECT id FROM people WHERE is_demo AND is_mentor AND NOT is_mentee"
        "  ORDER BY email LIMIT 1)"
    )
    body = {"mentee_id": str(mentee), "mentor_id": str(mentor), "kind": "forbid"}
    assert (await client.post(f"/api/v1/rounds/{rid}/overrides", json=body)).status_code == 201
    [listed] = (await client.get(f"/api/v1/programmes/{pid}/overrides")).json()["overrides"]
    assert listed["kind"] == "forbid" and listed["created_by_name"] == "Ana Silva"
    url = f"/api/v1/programmes/{pid}/overrides/{mentee}/{mentor}"
    assert (await client.delete(url)).status_code == 204
    assert (await client.delete(url)).status_code == 404
    assert (await client.get(f"/api/v1/programmes/{pid}/overrides")).json()["overrides"] == []
    assert (
        await client.delete(f"/api/v1/programmes/{pid}/overrides/not-an-id/{mentor}")
    ).status_code == 404
