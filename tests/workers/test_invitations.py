"""Invitations of imported members over real SMTP (aiosmtpd): delivered once with a working
link, the link's page making the person a member of Kickoff (once), the one reminder, the
notice to members who already had an account, resending, and racing submits."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from email.message import Message
from uuid import UUID

from service.introductions.service import enqueue_emails
from service.invitations import service as invitations
from service.kit.db import transaction
from tests.api.test_programmes import admin
from tests.api.test_route_access import EMAIL as EMAIL_RE
from tests.api.test_verification import post_form
from tests.conftest import account
from tests.imported import ACCEPT, UMA, association, import_members
from tests.workers.test_account_emails import _html, _text
from tests.workers.test_introductions import mailbox  # noqa: F401
from tests.workers.test_rounds import _run_worker

ANA = "ana@example.org"


def _subject(msg: Message) -> str:
    return str(make_header(decode_header(msg["Subject"])))


def _invitation_path(msg: Message) -> str:
    """The one link of the email, the same in its text and HTML."""
    found = re.findall(r"http://testserver(/invitation/[A-Za-z0-9_-]+)", _text(msg))
    assert len(found) == 1, _text(msg)
    assert f'href="http://testserver{found[0]}"' in _html(msg)
    return found[0]


def _smtp(settings, mailbox):  # noqa: F811
    return settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{mailbox.port}"})


async def test_the_invitation_arrives_once_and_its_link_makes_the_person_a_member(
    client,
    pool,
    settings,
    mailbox,  # noqa: F811
):
    settings = _smtp(settings, mailbox)
    ana, _ = await account(client, email=ANA, display_name="Ana Silva")
    await pool.execute("DELETE FROM outbox")  # her verification email is not what is tested
    chapter = await association(pool)
    (uma,) = await import_members(pool, settings.secret, chapter, [UMA], [UUID(ana["id"])])
    await _run_worker(settings)
    await _run_worker(settings)  # a second run (a retried job, a sweep) sends nothing more

    assert len(mailbox.messages) == 2
    by_to = {m["To"]: m for m in mailbox.messages}
    invitation = by_to["Uma Costa <uma.costa@example.org>"]
    assert _subject(invitation) == "PMI Lisbon Chapter invited you to Kickoff"
    assert invitation["Message-ID"] == f"<invitation.{uma.link_id}.{uma.id}@kickoff>"
    text = " ".join(_text(invitation).split())
    expires = datetime.now(UTC) + timedelta(days=30)
    for said in (
        "Hello Uma,",
        "PMI Lisbon Chapter invited you to Kickoff",
        "a mentoring service for people in IT project management",
        "choose to be a mentee, a mentor or both",
        "Nothing is shared until you both say yes",
        "gave Kickoff your name, this email address",
        f"It works once, until {expires:%A} {expires.day} {expires:%B %Y}.",
        "If you ignore this email, nothing happens",
        "We will remind you once",
    ):
        assert said in text, said
    # Nobody's contact details but the reader's own address in the header.
    assert EMAIL_RE.findall(_text(invitation) + _html(invitation)) == []
    path = _invitation_path(invitation)
    assert path == f"/invitation/{uma.token}"

    notice = by_to["Ana Silva <ana@example.org>"]
    assert _subject(notice) == "PMI Lisbon Chapter added you as a member on Kickoff"
    assert "To see the associations you belong to, or to end this membership" in _text(notice)
    assert "http://testserver/me" in _text(notice)
    statuses = await pool.fetch("SELECT kind, status FROM outbox ORDER BY kind")
    assert [tuple(r) for r in statuses] == [
        ("association_member", "sent"),
        ("invitation", "sent"),
    ]

    # The link's page shows who invited her and what the import filled in.
    client.cookies.clear()
    page = await client.get(path)
    assert page.status_code == 200
    assert "PMI Lisbon Chapter invited you to Kickoff" in page.text
    assert 'value="Uma Costa"' in page.text and 'value="Lisbon"' in page.text
    assert 'value="PMP (Project Management Professional)"' in page.text
    assert 'name="years_experience" type="number" min="0" max="60" value="6"' in page.text
    assert '<option value="PT" selected>' in page.text
    assert 'name="consent_to_match" >' in page.text  # not ticked for her
    # Opening it changed nothing.
    assert await pool.fetchval("SELECT used_at FROM email_links WHERE id = $1", uma.link_id) is None

    r = await post_form(client, path, **ACCEPT)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/me?welcome=1"
    me = (await client.get("/api/v1/me")).json()
    assert me["id"] == str(uma.id) and me["email"] == UMA["email"]
    assert me["email_verified"] is True  # the link proved the address
    assert me["roles"] == ["mentee", "mentor"] and me["mentor_capacity"] == 3
    assert me["certifications_held"] == ["pmp"] and me["consent_to_match"] is True
    assert me["availability"] == [{"day": "tue", "start": "18:00", "end": "20:00"}]
    welcome = await client.get("/me?welcome=1")
    assert "Welcome to Kickoff, Uma Costa!" in welcome.text
    assert (
        await pool.fetchval("SELECT status FROM association_members WHERE person_id = $1", uma.id)
        == "active"
    )

    # The link worked once: afterwards its page and a second submit say so.
    client.cookies.clear()
    for again in (await client.get(path), await post_form(client, path, **ACCEPT)):
        assert again.status_code == 410
        assert "This invitation was already used" in again.text
    assert await pool.fetchval("SELECT count(*) FROM sessions WHERE person_id = $1", uma.id) == 1


async def test_one_reminder_after_n_days_then_nothing(
    client,
    app,
    pool,
    settings,
    mailbox,  # noqa: F811
):
    settings = _smtp(settings, mailbox)
    chapter = await association(pool)
    (uma,) = await import_members(pool, settings.secret, chapter, [UMA])
    await _run_worker(settings)
    assert len(mailbox.messages) == 1

    async def remind(at: datetime) -> list[UUID]:
        # What the follow-up cron job does, at a chosen time (the clock is faked, nothing else).
        async with transaction(pool) as conn:
            queued = await invitations.remind(conn, at, timedelta(days=7))
        await enqueue_emails(app.state.services.arq, queued)
        return queued

    now = datetime.now(UTC)
    assert await remind(now + timedelta(days=6)) == []
    # The cron job run twice at once, then again: one reminder.
    first, second = await asyncio.gather(
        remind(now + timedelta(days=7, minutes=1)), remind(now + timedelta(days=7, minutes=1))
    )
    assert len(first + second) == 1
    assert await remind(now + timedelta(days=8)) == []
    await _run_worker(settings)
    await _run_worker(settings)
    assert len(mailbox.messages) == 2
    reminder = mailbox.messages[1]
    assert _subject(reminder) == "Reminder: PMI Lisbon Chapter invited you to Kickoff"
    assert reminder["Message-ID"] == f"<invitation_reminder.{uma.link_id}.{uma.id}@kickoff>"
    assert "This is our only reminder" in _text(reminder)
    # The same link as the invitation's, still working.
    assert _invitation_path(reminder) == _invitation_path(mailbox.messages[0])
    # Then she is left alone, even once a new invitation was sent (reminded once, ever).
    async with transaction(pool) as conn:
        resent = await invitations.resend_invitation(conn, settings.secret, chapter, uma.id)
    await enqueue_emails(app.state.services.arq, [resent])
    await _run_worker(settings)
    assert await remind(now + timedelta(days=20)) == []
    assert await remind(now + timedelta(days=29)) == []
    await _run_worker(settings)
    assert [_subject(m).split(":")[0] for m in mailbox.messages] == [
        "PMI Lisbon Chapter invited you to Kickoff",
        "Reminder",
        "PMI Lisbon Chapter invited you to Kickoff",
    ]


async def test_expired_invitations_remind_no_one_and_leave_the_member_invited(
    client, pool, settings
):
    chapter = await association(pool)
    (uma,) = await import_members(pool, settings.secret, chapter, [UMA])
    await pool.execute("UPDATE outbox SET status = 'sent', sent_at = now()")
    # Thirty-one days pass (the clock is faked by moving the link's dates back).
    await pool.execute(
        "UPDATE email_links SET created_at = created_at - interval '31 days',"
        " expires_at = expires_at - interval '31 days'"
    )
    async with transaction(pool) as conn:
        assert await invitations.remind(conn, datetime.now(UTC), timedelta(days=7)) == []
    page = await client.get(f"/invitation/{uma.token}")
    assert page.status_code == 410
    expired = datetime.now(UTC) - timedelta(days=1)
    assert f"This invitation expired on {expired:%A} {expired.day} {expired:%B %Y}" in page.text
    assert "Ask PMI Lisbon Chapter to send you a new one" in page.text
    r = await post_form(client, f"/invitation/{uma.token}", **ACCEPT)
    assert r.status_code == 410 and "expired" in r.text
    assert await pool.fetchval("SELECT status FROM association_members") == "invited"
    assert await pool.fetchval("SELECT claimed_at FROM people WHERE id = $1", uma.id) is None


async def test_association_admins_resend_an_invitation_three_times_a_day(
    client,
    pool,
    settings,
    mailbox,  # noqa: F811
):
    settings = _smtp(settings, mailbox)
    _, boss = await admin(client, pool)
    ana, _ = await account(client, email=ANA)
    chapter = await association(pool)
    other = await association(pool, "Agile Porto")
    (uma,) = await import_members(pool, settings.secret, chapter, [UMA], [UUID(ana["id"])])
    await pool.execute("DELETE FROM outbox")

    url = f"/api/v1/associations/{chapter}/members/{uma.id}/invitation"
    r = await client.post(url, headers=boss)
    assert r.status_code == 202, r.text
    assert r.json()["person_id"] == str(uma.id)
    await _run_worker(settings)
    assert len(mailbox.messages) == 1
    fresh = _invitation_path(mailbox.messages[0])
    assert fresh != f"/invitation/{uma.token}"
    # The earlier link stopped working and says why; the new one works.
    old = await client.get(f"/invitation/{uma.token}")
    assert old.status_code == 410 and "replaced by a newer one" in old.text
    assert (await client.get(fresh)).status_code == 200

    for _ in range(2):
        assert (await client.post(url, headers=boss)).status_code == 202
    refused = await client.post(url, headers=boss)
    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) > 0
    live = "SELECT count(*) FROM email_links WHERE purpose = 'invitation' AND used_at IS NULL"
    assert await pool.fetchval(live) == 1
    # Only an invited member of that association: not a member with an account, not another
    # association's, not anyone.
    for path in (
        f"/api/v1/associations/{chapter}/members/{ana['id']}/invitation",
        f"/api/v1/associations/{other}/members/{uma.id}/invitation",
        f"/api/v1/associations/{chapter}/members/{chapter}/invitation",
        f"/api/v1/associations/not-an-id/members/{uma.id}/invitation",
    ):
        r = await client.post(path, headers=boss)
        assert r.status_code == 404, (path, r.text)
    _, someone = await account(client)
    assert (await client.post(url, headers=someone)).status_code == 403
    assert (await client.post(url)).status_code == 401
    # The association's own admins may resend (here: past the day's limit), another's may not.
    for where, status in ((chapter, 429), (other, 403)):
        runner, headers = await account(client)
        await pool.execute(
            "INSERT INTO association_admins (association_id, person_id) VALUES ($1, $2)",
            where,
            UUID(runner["id"]),
        )
        assert (await client.post(url, headers=headers)).status_code == status, where


async def test_racing_submits_make_one_account(client, pool, settings):
    chapter = await association(pool)
    (uma,) = await import_members(pool, settings.secret, chapter, [UMA])
    path = f"/invitation/{uma.token}"
    # The link's row is held while three submits arrive, so they all try to use it at once.
    async with pool.acquire() as holder, holder.transaction():
        await holder.execute("SELECT 1 FROM email_links WHERE id = $1 FOR UPDATE", uma.link_id)
        submits = [asyncio.create_task(post_form(client, path, **ACCEPT)) for _ in range(3)]
        for _ in range(400):
            waiting = await pool.fetchval(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if waiting == 3:
                break
            await asyncio.sleep(0.05)
        assert waiting == 3
    results = await asyncio.gather(*submits)
    assert sorted(r.status_code for r in results) == [303, 410, 410]
    assert all("already used" in r.text for r in results if r.status_code == 410)
    assert await pool.fetchval("SELECT count(*) FROM people") == 1
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 1
    assert await pool.fetchval("SELECT claimed_at IS NOT NULL FROM people")


async def test_the_worker_job_sends_the_reminder_once(
    client,
    app,
    pool,
    settings,
    mailbox,  # noqa: F811
):
    settings = _smtp(settings, mailbox)
    chapter = await association(pool)
    await import_members(pool, settings.secret, chapter, [UMA])
    await _run_worker(settings)
    # Eight days pass since the invitation was delivered (its dates moved back, nothing else).
    await pool.execute("UPDATE outbox SET sent_at = sent_at - interval '8 days'")
    await pool.execute("UPDATE email_links SET created_at = created_at - interval '8 days'")
    arq = app.state.services.arq
    for attempt in ("first", "again"):
        await arq.enqueue_job("follow_up_invitations", _job_id=attempt)
        await _run_worker(settings)
    assert [_subject(m) for m in mailbox.messages] == [
        "PMI Lisbon Chapter invited you to Kickoff",
        "Reminder: PMI Lisbon Chapter invited you to Kickoff",
    ]
