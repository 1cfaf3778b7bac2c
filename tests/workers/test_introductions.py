"""Introductions: publish writes the outbox, the worker delivers over real SMTP (aiosmtpd)."""

from __future__ import annotations

import asyncio
import email
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from service.demo.seed import seed_demo
from service.introductions.service import backoff
from service.introductions.tokens import read_answer_token
from service.kit.db import transaction
from tests.conftest import csrf_from, free_port
from tests.workers.test_rounds import _organiser, _programme, _run_worker, _start_and_run


class Mailbox:
    """An aiosmtpd handler keeping every message; it can refuse with a chosen reply."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse: str | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"


@pytest.fixture
def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


async def _published_round(client, app, pool, settings) -> tuple[dict, int]:
    """A draft round of 30 demo mentees and 10 mentors, published (twice at once: one wins);
    the round and how many introduction emails it will send."""
    await seed_demo(pool, app.state.services.taxonomy, app.state.services.passwords)
    await _organiser(client, pool)
    # A small programme: the first 30 demo mentees and 10 demo mentors.
    pid = await _programme(
        client,
        pool,
        members="id IN ((SELECT id FROM people WHERE is_demo AND is_mentee ORDER BY email LIMIT 30)"
        " UNION ALL (SELECT id FROM people WHERE is_demo AND is_mentor AND NOT is_mentee"
        " ORDER BY email LIMIT 10))",
    )
    rnd = await _start_and_run(client, settings, pid)
    assert rnd["status"] == "draft", rnd["message"]
    results = await asyncio.gather(
        client.post(f"/api/v1/rounds/{rnd['id']}/publish"),
        client.post(f"/api/v1/rounds/{rnd['id']}/publish"),
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    out = next(r for r in results if r.status_code == 200).json()
    assert out["published"] > 0
    assert out["emails"] == 2 * out["published"]
    # The pairs are committed; their introductions are queued by the worker's job.
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0
    return rnd, out["emails"]


async def first_pair(pool, round_id):
    """The round's first mentorship: its ids, both emails and when it was introduced."""
    return await pool.fetchrow(
        "SELECT m.id, m.mentee_id, m.mentor_id, m.introduced_at, e.email AS mentee_email,"
        " o.email AS mentor_email FROM mentorships m"
        " JOIN people e ON e.id = m.mentee_id JOIN people o ON o.id = m.mentor_id"
        " WHERE m.round_id = $1 ORDER BY m.id LIMIT 1",
        round_id,
    )


