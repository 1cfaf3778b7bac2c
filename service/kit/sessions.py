"""Where a request carries its session: the cookie or a bearer token."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

from service.settings import Settings

SESSION_COOKIE = "kickoff_session"
#: Where a request keeps who is asking once looked up (pages render it as the menu).
CALLER_KEY = "kickoff.caller"
#: Where a request keeps the caller's roles beyond a person's ("organiser", "admin"), for the
#: menu's own entries.
ROLES_KEY = "kickoff.roles"


def request_token(conn: HTTPConnection) -> str | None:
    """The session token from the cookie or an ``Authorization: Bearer`` header."""
    header = conn.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return conn.cookies.get(SESSION_COOKIE) or None


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    """HttpOnly, SameSite=Lax, Secure when the site is https."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    """Remove the session cookie from the browser."""
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=settings.secure_cookies, path="/"
    )


def client_ip(conn: HTTPConnection) -> str:
    """The peer address (uvicorn applies trusted proxy headers before we see it)."""
    return conn.client.host if conn.client else "unknown"


def user_agent(conn: HTTPConnection) -> str:
    """The browser's User-Agent, as sessions record it."""
    return conn.headers.get("user-agent", "")
