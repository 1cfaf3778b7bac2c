"""Login, logout, sessions, throttling and cookie attributes."""

from __future__ import annotations

import pytest

from service.auth.service import MAX_FAILURES
from service.kit.sessions import SESSION_COOKIE
from tests.conftest import signup_body


async def _account(client):
    body = signup_body()
    assert (await client.post("/api/v1/people", json=body)).status_code == 201
    return body


async def test_login_sets_httponly_lax_cookie_and_returns_token(client, pool):
    body = await _account(client)
    r = await client.post(
        "/api/v1/auth/login",
        json={"email": str(body["email"]).upper(), "password": body["password"]},
    )
    assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # BASE_URL is http in tests
    token = r.json()["token"]
    # Only a hash of the token is stored.
    stored = await pool.fetch("SELECT token_hash FROM sessions")
    assert len(stored) == 1 and token.encode() not in stored[0]["token_hash"]


async def test_secure_cookie_when_base_url_is_https(settings):
    import httpx

    from service.app import create_app

    app = create_app(settings.model_copy(update={"base_url": "https://kickoff.example"}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
            body = signup_body()
            await c.post("/api/v1/people", json=body)
            r = await c.post(
                "/api/v1/auth/login", json={"email": body["email"], "password": body["password"]}
            )
            assert "Secure" in r.headers["set-cookie"]


async def test_wrong_password_and_unknown_email_look_the_same(client):
    body = await _account(client)
    a = await client.post(
        "/api/v1/auth/login", json={"email": body["email"], "password": "not the password"}
    )
    b = await client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.org", "password": "not the password"}
    )
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()


async def test_bearer_token_works_and_logout_revokes_it(client):
    body = await _account(client)
    token = (
        await client.post(
            "/api/v1/auth/login", json={"email": body["email"], "password": body["password"]}
        )
    ).json()["token"]
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 401


async def test_logout_only_revokes_that_session(client):
    body = await _account(client)
    creds = {"email": body["email"], "password": body["password"]}
    first = (await client.post("/api/v1/auth/login", json=creds)).json()["token"]
    second = (await client.post("/api/v1/auth/login", json=creds)).json()["token"]
    await client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {first}"})
    client.cookies.clear()
    assert (
        await client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"})
    ).status_code == 200


async def test_expired_session_is_refused(client, pool):
    body = await _account(client)
    token = (
        await client.post(
            "/api/v1/auth/login", json={"email": body["email"], "password": body["password"]}
        )
    ).json()["token"]
    await pool.execute("UPDATE sessions SET expires_at = now() - interval '1 second'")
    client.cookies.clear()
    assert (
        await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 401


async def test_login_throttled_per_email_after_ten_failures(client):
    body = await _account(client)
    for _ in range(MAX_FAILURES):
        r = await client.post(
            "/api/v1/auth/login", json={"email": body["email"], "password": "wrong wrong wrong"}
        )
        assert r.status_code == 401
    # Even the right password is refused now, so guessing cannot continue.
    r = await client.post(
        "/api/v1/auth/login", json={"email": body["email"], "password": body["password"]}
    )
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) == 900
    assert r.json()["error"]["code"] == "rate_limited"


async def test_throttle_window_is_fifteen_minutes(client, pool):
    body = await _account(client)
    for _ in range(MAX_FAILURES):
        await client.post(
            "/api/v1/auth/login", json={"email": body["email"], "password": "wrong wrong wrong"}
        )
    # Age the failures past the window: logins work again.
    await pool.execute("UPDATE login_failures SET at = now() - interval '16 minutes'")
    r = await client.post(
        "/api/v1/auth/login", json={"email": body["email"], "password": body["password"]}
    )
    assert r.status_code == 200


async def test_login_throttled_per_ip_across_emails(app, client):
    import httpx

    body = await _account(client)
    for i in range(MAX_FAILURES):
        await client.post(
            "/api/v1/auth/login",
            json={"email": f"guess{i}@example.org", "password": "wrong wrong wrong"},
        )
    r = await client.post(
        "/api/v1/auth/login", json={"email": body["email"], "password": body["password"]}
    )
    assert r.status_code == 429
    # Another address is not affected.
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        r = await other.post(
            "/api/v1/auth/login", json={"email": body["email"], "password": body["password"]}
        )
        assert r.status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"email": "a@example.org"},
        {"email": 5, "password": "x"},
        {"email": "a@example.org", "password": ""},
    ],
)
async def test_login_bad_input_is_422(client, payload):
    r = await client.post("/api/v1/auth/login", json=payload)
    assert r.status_code == 422
    assert r.json()["error"]["fields"]


def test_passwords_are_argon2id_with_recommended_cost():
    from service.security import Passwords

    hashed = Passwords().hash("correct horse battery staple")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=1$")
    assert Passwords().verify(hashed, "correct horse battery staple")
    assert not Passwords().verify(hashed, "wrong")
    assert not Passwords().verify(None, "anything")
    assert not Passwords().verify("not a hash", "anything")