async def test_publish_introduces_both_sides_once_without_contact_details(
    client, app, pool, settings, mailbox
):
    settings = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{mailbox.port}"})
    rnd, emails = await _published_round(client, app, pool, settings)
    pairs = await pool.fetch(
        "SELECT m.id, m.mentee_id, m.mentor_id, e.email AS mentee_email,"
        " o.email AS mentor_email, rm.reasons, rm.reasons_for_mentor, m.introduced_at"
        " FROM mentorships m JOIN people e ON e.id = m.mentee_id"
        " JOIN people o ON o.id = m.mentor_id"
        " JOIN round_matches rm ON rm.round_id = m.round_id AND rm.mentee_id = m.mentee_id"
        " WHERE m.round_id = $1",
        rnd["id"],
    )
    await _run_worker(settings)

    assert len(mailbox.messages) == emails == 2 * len(pairs)
    ids = [m["Message-ID"] for m in mailbox.messages]
    assert len(set(ids)) == len(ids), "an email was sent twice"
    statuses = await pool.fetch("SELECT status, count(*) FROM outbox GROUP BY status")
    assert [(r["status"], r["count"]) for r in statuses] == [("sent", emails)]
    by_id = {m["Message-ID"]: m for m in mailbox.messages}
    for pair in pairs:
        for me, my_email, other_email, mine, theirs in (
            (
                pair["mentee_id"],
                pair["mentee_email"],
                pair["mentor_email"],
                pair["reasons"],
                pair["reasons_for_mentor"],
            ),
            (
                pair["mentor_id"],
                pair["mentor_email"],
                pair["mentee_email"],
                pair["reasons_for_mentor"],
                pair["reasons"],
            ),
        ):
            msg = by_id[f"<introduction.{pair['id']}.{me}@kickoff>"]
            assert my_email in msg["To"]
            assert msg.is_multipart()
            parts = {
                p.get_content_type(): p.get_payload(decode=True).decode()
                for p in msg.walk()
                if not p.is_multipart()
            }
            assert {"text/plain", "text/html"} <= set(parts)
            text = parts["text/plain"]
            # Before both accept, nobody sees the other's contact details.
            assert other_email not in text and other_email not in parts["text/html"]
            assert "List-Unsubscribe" not in msg  # transactional
            # The match reasons, worded for this reader ("you" is them, times in their zone).
            assert "Why you two:" in text and mine
            assert all(f"  - {r}\n" in text for r in mine)
            assert not any(f"  - {r}\n" in text for r in theirs if r not in mine)
            # The day it closes unanswered: the programme's expiry_days (10) after sending.
            closes = pair["introduced_at"] + timedelta(days=10)
            answer_by = f"{closes:%A} {closes.day} {closes:%B %Y}"
            assert f"Please answer by {answer_by}:" in text
            assert f"Please answer by {answer_by}:" in parts["text/html"]
            subject = str(make_header(decode_header(msg["Subject"])))
            assert "meet " in subject and "your suggested" in subject
            token = text.split("/introductions/")[1].split()[0]
            mentorship, person = read_answer_token(settings.secret, token, msg_date(msg))
            assert (mentorship, person) == (pair["id"], me)

    # Running the jobs again (duplicated or retried) queues and sends nothing more.
    arq = app.state.services.arq
    await arq.enqueue_job("introduce_round", str(rnd["id"]), _job_id="again")
    for row in await pool.fetch("SELECT id FROM outbox ORDER BY id LIMIT 5"):
        await arq.enqueue_job("send_email", str(row["id"]))
    await _run_worker(settings)
    assert await pool.fetchval("SELECT count(*) FROM outbox") == emails
    assert len(mailbox.messages) == emails


def msg_date(msg: Message):
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(msg["Date"])


async def test_smtp_down_then_up_delivers_everything_once(client, app, pool, settings, mailbox):
    down = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{free_port()}"})
    _, emails = await _published_round(client, app, pool, down)
    started = await pool.fetchval("SELECT now()")
    await _run_worker(down)
    assert mailbox.messages == []
    rows = await pool.fetch("SELECT status, attempts, last_error, next_attempt_at FROM outbox")
    assert len(rows) == emails
    # Every email was tried, failed and waits its backoff from its last try. On a loaded
    # machine the burst can outlast the first backoff (2 s) and the sweep's 5 s tick tries
    # some again, so the number of tries is not fixed; the wait after each one is.
    assert all(r["status"] == "pending" and r["attempts"] >= 1 for r in rows)
    assert all(r["next_attempt_at"] >= started + backoff(r["attempts"]) for r in rows)
    assert all(r["last_error"] for r in rows)

    # The server is back; time passes (the clock is the one thing faked here).
    await pool.execute("UPDATE outbox SET next_attempt_at = now()")
    up = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{mailbox.port}"})
    await app.state.services.arq.enqueue_job("sweep_outbox")
    await _run_worker(up)
    assert len(mailbox.messages) == emails
    assert len({m["Message-ID"] for m in mailbox.messages}) == emails
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE status = 'sent'") == emails


async def _deliver_to_a_refusing_server(client, app, pool, settings, mailbox, reply: str):
    """Publish a round and run the worker once while the SMTP server answers ``reply``."""
    mailbox.refuse = reply
    settings = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{mailbox.port}"})
    _, emails = await _published_round(client, app, pool, settings)
    await _run_worker(settings)
    rows = await pool.fetch("SELECT status, attempts, last_error FROM outbox")
    return settings, emails, rows


