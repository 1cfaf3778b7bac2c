"""Email verification: a link at sign-up and on a new address, working once; until it is
followed, a person is in no round and introduced to no one; resent at most 3 times an hour."""

from __future__ import annotations

from uuid import UUID

import httpx

from service.accounts.service import RESEND_LIMIT
from service.demo.seed import seed_demo
from service.introductions import repository as intro_repo
from service.programmes.schemas import ProgrammeSettings
from service.rounds import service as rounds
from service.security import link_token
from tests.api.test_pages import FORM
from tests.conftest import csrf_from, sign_up_and_login, signup_body


async def link_of(pool, settings, email: str, purpose: str = "verify_email") -> str:
    """The token of the newest link of ``purpose`` sent to ``email``, as its email carries it
    (tests/workers/test_account_emails.py reads it from the email itself)."""
    link_id = await pool.fetchval(
        "SELECT id FROM email_links WHERE lower(email) = lower($1) AND purpose = $2"
        " ORDER BY created_at DESC LIMIT 1",
        email,
        purpose,
    )
    assert link_id is not None, f"no {purpose} link sent to {email}"
    return link_token(settings.secret, purpose, link_id)


async def post_form(client: httpx.AsyncClient, path: str, **data: str) -> httpx.Response:
    """Post a Kickoff form with this browser's CSRF token."""
    csrf = csrf_from((await client.get("/login")).text)  # any Kickoff form's token
    return await client.post(path, data={**data, "csrf_token": csrf})


async def test_sign_up_sends_a_link_and_me_says_unverified(client, pool, settings):
    me = await sign_up_and_login(client, email="ana@example.org")
    assert me["email_verified"] is False
    assert (await client.get("/api/v1/me")).json()["email_verified"] is False
    rows = await pool.fetch("SELECT kind, subject_kind, subject_id, recipient_id FROM outbox")
    link = await pool.fetchrow(
        "SELECT id, email, token_hash, expires_at - created_at AS life FROM email_links"
    )
    assert [tuple(r) for r in rows] == [
        ("verify_email", "email_link", str(link["id"]), UUID(me["id"]))
    ]
    assert link["email"] == "ana@example.org" and link["life"].days == 7
    # Only a hash of the token is stored.
    token = await link_of(pool, settings, "ana@example.org")
    assert token.encode() not in link["token_hash"] and len(link["token_hash"]) == 32


async def test_the_link_works_once_and_says_so_clearly_after(client, pool, settings):
    await sign_up_and_login(client, email="ana@example.org")
    token = await link_of(pool, settings, "ana@example.org")
    client.cookies.clear()  # the link works without logging in

    page = await client.get(f"/verify/{token}")
    assert page.status_code == 200 and "Confirm my email address" in page.text
    # Opening the page changes nothing (a mail scanner does not use the link up).
    assert await pool.fetchval("SELECT email_verified_at FROM people") is None
    r = await post_form(client, f"/verify/{token}")
    assert r.status_code == 200 and "your email address is verified" in r.text
    assert await pool.fetchval("SELECT email_verified_at IS NOT NULL FROM people")

    again = await post_form(client, f"/verify/{token}")
    assert again.status_code == 410
    assert "already used" in again.text and "Your email address is verified" in again.text
    page = await client.get(f"/verify/{token}")
    assert page.status_code == 410 and "already used" in page.text
    assert "Confirm my email address" not in page.text
    unknown = await client.get("/verify/" + "x" * 43)
    assert unknown.status_code == 404 and "not valid" in unknown.text
    # The reset page does not take a verification link.
    assert (await client.get(f"/reset/{token}")).status_code == 404


async def test_an_expired_verification_link_is_refused(client, pool, settings):
    await sign_up_and_login(client, email="ana@example.org")
    token = await link_of(pool, settings, "ana@example.org")
    await pool.execute(
        "UPDATE email_links SET created_at = now() - interval '8 days',"
        " expires_at = now() - interval '1 day'"
    )
    r = await post_form(client, f"/verify/{token}")
    assert r.status_code == 410 and "expired" in r.text
    assert (await client.get("/api/v1/me")).json()["email_verified"] is False


