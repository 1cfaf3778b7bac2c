"""Forgot password (a link by email, once, within the hour; every session ends; the same
answer for any address; limited per address and per IP) and changing a password when logged
in (the current one checked and throttled like a login; other sessions end)."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from uuid import UUID

import httpx
import pytest

from service.accounts import service as accounts
from service.accounts.endpoints import RESET_SENT
from service.accounts.service import RESET_LIMIT
from service.auth.service import MAX_FAILURES
from service.people import repository as people_repo
from tests.api.test_verification import link_of, post_form
from tests.conftest import csrf_from, sign_up_and_login

PASSWORD = "correct horse battery staple"
NEW = "a brand new passphrase"


@asynccontextmanager
async def client_at(app, ip: str):
    """A client of the app connecting from ``ip``."""
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def login(client, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/login", json={"email": email, "password": password})


async def bearer(client, email: str, password: str = PASSWORD) -> dict[str, str]:
    """A new session's Authorization header (no cookie kept)."""
    r = await login(client, email, password)
    assert r.status_code == 200, r.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(client, pool, settings):
    me = await sign_up_and_login(client, email="ana@example.org")
    sessions = [await bearer(client, "ana@example.org") for _ in range(2)]
    r = await client.post("/api/v1/auth/password-reset", json={"email": "ANA@example.org"})
    assert r.status_code == 202 and r.json() == {"message": RESET_SENT}
    link = await pool.fetchrow(
        "SELECT id, expires_at - created_at AS life FROM email_links"
        " WHERE purpose = 'password_reset'"
    )
    assert link["life"].total_seconds() == 3600
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM outbox WHERE kind = 'password_reset' AND subject_id = $1"
            " AND recipient_id = $2",
            str(link["id"]),
            UUID(me["id"]),
        )
        == 1
    )
    token = await link_of(pool, settings, "ana@example.org", "password_reset")

    page = await client.get(f"/reset/{token}")
    assert page.status_code == 200 and 'name="new_password"' in page.text
    short = await post_form(client, f"/reset/{token}", new_password="too short")
    assert short.status_code == 422 and "12 to 128 characters" in short.text
    r = await post_form(client, f"/reset/{token}", new_password=NEW)
    assert r.status_code == 200 and "Your password was changed" in r.text

    assert await pool.fetchval("SELECT count(*) FROM sessions") == 0
    for headers in sessions:
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    assert (await login(client, "ana@example.org", PASSWORD)).status_code == 401
    assert (await login(client, "ana@example.org", NEW)).status_code == 200

    # Once only, and clearly so.
    again = await post_form(client, f"/reset/{token}", new_password="yet another passphrase")
    assert again.status_code == 410 and "already used" in again.text
    assert (await client.get(f"/reset/{token}")).status_code == 410
    assert (await login(client, "ana@example.org", NEW)).status_code == 200


async def test_a_reset_link_used_twice_at_once_works_once(client, pool, settings):
    me = await sign_up_and_login(client, email="ana@example.org")
    await client.post("/api/v1/auth/password-reset", json={"email": "ana@example.org"})
    token = await link_of(pool, settings, "ana@example.org", "password_reset")
    # Two uses at once, past the pages' checks: the database lets one through.
    async with pool.acquire() as a, pool.acquire() as b:
        first = a.transaction()
        await first.start()
        await accounts.reset_password(a, token, "hash of the first")
        second = b.transaction()
        await second.start()
        late = asyncio.create_task(accounts.reset_password(b, token, "hash of the second"))
        await asyncio.sleep(0.3)
        assert not late.done()  # it waits for the first to finish
        await first.commit()
        with pytest.raises(accounts.LinkRefused, match="already used"):
            await late
        await second.rollback()
    stored = await pool.fetchval("SELECT password_hash FROM people WHERE id = $1", UUID(me["id"]))
    assert stored == "hash of the first"


async def test_an_expired_reset_link_is_refused(client, pool, settings):
    await sign_up_and_login(client, email="ana@example.org")
    await client.post("/api/v1/auth/password-reset", json={"email": "ana@example.org"})
    token = await link_of(pool, settings, "ana@example.org", "password_reset")
    # An hour and a second later.
    await pool.execute(
        "UPDATE email_links SET created_at = created_at - interval '3601 seconds',"
        " expires_at = expires_at - interval '3601 seconds' WHERE purpose = 'password_reset'"
    )
    page = await client.get(f"/reset/{token}")
    assert page.status_code == 410 and "expired" in page.text
    assert 'name="new_password"' not in page.text
    r = await post_form(client, f"/reset/{token}", new_password=NEW)
    assert r.status_code == 410 and "expired" in r.text
    assert (await login(client, "ana@example.org", PASSWORD)).status_code == 200
    assert (await login(client, "ana@example.org", NEW)).status_code == 401