async def test_a_permanent_refusal_fails_the_email_and_says_why(
    client, app, pool, settings, mailbox
):
    _, emails, rows = await _deliver_to_a_refusing_server(
        client, app, pool, settings, mailbox, "550 5.1.1 mailbox unavailable"
    )
    assert len(rows) == emails
    assert all(r["status"] == "failed" and r["attempts"] == 1 for r in rows)
    assert all("550" in r["last_error"] for r in rows)
    # The organiser sees every failed email with the server's reply, and no contact details.
    rnd = await pool.fetchrow("SELECT id, programme_id FROM rounds LIMIT 1")
    review = await client.get(f"/api/v1/programmes/{rnd['programme_id']}/introductions")
    assert review.status_code == 200, review.text
    body = review.json()
    assert body["failed_emails"] == emails
    assert all("550" in e["error"] for i in body["introductions"] for e in i["emails"])
    addresses = await pool.fetch(
        "SELECT p.email FROM people p JOIN mentorships m ON p.id IN (m.mentee_id, m.mentor_id)"
    )
    assert not any(a["email"] in review.text for a in addresses)
    # Nothing retries a failed email, whatever enqueues it.
    await app.state.services.arq.enqueue_job("sweep_outbox")
    await _run_worker(settings)
    assert await pool.fetchval("SELECT max(attempts) FROM outbox") == 1


def _tokens(messages) -> dict[tuple[str, str], str]:
    """Answer-link token of every introduction email, by (mentorship id, recipient id)."""
    out = {}
    for msg in messages:
        kind, mentorship, person = msg["Message-ID"].strip("<>").split("@")[0].split(".")
        if kind == "introduction":
            text = next(
                p.get_payload(decode=True).decode()
                for p in msg.walk()
                if p.get_content_type() == "text/plain"
            )
            out[mentorship, person] = text.split("/introductions/")[1].split()[0]
    return out


async def _answer(client, token: str, choice: str):
    """Answer on the emailed page; an answer taken shows the page again (303, then GET)."""
    page = await client.get(f"/introductions/{token}")
    assert page.status_code == 200, page.text
    # The page has no form once nothing is left to answer; any Kickoff form's token will do.
    csrf = csrf_from((await client.get("/forgot-password")).text)
    r = await client.post(f"/introductions/{token}", data={"csrf_token": csrf, "answer": choice})
    if r.status_code == 303:
        assert r.headers["location"] == f"/introductions/{token}"
        return await client.get(r.headers["location"])
    return r


