"""The weekly digest over real Redis, PostgreSQL and SMTP (aiosmtpd): once per person and ISO
week however often the job runs, only to opted-in, verified, signed-up people with something
to read, with RFC 8058 one-click unsubscribe headers and a link that works without logging in."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import httpx
import pytest

from service.digest import service as digest
from service.digest.tokens import unsubscribe_token
from tests.api.test_next_steps import event
from tests.conftest import account, settle_email
from tests.imported import UMA, association, import_members
from tests.workers.test_account_emails import _html, _text
from tests.workers.test_introductions import mailbox  # noqa: F401
from tests.workers.test_rounds import _run_worker

NOBODY_AIMS = {"certifications_target": [], "goals": []}


def _smtp(settings, box):
    return settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{box.port}"})


async def _reader(client, pool, email: str, *, digest_on: bool = True, **fields) -> UUID:
    profile, _ = await account(client, email=email, digest=digest_on, **fields)
    await settle_email(pool, profile["id"])
    return UUID(profile["id"])


async def _suggest(pool, person: UUID, rank: int, *, event_id=None, association_id=None):
    await pool.execute(
        "INSERT INTO person_suggestions (person_id, rank, kind, event_id, association_id, score,"
        " reasons) VALUES ($1, $2, $3, $4, $5, 0.5, $6)",
        person,
        rank,
        "event" if event_id else "association",
        event_id,
        association_id,
        ["covers your goal: earn PMP", "online, Tuesday 19:00 your time"],
    )


async def _queue(app, settings, *job_ids: str) -> None:
    """Run the digest job under each id (a retry is another id), then the deliveries."""
    for job_id in job_ids:
        assert await app.state.services.arq.enqueue_job("queue_digests", _job_id=job_id)
        await _run_worker(settings)


async def test_one_digest_per_person_and_week_to_those_who_opted_in(
    client,
    app,
    pool,
    settings,
    mailbox,  # noqa: F811
):
    settings = _smtp(settings, mailbox)
    chapter = await association(pool, "PMI Lisbon Chapter")
    other = await association(pool, "Agile Porto")
    ana = await _reader(client, pool, "ana@example.org", **NOBODY_AIMS)
    bea = await _reader(client, pool, "bea@example.org", months_leading_projects=20)
    off = await _reader(client, pool, "carl@example.org", digest_on=False)
    unverified, _ = await account(client, email="dan@example.org", digest=True)
    idle = await _reader(client, pool, "eve@example.org", **NOBODY_AIMS)
    await import_members(pool, settings.secret, chapter, [UMA])  # unclaimed: never a digest
    await pool.execute("DELETE FROM outbox")  # verification and invitation emails
    # Ana aims for nothing but has suggestions: one open, the others past, full, RSVPed,
    # or an association she already belongs to.
    upcoming = await event(pool, chapter, "Risk workshop", days=5)
    past = await event(pool, chapter, "Old meetup", days=-3)
    full = await event(pool, chapter, "Full house", capacity=1, rsvps=1)
    going = await event(pool, chapter, "Already going", days=2)
    await pool.execute("INSERT INTO event_rsvps (event_id, person_id) VALUES ($1, $2)", going, ana)
    await pool.execute(
        "INSERT INTO association_members (association_id, person_id, source, status)"
        " VALUES ($1, $2, 'self_declared', 'active')",
        chapter,
        ana,
    )
    for rank, (e, a) in enumerate(
        [
            (past, None),
            (None, chapter),
            (full, None),
            (going, None),
            (upcoming, None),
            (None, other),
        ],
        start=1,
    ):
        await _suggest(pool, ana, rank, event_id=e, association_id=a)
    for person in (off, UUID(unverified["id"]), idle):
        await _suggest(pool, person, 1, event_id=upcoming)
    await pool.execute("DELETE FROM person_suggestions WHERE person_id = $1", idle)

    await _queue(app, settings, "first", "retried", "second run")
    await _run_worker(settings)  # and a sweep: nothing more

    week = digest.iso_week(datetime.now(UTC))
    rows = await pool.fetch(
        "SELECT recipient_id, status, subject_id FROM outbox WHERE kind = 'digest'"
    )
    assert sorted(r["recipient_id"] for r in rows) == sorted([ana, bea])
    assert {(r["status"], r["subject_id"]) for r in rows} == {("sent", week)}
    by_to = {m["To"]: m for m in mailbox.messages}
    assert sorted(by_to) == ["Ana Silva <ana@example.org>", "Ana Silva <bea@example.org>"]
    assert len(mailbox.messages) == 2

    mail = by_to["Ana Silva <ana@example.org>"]
    assert mail["Message-ID"] == f"<digest.{week}.{ana}@kickoff>"
    text, html = _text(mail), _html(mail)
    assert f"http://testserver/events/{upcoming}" in text
    assert f'href="http://testserver/associations/{other}"' in html
    for left_out in (past, full, going, chapter):
        assert str(left_out) not in text + html
    assert "covers your goal: earn PMP" in text
    assert "Your next step" not in text  # she aims for nothing
    assert "http://testserver/suggestions" in text

    pmp = by_to["Ana Silva <bea@example.org>"]
    assert "Your next step" in _text(pmp)
    assert "http://testserver/next-steps" in _text(pmp)

    # RFC 8058: the https (here http) link, and the one-click POST header.
    token = unsubscribe_token(settings.secret, ana)
    assert mail["List-Unsubscribe"] == f"<http://testserver/unsubscribe/{token}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"http://testserver/unsubscribe/{token}" in text


async def test_the_one_click_post_and_the_page_turn_it_off_without_logging_in(
    client,
    app,
    pool,
    settings,
):
    ana = await _reader(client, pool, "ana@example.org")
    token = unsubscribe_token(settings.secret, ana)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as stranger:
        # Opening the link (a mail scanner does) changes nothing; the page has one button.
        page = await stranger.get(f"/unsubscribe/{token}")
        assert page.status_code == 200
        assert re.search(rf'<form method="post" action="/unsubscribe/{token}">', page.text)
        assert await pool.fetchval("SELECT digest FROM people WHERE id = $1", ana)
        # An altered link is refused and changes nothing.
        bad = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        r = await stranger.post(f"/unsubscribe/{bad}", data={"List-Unsubscribe": "One-Click"})
        assert r.status_code == 404
        assert await pool.fetchval("SELECT digest FROM people WHERE id = $1", ana)
        # The mail client's one-click POST: no cookie, no CSRF token.
        r = await stranger.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
        assert r.status_code == 200
        assert "the weekly digest is off" in r.text
        assert not await pool.fetchval("SELECT digest FROM people WHERE id = $1", ana)
        # The page's button again: already off, says so.
        r = await stranger.post(f"/unsubscribe/{token}")
        assert r.status_code == 200 and "it already was" in r.text


async def test_a_digest_turned_off_before_it_goes_is_withdrawn(
    client,
    app,
    pool,
    settings,
    mailbox,  # noqa: F811
):
    settings = _smtp(settings, mailbox)
    await _reader(client, pool, "bea@example.org", months_leading_projects=20)
    ana = await _reader(client, pool, "ana@example.org", months_leading_projects=20)
    await pool.execute("DELETE FROM outbox")
    await app.state.services.arq.enqueue_job("queue_digests", _job_id="once")
    # Queue only (no worker yet), then Ana unsubscribes before the delivery runs.
    await _run_worker(settings.model_copy(update={"smtp_url": "smtp://127.0.0.1:1"}))
    await pool.execute(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = now(),"
        " last_error = '' WHERE kind = 'digest'"
    )
    r = await client.post(f"/unsubscribe/{unsubscribe_token(settings.secret, ana)}")
    assert r.status_code == 200
    await app.state.services.arq.enqueue_job("sweep_outbox", _job_id="sweep")
    await _run_worker(settings)
    statuses = dict(
        await pool.fetch(
            "SELECT p.email, o.status FROM outbox o JOIN people p ON p.id = o.recipient_id"
            " WHERE o.kind = 'digest'"
        )
    )
    assert statuses == {"ana@example.org": "withdrawn", "bea@example.org": "sent"}
    assert [m["To"] for m in mailbox.messages] == ["Ana Silva <bea@example.org>"]


async def test_imported_people_cannot_be_opted_in(pool, settings):
    chapter = await association(pool)
    (uma,) = await import_members(pool, settings.secret, chapter, [UMA])
    assert not await pool.fetchval("SELECT digest FROM people WHERE id = $1", uma.id)
    with pytest.raises(asyncpg.CheckViolationError, match="people_digest_claimed_check"):
        await pool.execute("UPDATE people SET digest = true WHERE id = $1", uma.id)
