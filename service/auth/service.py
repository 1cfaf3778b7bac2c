"""Login, logout and the session behind each request."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from urllib.parse import quote
from uuid import UUID

import asyncpg
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from service.auth import repository as repo
from service.errors import RateLimited, Unauthorized
from service.kit.api import Caller
from service.kit.db import Conn, transaction
from service.kit.html import see_other
from service.kit.sessions import CALLER_KEY, request_token
from service.kit.state import services
from service.security import Passwords, new_token, token_hash

FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES = 10


async def log_in(
    pool: asyncpg.Pool,
    passwords: Passwords,
    email: str,
    password: str,
    *,
    ip: str,
    user_agent: str,
    lifetime: timedelta,
) -> Caller:
    """Check credentials (throttled per email and per IP) and open a session.

    The one operation that opens its own transactions: a refused login must be recorded
    (committed) although the request fails, and argon2 runs outside any transaction so it
    holds no connection while it computes.
    """
    async with transaction(pool) as conn:
        by_email, by_ip = await repo.recent_failures(conn, email, ip, FAILURE_WINDOW)
        if by_email >= MAX_FAILURES or by_ip >= MAX_FAILURES:
            raise RateLimited(
                "too many failed logins; wait 15 minutes and try again",
                retry_after=int(FAILURE_WINDOW.total_seconds()),
            )
        creds = await repo.find_credentials(conn, email)
    ok = await asyncio.to_thread(passwords.verify, creds[1] if creds else None, password)
    async with transaction(pool) as conn:
        if not ok or creds is None:
            await repo.record_failure(conn, email, ip)
        else:
            token = await open_session(conn, creds[0], lifetime, user_agent=user_agent, ip=ip)
            await repo.clear_failures(conn, email)
            return Caller(creds[0], token)
    raise Unauthorized("the email or password is not right")


async def open_session(
    conn: Conn, person_id: UUID, lifetime: timedelta, *, user_agent: str, ip: str
) -> str:
    """Store a new session for ``person_id``; returns its token (only its hash is kept)."""
    token = new_token()
    await repo.create_session(conn, token_hash(token), person_id, lifetime, user_agent, ip)
    return token


async def log_out(conn: Conn, token: str) -> None:
    """Revoke the session behind ``token``."""
    await repo.delete_session(conn, token_hash(token))


async def session_caller(conn: Conn, token: str | None) -> Caller | None:
    """The caller behind a session token, if the session is live."""
    if not token:
        return None
    session = await repo.live_session(conn, token_hash(token))
    return None if session is None else Caller(session.person_id, token)


async def current(request: HTTPConnection) -> Caller | None:
    """The caller of a page, if logged in (pages redirect to the login form otherwise).

    Looked up once per request: the page's menu and its handler ask the same question.
    """
    if CALLER_KEY not in request.scope:
        async with transaction(services(request).pool) as conn:
            caller = await session_caller(conn, request_token(request))
        request.scope[CALLER_KEY] = caller
    found = request.scope[CALLER_KEY]
    assert found is None or isinstance(found, Caller)
    return found


PageHandler = Callable[[Request, Caller], Awaitable[Response]]


def logged_in(
    back_to: str | None = None,
) -> Callable[[PageHandler], Callable[[Request], Awaitable[Response]]]:
    """A page for logged-in people: others go to the login form, and come back to ``back_to``
    (the page's own path by default) once logged in."""

    def decorate(handler: PageHandler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def page(request: Request) -> Response:
            caller = await current(request)
            if caller is None:
                return see_other("/login?next=" + quote(back_to or request.url.path))
            return await handler(request, caller)

        return page

    return decorate