async def test_double_opt_in_from_the_email_links(client, app, pool, settings, mailbox):
    settings = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{mailbox.port}"})
    rnd, emails = await _published_round(client, app, pool, settings)
    await _run_worker(settings)
    tokens = _tokens(mailbox.messages)
    pairs = await pool.fetch(
        "SELECT m.id, m.mentee_id, m.mentor_id, e.email AS mentee_email,"
        " o.email AS mentor_email FROM mentorships m JOIN people e ON e.id = m.mentee_id"
        " JOIN people o ON o.id = m.mentor_id WHERE m.round_id = $1 ORDER BY m.id",
        rnd["id"],
    )
    both, declined = pairs[0], pairs[1]
    client.cookies.clear()  # the links work without logging in

    # The page says who the introduction is with and why, as the mentee reads it.
    page = await client.get(f"/introductions/{tokens[str(both['id']), str(both['mentee_id'])]}")
    mentor = await pool.fetchrow(
        "SELECT p.display_name, p.headline, rm.reasons FROM mentorships m"
        " JOIN people p ON p.id = m.mentor_id JOIN round_matches rm"
        " ON rm.round_id = m.round_id AND rm.mentee_id = m.mentee_id WHERE m.id = $1",
        both["id"],
    )
    assert f"{mentor['display_name'].split(' ')[0]} <small>(your suggested mentor" in page.text
    assert all(f"<li>{r}</li>" in page.text for r in mentor["reasons"])
    assert 'value="decline" class="button secondary"' in page.text
    assert both["mentor_email"] not in page.text  # nothing of theirs before both accept

    # Mentee accepts, twice (a double click): one answer, no email yet.
    first = await _answer(client, tokens[str(both["id"]), str(both["mentee_id"])], "accept")
    assert first.status_code == 200 and "You accepted. Waiting for" in first.text
    again = await _answer(client, tokens[str(both["id"]), str(both["mentee_id"])], "accept")
    assert again.status_code == 200
    assert await pool.fetchval("SELECT count(*) FROM outbox") == emails

    # The mentor accepts: both receive the other's contact details, once.
    done = await _answer(client, tokens[str(both["id"]), str(both["mentor_id"])], "accept")
    assert done.status_code == 200 and "You both said yes" in done.text
    # Now the mentee can no longer change her answer, and the page says why.
    changed = await _answer(client, tokens[str(both["id"]), str(both["mentee_id"])], "decline")
    assert changed.status_code == 409
    assert "has already answered and you have both accepted" in changed.text
    assert (
        await pool.fetchval("SELECT status FROM mentorships WHERE id = $1", both["id"]) == "active"
    )
    await _run_worker(settings)
    contacts = [m for m in mailbox.messages if m["Message-ID"].startswith("<contacts.")]
    assert len(contacts) == 2
    to_mentee = next(m for m in contacts if both["mentee_email"] in m["To"])
    to_mentor = next(m for m in contacts if both["mentor_email"] in m["To"])
    assert both["mentor_email"] in to_mentee.get_payload()[0].get_payload(decode=True).decode()
    assert both["mentee_email"] in to_mentor.get_payload()[0].get_payload(decode=True).decode()

    # A mentor declines: the mentee is told kindly and can no longer accept.
    no = await _answer(client, tokens[str(declined["id"]), str(declined["mentor_id"])], "decline")
    assert no.status_code == 200
    status = await pool.fetchval("SELECT status FROM mentorships WHERE id = $1", declined["id"])
    assert status == "declined"
    await _run_worker(settings)
    kind_words = [m for m in mailbox.messages if m["Message-ID"].startswith("<declined.")]
    assert len(kind_words) == 1 and declined["mentee_email"] in kind_words[0]["To"]
    assert declined["mentor_email"] not in kind_words[0].as_string()
    late = await _answer(client, tokens[str(declined["id"]), str(declined["mentee_id"])], "accept")
    assert late.status_code == 409
    # The mentee is back on the waitlist: the next round of the programme may match them.
    from service.rounds import repository as rounds_repo

    programme = await pool.fetchval(
        "SELECT programme_id FROM mentorships WHERE id = $1", declined["id"]
    )
    async with pool.acquire() as conn:
        busy = await rounds_repo.open_mentees(conn, programme, [declined["mentee_id"]])
    assert busy == set()

    # An altered link is refused and changes nothing.
    token = tokens[str(pairs[2]["id"]), str(pairs[2]["mentee_id"])]
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    bad = await client.get(f"/introductions/{forged}")
    assert bad.status_code == 400 and "not valid" in bad.text


async def test_answer_api_is_for_the_two_people_only(client, app, pool, settings, mailbox):
    settings = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{mailbox.port}"})
    rnd, _ = await _published_round(client, app, pool, settings)
    mid = await pool.fetchval("SELECT id FROM mentorships WHERE round_id = $1 LIMIT 1", rnd["id"])
    # The client is logged in as the organiser, who is neither side of the pair.
    r = await client.post(f"/api/v1/matches/{mid}/accept")
    assert r.status_code == 404
    assert await pool.fetchval(
        "SELECT mentee_answer IS NULL AND mentor_answer IS NULL FROM mentorships WHERE id = $1",
        mid,
    )
    client.cookies.clear()
    assert (await client.post(f"/api/v1/matches/{mid}/accept")).status_code == 401