async def test_unverified_people_are_in_no_round_and_introduced_to_no_one(client, pool, settings):
    admin = await sign_up_and_login(client, email="organiser@example.org", consent_to_match=False)
    await pool.execute("UPDATE people SET is_admin = true WHERE id = $1", UUID(admin["id"]))
    pid = (await client.post("/api/v1/programmes", json={"name": "Spring"})).json()["id"]
    ids = {}
    for name, roles, capacity in (("ana", ["mentee"], None), ("mo", ["mentor"], 2)):
        body = signup_body(email=f"{name}@example.org", roles=roles, mentor_capacity=capacity)
        created = await client.post("/api/v1/people", json=body)
        assert created.status_code == 201, created.text
        ids[name] = UUID(created.json()["id"])
        await pool.execute(
            "INSERT INTO programme_members (programme_id, person_id) VALUES ($1, $2)",
            UUID(pid),
            ids[name],
        )

    async def taking_part() -> set[UUID]:
        async with pool.acquire() as conn:
            found = await rounds.participants(conn, UUID(pid), ProgrammeSettings())
        return {p.id for p in found.mentees + found.mentors}

    assert await taking_part() == set()
    async with pool.acquire() as conn:
        left = (await rounds.participants(conn, UUID(pid), ProgrammeSettings())).not_entered
    assert {(x.person_id, x.role, x.code) for x in left} == {
        (ids["ana"], "mentee", "email_not_verified"),
        (ids["mo"], "mentor", "email_not_verified"),
    }
    client.cookies.clear()
    await post_form(client, "/verify/" + await link_of(pool, settings, "ana@example.org"))
    assert await taking_part() == {ids["ana"]}
    await post_form(client, "/verify/" + await link_of(pool, settings, "mo@example.org"))
    assert await taking_part() == {ids["ana"], ids["mo"]}

    # A pair of a published round whose mentee's address changed (unverified) since the round
    # ran: not introduced until it is verified again.
    round_id = await pool.fetchval(
        "INSERT INTO rounds (programme_id, status, settings) VALUES ($1, 'published', '{}')"
        " RETURNING id",
        UUID(pid),
    )
    mid = await pool.fetchval(
        "INSERT INTO mentorships (programme_id, mentee_id, mentor_id, source, round_id)"
        " VALUES ($1, $2, $3, 'round', $4) RETURNING id",
        UUID(pid),
        ids["ana"],
        ids["mo"],
        round_id,
    )
    await pool.execute("UPDATE people SET email_verified_at = NULL WHERE id = $1", ids["ana"])
    async with pool.acquire() as conn:
        assert await intro_repo.mentorships_to_introduce(conn, round_id) == []
    await pool.execute("UPDATE people SET email_verified_at = now() WHERE id = $1", ids["ana"])
    async with pool.acquire() as conn:
        assert await intro_repo.mentorships_to_introduce(conn, round_id) == [mid]


async def test_a_new_address_must_be_verified_again(client, pool, settings):
    await sign_up_and_login(client, email="ana@example.org")
    first = await link_of(pool, settings, "ana@example.org")
    # Changed before verifying: the link sent to the old address no longer works.
    r = await client.patch("/api/v1/me", json={"email": "ana.new@example.org"})
    assert r.status_code == 200 and r.json()["email_verified"] is False
    refused = await post_form(client, f"/verify/{first}")
    assert refused.status_code == 410 and "no longer uses" in refused.text
    r = await post_form(client, "/verify/" + await link_of(pool, settings, "ana.new@example.org"))
    assert r.status_code == 200
    assert (await client.get("/api/v1/me")).json()["email_verified"] is True

    # Only the case changed: the same address, still verified, nothing sent.
    emails = await pool.fetchval("SELECT count(*) FROM outbox")
    r = await client.patch("/api/v1/me", json={"email": "Ana.New@example.org"})
    assert r.status_code == 200 and r.json()["email_verified"] is True
    assert await pool.fetchval("SELECT count(*) FROM outbox") == emails

    # Through the edit form too: unverified, and a link to the new address is queued.
    page = await client.get("/me/edit")
    form = {**FORM, "email": "ana.third@example.org", "csrf_token": csrf_from(page.text)}
    del form["password"]
    r = await client.post("/me/edit", data=form)
    assert r.status_code == 303, r.text
    me = (await client.get("/api/v1/me")).json()
    assert me["email"] == "ana.third@example.org" and me["email_verified"] is False
    queued = await pool.fetchval(
        "SELECT count(*) FROM outbox o JOIN email_links l ON l.id::text = o.subject_id"
        " WHERE o.kind = 'verify_email' AND l.email = 'ana.third@example.org'"
    )
    assert queued == 1


async def test_the_link_can_be_resent_three_times_an_hour(client, pool, settings):
    me = await sign_up_and_login(client, email="ana@example.org")
    for _ in range(RESEND_LIMIT):
        r = await client.post("/api/v1/me/verification")
        assert r.status_code == 202, r.text
        assert r.json()["email"] == "ana@example.org"
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 1 + RESEND_LIMIT
    refused = await client.post("/api/v1/me/verification")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 1 + RESEND_LIMIT
    # The button on the profile page says so too.
    r = await post_form(client, "/me/verification")
    assert r.status_code == 429 and "3 times in the last hour" in r.text
    # An hour later it can be sent again.
    await pool.execute("UPDATE rate_limit_hits SET at = at - interval '1 hour'")
    r = await post_form(client, "/me/verification")
    assert r.status_code == 303 and r.headers["location"] == "/me?verification=sent"
    assert "We have sent a new link" in (await client.get(r.headers["location"])).text

    # Every link sent works (until one is used); then there is nothing to resend.
    await post_form(client, "/verify/" + await link_of(pool, settings, "ana@example.org"))
    r = await client.post("/api/v1/me/verification")
    assert r.status_code == 409
    assert await pool.fetchval(
        "SELECT email_verified_at IS NOT NULL FROM people WHERE id = $1", UUID(me["id"])
    )


async def test_the_profile_page_says_when_the_address_is_not_verified(client, pool, settings):
    await sign_up_and_login(client, email="ana@example.org")
    page = await client.get("/me")
    assert "Your email address is not verified yet" in page.text
    assert 'action="/me/verification"' in page.text and "Send the link again" in page.text
    await post_form(client, "/verify/" + await link_of(pool, settings, "ana@example.org"))
    page = await client.get("/me")
    assert "not verified" not in page.text and 'action="/me/verification"' not in page.text


async def test_demo_people_are_verified(app, pool):
    services = app.state.services
    await seed_demo(pool, services.taxonomy, services.passwords, mentees=4, mentors=2)
    assert await pool.fetchval("SELECT bool_and(email_verified_at IS NOT NULL) FROM people")
