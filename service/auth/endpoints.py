"""POST /api/v1/auth/login and /auth/logout."""

from __future__ import annotations

from datetime import timedelta

from starlette.responses import Response

from service.auth import service
from service.auth.schemas import LoginIn, LoginOut
from service.kit.api import ANYONE, PERSON, ApiRouter, Call, respond
from service.kit.sessions import clear_session_cookie, client_ip, set_session_cookie, user_agent

router = ApiRouter(tag="auth")


@router.route(
    "/auth/login",
    "POST",
    summary="Log in; sets the session cookie and returns a bearer token",
    access=ANYONE,
    body=LoginIn,
    response=LoginOut,
    errors=(400, 401, 415, 422, 429),
)
async def login(call: Call) -> Response:
    """Open a session for valid credentials."""
    body = call.body(LoginIn)
    found = call.services
    caller = await service.log_in(
        found.pool,
        found.passwords,
        body.email,
        body.password,
        ip=client_ip(call.request),
        user_agent=user_agent(call.request),
        lifetime=timedelta(days=found.settings.session_days),
    )
    response = respond(LoginOut(person_id=caller.person_id, token=caller.token))
    set_session_cookie(response, found.settings, caller.token)
    return response


@router.route(
    "/auth/logout",
    "POST",
    summary="Revoke the current session",
    access=PERSON,
    status=204,
    errors=(401,),
)
async def logout(call: Call) -> Response:
    """Revoke the caller's session and clear the cookie."""
    async with call.transaction() as conn:
        await service.log_out(conn, call.caller.token)
    response = Response(status_code=204)
    clear_session_cookie(response, call.services.settings)
    return response