async def _login(client, email_address: str) -> None:
    from service.demo.seed import DEMO_PASSWORD

    client.cookies.clear()
    r = await client.post(
        "/api/v1/auth/login", json={"email": email_address, "password": DEMO_PASSWORD}
    )
    assert r.status_code == 200, r.text


async def test_my_matches_shows_contact_details_only_once_both_accept(
    client, app, pool, settings, mailbox
):
    settings = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{mailbox.port}"})
    rnd, _ = await _published_round(client, app, pool, settings)
    rnd = await client.get(f"/api/v1/rounds/{rnd['id']}")
    rnd = rnd.json()
    pair = await first_pair(pool, rnd["id"])
    mid = str(pair["id"])
    # The mentor chose a channel to share with matches (besides email).
    await _login(client, pair["mentor_email"])
    channel = "linkedin.com/in/mentor-demo-0427"
    r = await client.patch("/api/v1/me", json={"shared_contact": channel})
    assert r.status_code == 200, r.text

    # The mentee: API, page and export show the mentor, never the mentor's address yet.
    await _login(client, pair["mentee_email"])
    mine = (await client.get("/api/v1/matches")).json()["matches"]
    listed = next(m for m in mine if m["id"] == mid)
    assert listed["status"] == "pending" and listed["other_email"] is None
    assert listed["role"] == "mentee" and listed["other_first_name"]
    # While it waits: the day it closes unanswered (the programme's 10 days after sending).
    closes = (pair["introduced_at"] + timedelta(days=10)).astimezone(UTC)
    assert listed["answer_by"] == closes.date().isoformat()
    page = (await client.get("/me/matches")).text
    assert f"Please answer by {closes:%A} {closes.day} {closes:%B %Y}." in page
    # Every GET operation of the API (each {id} tried as the programme, round and match),
    # and every page the mentee can open: none shows the mentor's address before both accept.
    spec = (await client.get("/openapi.json")).json()
    ids = [str(rnd["programme_id"]), str(rnd["id"]), mid]
    paths = [
        path.replace("{id}", i)
        for path, ops in spec["paths"].items()
        if "get" in ops
        for i in (ids if "{id}" in path else [""])
    ]
    pages = ["/", "/me", "/me/edit", "/me/matches", "/programmes", "/mailbox", "/docs"]
    assert len(paths) > 10
    for path in [*paths, *pages]:
        r = await client.get(path)
        assert r.status_code < 500, path
        assert pair["mentor_email"] not in r.text, f"{path} leaks the mentor's address"
        assert channel not in r.text, f"{path} leaks the mentor's shared contact"
    page = await client.get("/me/matches")
    r = await client.post(
        f"/me/matches/{mid}", data={"csrf_token": csrf_from(page.text), "answer": "accept"}
    )
    assert r.status_code == 303
    # Without the form's CSRF token nothing happens.
    forged = await client.post(f"/me/matches/{mid}", data={"answer": "decline"})
    assert forged.status_code == 403

    # The mentor accepts through the API; now both see each other's address.
    await _login(client, pair["mentor_email"])
    r = await client.post(f"/api/v1/matches/{mid}/accept")
    assert r.status_code == 200 and r.json()["status"] == "active"
    again = await client.post(f"/api/v1/matches/{mid}/accept")
    assert again.status_code == 200  # a double click changes nothing
    listed = next(
        m for m in (await client.get("/api/v1/matches")).json()["matches"] if m["id"] == mid
    )
    assert listed["other_email"] == pair["mentee_email"]
    assert pair["mentee_email"] in (await client.get("/me/matches")).text
    await _login(client, pair["mentee_email"])
    page = (await client.get("/me/matches")).text
    assert pair["mentor_email"] in page and channel in page
    listed = next(
        m for m in (await client.get("/api/v1/matches")).json()["matches"] if m["id"] == mid
    )
    assert listed["other_contact"] == channel
    assert listed["answer_by"] is None  # nothing left to answer
    contacts = await pool.fetchval("SELECT count(*) FROM outbox WHERE kind = 'contacts'")
    assert contacts == 2
    await _run_worker(settings)
    to_mentee = next(
        m
        for m in mailbox.messages
        if m["Message-ID"].startswith("<contacts.") and pair["mentee_email"] in m["To"]
    )
    text = to_mentee.get_payload()[0].get_payload(decode=True).decode()
    assert pair["mentor_email"] in text and channel in text


