"""Login, logout and the session behind each request."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import asyncpg
from starlette.requests import Request

from service.auth import repository as repo
from service.errors import RateLimited, Unauthorized
from service.people import repository as people_repo
from service.security import Passwords, new_token, token_hash

SESSION_COOKIE = "kickoff_session"
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES = 10


@dataclass(frozen=True)
class Auth:
    """The authenticated caller of a request."""

    person_id: UUID
    token: str


async def log_in(
    pool: asyncpg.Pool,
    passwords: Passwords,
    email: str,
    password: str,
    *,
    ip: str,
    user_agent: str,
    lifetime: timedelta,
) -> Auth:
    """Check credentials (throttled per email and per IP) and open a session."""
    by_email, by_ip = await repo.recent_failures(pool, email, ip, FAILURE_WINDOW)
    if by_email >= MAX_FAILURES or by_ip >= MAX_FAILURES:
        raise RateLimited(
            "too many failed logins; wait 15 minutes and try again",
            retry_after=int(FAILURE_WINDOW.total_seconds()),
        )
    creds = await people_repo.find_credentials(pool, email)
    ok = await asyncio.to_thread(passwords.verify, creds[1] if creds else None, password)
    if not ok or creds is None:
        await repo.record_failure(pool, email, ip)
        raise Unauthorized("the email or password is not right")
    token = new_token()
    async with pool.acquire() as conn, conn.transaction():
        await repo.create_session(conn, token_hash(token), creds[0], lifetime, user_agent, ip)
        await repo.clear_failures(conn, email)
    return Auth(creds[0], token)


async def log_out(pool: asyncpg.Pool, token: str) -> None:
    """Revoke the session behind ``token``."""
    await repo.delete_session(pool, token_hash(token))


def request_token(request: Request) -> str | None:
    """The session token from the cookie or an ``Authorization: Bearer`` header."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE) or None


async def current(request: Request) -> Auth | None:
    """The caller's live session, or None."""
    token = request_token(request)
    if not token:
        return None
    session = await repo.live_session(request.app.state.pool, token_hash(token))
    return None if session is None else Auth(session.person_id, token)


async def require(request: Request) -> Auth:
    """The caller's live session, or 401."""
    auth = await current(request)
    if auth is None:
        raise Unauthorized("log in first")
    return auth


def set_session_cookie(response: object, request: Request, token: str) -> None:
    """HttpOnly, SameSite=Lax, Secure when the site is https."""
    settings = request.app.state.settings
    response.set_cookie(  # type: ignore[attr-defined]
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def clear_session_cookie(response: object, request: Request) -> None:
    """Remove the session cookie from the browser."""
    settings = request.app.state.settings
    response.delete_cookie(  # type: ignore[attr-defined]
        SESSION_COOKIE, httponly=True, samesite="lax", secure=settings.secure_cookies, path="/"
    )


def client_ip(request: Request) -> str:
    """The peer address (uvicorn applies trusted proxy headers before we see it)."""
    return request.client.host if request.client else "unknown"
