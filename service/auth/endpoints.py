"""POST /api/v1/auth/login and /auth/logout."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from service.api import ApiRouter, respond
from service.auth import service
from service.auth.schemas import LoginIn, LoginOut

router = ApiRouter(tag="auth")


@router.route(
    "/auth/login",
    "POST",
    summary="Log in; sets the session cookie and returns a bearer token",
    body=LoginIn,
    response=LoginOut,
    errors=(400, 401, 415, 422, 429),
)
async def login(request: Request, body: LoginIn) -> Response:
    """Open a session for valid credentials."""
    state = request.app.state
    auth = await service.log_in(
        state.pool,
        state.passwords,
        body.email,
        body.password,
        ip=service.client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
        lifetime=timedelta(days=state.settings.session_days),
    )
    response = respond(LoginOut(person_id=auth.person_id, token=auth.token))
    service.set_session_cookie(response, request, auth.token)
    return response


@router.route(
    "/auth/logout",
    "POST",
    summary="Revoke the current session",
    status=204,
    auth=True,
    errors=(401,),
)
async def logout(request: Request) -> Response:
    """Revoke the caller's session and clear the cookie."""
    auth = await service.require(request)
    await service.log_out(request.app.state.pool, auth.token)
    response = Response(status_code=204)
    service.clear_session_cookie(response, request)
    return response