async def test_reminder_expiry_and_survey_follow_the_programme_delays(
    client, app, pool, settings, mailbox
):

    from service.introductions.service import enqueue_emails
    from service.introductions.service import follow_up as follow_up_now

    async def follow_up(pool, now):
        # What the follow-up cron job does, at a chosen time (the clock is faked, nothing else).
        async with transaction(pool) as conn:
            queued = await follow_up_now(conn, now)
        await enqueue_emails(
            app.state.services.arq, [oid for ids in queued.values() for oid in ids]
        )
        return queued

    settings = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{mailbox.port}"})
    rnd, _ = await _published_round(client, app, pool, settings)
    await _run_worker(settings)
    pairs = await pool.fetch(
        "SELECT id, mentee_id, mentor_id FROM mentorships WHERE round_id = $1 ORDER BY id",
        rnd["id"],
    )
    active, half, silent = pairs[0], pairs[1], pairs[2]
    for who in (active["mentee_id"], active["mentor_id"]):
        await follow_answer(pool, active["id"], who, True)
    await follow_answer(pool, half["id"], half["mentee_id"], True)
    now = datetime.now(UTC)

    # Nothing is due on day 4 (the default reminder comes after 5 days).
    assert await follow_up(pool, now + timedelta(days=4)) == {
        "introduction": [],
        "expired": [],
        "reminder": [],
        "survey": [],
    }
    # Day 6: one reminder to each side that has not answered, once however often it runs.
    due = await follow_up(pool, now + timedelta(days=6))
    assert await follow_up(pool, now + timedelta(days=6, hours=1)) == {
        "introduction": [],
        "expired": [],
        "reminder": [],
        "survey": [],
    }
    reminded = await pool.fetch(
        "SELECT mentorship_id, recipient_id FROM outbox WHERE kind = 'reminder'"
    )
    targets = {(r["mentorship_id"], r["recipient_id"]) for r in reminded}
    assert (half["id"], half["mentor_id"]) in targets
    assert (half["id"], half["mentee_id"]) not in targets  # she answered
    assert (silent["id"], silent["mentee_id"]) in targets
    assert not any(m == active["id"] for m, _ in targets)
    assert len(due["reminder"]) == len(reminded)

    # Day 11: unanswered introductions expire; both sides are told; the organiser sees it.
    due = await follow_up(pool, now + timedelta(days=11))
    assert due["expired"] and not due["reminder"]
    statuses = dict(
        await pool.fetch(
            "SELECT id, status FROM mentorships WHERE id = ANY($1::uuid[])",
            [active["id"], half["id"], silent["id"]],
        )
    )
    assert statuses == {active["id"]: "active", half["id"]: "expired", silent["id"]: "expired"}
    # Organisers see the expiries; people still see their own history.
    review = (await client.get(f"/api/v1/programmes/{rnd['programme_id']}/introductions")).json()
    assert review["counts"]["expired"] >= 2 and review["counts"]["active"] == 1
    silent_email = await pool.fetchval(
        "SELECT email FROM people WHERE id = $1", silent["mentee_id"]
    )
    await _login(client, silent_email)
    mine = await client.get("/api/v1/me/mentorships")
    assert mine.status_code == 200, mine.text
    assert "expired" in {m["status"] for m in mine.json()["mentorships"]}

    # A month after both accepted: the survey, to both, with List-Unsubscribe.
    due = await follow_up(pool, now + timedelta(days=31))
    assert len(due["survey"]) == 2
    await _run_worker(settings)
    surveys = [m for m in mailbox.messages if m["Message-ID"].startswith("<survey.")]
    assert len(surveys) == 2 and all(m["List-Unsubscribe"] for m in surveys)
    kinds = {m["Message-ID"].split(".")[0].strip("<") for m in mailbox.messages}
    assert {"introduction", "reminder", "expired", "survey"} <= kinds