async def test_the_answer_is_the_same_for_any_address(client, pool):
    await sign_up_and_login(client, email="ana@example.org")
    async with pool.acquire() as conn:
        await people_repo.create_unclaimed_person(conn, "uma@example.org", "Uma")
    answers = []
    for email in ("ana@example.org", "nobody@example.org", "uma@example.org"):
        r = await client.post("/api/v1/auth/password-reset", json={"email": email})
        answers.append((r.status_code, r.content, r.headers.get("content-type")))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 202
    # Only the signed-up person is sent a link: no one unknown or unclaimed.
    sent = await pool.fetch("SELECT email FROM email_links WHERE purpose = 'password_reset'")
    assert [r["email"] for r in sent] == ["ana@example.org"]
    # The page answers the same way.
    for email in ("ana@example.org", "nobody@example.org"):
        r = await post_form(client, "/forgot-password", email=email)
        assert r.status_code == 200 and f"If an account uses {email}" in r.text


async def test_reset_requests_are_limited_per_address_and_per_ip(app, client, pool):
    await sign_up_and_login(client, email="ana@example.org")
    # Per address, from as many IPs, whether or not an account has the address.
    for email in ("ana@example.org", "nobody@example.org"):
        for i in range(RESET_LIMIT):
            async with client_at(app, f"198.51.100.{i + 1}") as c:
                r = await c.post("/api/v1/auth/password-reset", json={"email": email})
                assert r.status_code == 202, r.text
        async with client_at(app, "198.51.100.99") as c:
            r = await c.post("/api/v1/auth/password-reset", json={"email": email.upper()})
        assert r.status_code == 429, email
        assert 0 < int(r.headers["retry-after"]) <= 3600
    assert (
        await pool.fetchval("SELECT count(*) FROM email_links WHERE purpose = 'password_reset'")
        == RESET_LIMIT
    )
    # Per IP, across addresses.
    async with client_at(app, "192.0.2.1") as c:
        for i in range(RESET_LIMIT):
            r = await c.post("/api/v1/auth/password-reset", json={"email": f"x{i}@example.org"})
            assert r.status_code == 202
        r = await c.post("/api/v1/auth/password-reset", json={"email": "fresh@example.org"})
        assert r.status_code == 429
        page = await post_form(c, "/forgot-password", email="fresh@example.org")
        assert page.status_code == 429 and "too many password reset requests" in page.text


async def test_changing_my_password_checks_the_current_one_and_ends_other_sessions(client, pool):
    await sign_up_and_login(client, email="ana@example.org")
    other = await bearer(client, "ana@example.org")
    mine = await bearer(client, "ana@example.org")

    wrong = await client.post(
        "/api/v1/me/password",
        json={"current_password": "not my password", "new_password": NEW},
        headers=mine,
    )
    assert wrong.status_code == 422
    assert [f["field"] for f in wrong.json()["error"]["fields"]] == ["current_password"]
    assert await pool.fetchval("SELECT count(*) FROM login_failures") == 1
    short = await client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "short"},
        headers=mine,
    )
    assert short.status_code == 422
    assert [f["field"] for f in short.json()["error"]["fields"]] == ["new_password"]

    r = await client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW},
        headers=mine,
    )
    assert r.status_code == 204, r.text
    assert (await client.get("/api/v1/me", headers=mine)).status_code == 200
    assert (await client.get("/api/v1/me", headers=other)).status_code == 401
    assert (await login(client, "ana@example.org", PASSWORD)).status_code == 401
    assert (await login(client, "ana@example.org", NEW)).status_code == 200


async def test_wrong_current_passwords_count_as_failed_logins(client):
    await sign_up_and_login(client, email="ana@example.org")
    for _ in range(MAX_FAILURES):
        r = await client.post(
            "/api/v1/me/password",
            json={"current_password": "guess guess guess", "new_password": NEW},
        )
        assert r.status_code == 422
    # Guessing cannot go on here, nor at the login.
    r = await client.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW}
    )
    assert r.status_code == 429
    assert (await login(client, "ana@example.org", PASSWORD)).status_code == 429


async def test_the_edit_page_changes_the_password(client, pool):
    await sign_up_and_login(client, email="ana@example.org")
    other = await bearer(client, "ana@example.org")
    await login(client, "ana@example.org", PASSWORD)  # this browser's session (cookie)
    page = await client.get("/me/edit")
    assert 'action="/me/password"' in page.text
    token = csrf_from(page.text)
    r = await client.post(
        "/me/password",
        data={"current_password": "nope", "new_password": NEW, "csrf_token": token},
    )
    assert r.status_code == 422 and "this is not your current password" in r.text
    r = await client.post(
        "/me/password",
        data={"current_password": PASSWORD, "new_password": NEW, "csrf_token": token},
    )
    assert r.status_code == 303 and r.headers["location"] == "/me?password=changed"
    assert "Your password was changed" in (await client.get("/me?password=changed")).text
    assert (await client.get("/api/v1/me", headers=other)).status_code == 401
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 1
