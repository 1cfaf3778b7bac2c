"""The verification and password reset emails: delivered by the worker over real SMTP
(aiosmtpd), their links working from the email itself."""

from __future__ import annotations

import re
from email.message import Message

from tests.api.test_verification import post_form
from tests.conftest import sign_up_and_login
from tests.workers.test_introductions import mailbox  # noqa: F401
from tests.workers.test_rounds import _run_worker


def _text(msg: Message) -> str:
    return next(
        p.get_payload(decode=True).decode()
        for p in msg.walk()
        if p.get_content_type() == "text/plain"
    )


def _html(msg: Message) -> str:
    return next(
        p.get_payload(decode=True).decode()
        for p in msg.walk()
        if p.get_content_type() == "text/html"
    )


def _link(msg: Message, page: str) -> str:
    """The path of the one link to ``page`` in the email (the same in its text and HTML)."""
    found = re.findall(r"http://testserver(/" + page + r"/[A-Za-z0-9_-]+)", _text(msg))
    assert len(found) == 1, _text(msg)
    assert f'href="http://testserver{found[0]}"' in _html(msg)
    return found[0]


async def test_the_emails_arrive_with_working_links(
    client,
    pool,
    settings,
    mailbox,  # noqa: F811
):
    settings = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{mailbox.port}"})
    me = await sign_up_and_login(client, email="ana@example.org", display_name="Ana Silva")
    await _run_worker(settings)

    assert len(mailbox.messages) == 1
    verify = mailbox.messages[0]
    assert verify["Subject"] == "Confirm your email address for Kickoff"
    assert "ana@example.org" in verify["To"]
    link_id = await pool.fetchval("SELECT id FROM email_links")
    assert verify["Message-ID"] == f"<verify_email.{link_id}.{me['id']}@kickoff>"
    assert "Hello Ana," in _text(verify)
    path = _link(verify, "verify")
    client.cookies.clear()
    assert (await post_form(client, path)).status_code == 200
    assert await pool.fetchval("SELECT email_verified_at IS NOT NULL FROM people")
    assert (await post_form(client, path)).status_code == 410

    r = await client.post("/api/v1/auth/password-reset", json={"email": "ana@example.org"})
    assert r.status_code == 202
    await _run_worker(settings)
    assert len(mailbox.messages) == 2
    reset = mailbox.messages[1]
    assert reset["Subject"] == "Choose a new Kickoff password"
    assert "within one hour" in _text(reset)
    path = _link(reset, "reset")
    r = await post_form(client, path, new_password="a brand new passphrase")
    assert r.status_code == 200 and "Your password was changed" in r.text
    login = {"email": "ana@example.org", "password": "a brand new passphrase"}
    assert (await client.post("/api/v1/auth/login", json=login)).status_code == 200
    statuses = await pool.fetch("SELECT kind, status FROM outbox ORDER BY created_at")
    assert [tuple(r) for r in statuses] == [("verify_email", "sent"), ("password_reset", "sent")]