async def follow_answer(pool, mentorship_id, person_id, accept: bool) -> None:
    from service.introductions.service import answer

    async with transaction(pool) as conn:
        await answer(conn, mentorship_id, person_id, "accept" if accept else "decline")


async def test_survey_answers_are_validated_and_kept(client, app, pool, settings, mailbox):
    settings = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{mailbox.port}"})
    rnd, _ = await _published_round(client, app, pool, settings)
    pair = await first_pair(pool, rnd["id"])
    await _login(client, pair["mentee_email"])
    url = f"/api/v1/matches/{pair['id']}/feedback"
    good = {"rating": 4, "comment": "Great first call", "still_meeting": True}
    # Not accepted by both yet: no feedback.
    assert (await client.post(url, json=good)).status_code == 409
    for who in (pair["mentee_id"], pair["mentor_id"]):
        await follow_answer(pool, pair["id"], who, True)
    for bad, field in (
        ({**good, "rating": 6}, "rating"),
        ({**good, "rating": "4"}, "rating"),
        ({**good, "still_meeting": "yes"}, "still_meeting"),
        ({**good, "comment": "x" * 2001}, "comment"),
        ({"rating": 3}, "still_meeting"),
        ({**good, "extra": 1}, "extra"),
    ):
        r = await client.post(url, json=bad)
        assert r.status_code == 422, bad
        assert field in r.text
    assert await pool.fetchval("SELECT count(*) FROM introduction_feedback") == 0
    assert (await client.post(url, json=good)).status_code == 204
    assert (await client.post(url, json={**good, "rating": 5})).status_code == 204
    row = await pool.fetchrow("SELECT rating, comment, still_meeting FROM introduction_feedback")
    assert dict(row) == {"rating": 5, "comment": "Great first call", "still_meeting": True}
    # The answers feed the organisers' review of the programme.
    client.cookies.clear()
    r = await client.post(
        "/api/v1/auth/login",
        json={"email": "organiser@example.org", "password": "correct horse battery staple"},
    )
    assert r.status_code == 200
    pid = await pool.fetchval("SELECT programme_id FROM mentorships WHERE id = $1", pair["id"])
    review = (await client.get(f"/api/v1/programmes/{pid}/introductions")).json()
    reviewed = next(i for i in review["introductions"] if i["id"] == str(pair["id"]))
    assert reviewed["feedback"] == [
        {"from": "mentee", "rating": 5, "comment": "Great first call", "still_meeting": True}
    ]


async def test_a_4xx_reply_is_retried_and_nothing_retries_forever(
    client, app, pool, settings, mailbox
):
    from service.introductions.service import MAX_ATTEMPTS

    settings, emails, rows = await _deliver_to_a_refusing_server(
        client, app, pool, settings, mailbox, "451 4.3.0 try again later"
    )
    # At least one try each (a loaded machine's burst may outlast the backoff and try again).
    assert all(r["status"] == "pending" and r["attempts"] >= 1 for r in rows)
    assert all("451" in r["last_error"] for r in rows)
    # The last allowed attempt fails too: the email is given up on, not retried forever.
    await pool.execute("UPDATE outbox SET attempts = $1, next_attempt_at = now()", MAX_ATTEMPTS - 1)
    await app.state.services.arq.enqueue_job("sweep_outbox")
    await _run_worker(settings)
    rows = await pool.fetch("SELECT status, attempts, last_error FROM outbox")
    assert len(rows) == emails
    assert all(r["status"] == "failed" and r["attempts"] == MAX_ATTEMPTS for r in rows)
    assert all("gave up" in r["last_error"] for r in rows)
