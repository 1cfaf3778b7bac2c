"""Sign-up and the caller's own profile: /api/v1/people and /api/v1/me."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from service.api import ApiRouter, respond
from service.auth import service as auth
from service.errors import Unauthorized
from service.people import repository, service
from service.people.schemas import ExportOut, ProfileOut, ProfilePatch, SignupIn

router = ApiRouter(tag="people")


@router.route(
    "/people",
    "POST",
    summary="Sign up as a mentee, a mentor or both",
    body=SignupIn,
    response=ProfileOut,
    status=201,
    errors=(400, 409, 413, 415, 422),
)
async def sign_up(request: Request, body: SignupIn) -> Response:
    """Create an account and its profile."""
    state = request.app.state
    person = await service.sign_up(state.pool, state.taxonomy, state.passwords, body)
    return respond(service.profile_out(person, state.taxonomy), 201)


@router.route("/me", "GET", summary="My profile", response=ProfileOut, auth=True, errors=(401,))
async def get_me(request: Request) -> Response:
    """The caller's profile."""
    caller = await auth.require(request)
    state = request.app.state
    person = await repository.get_person(state.pool, caller.person_id)
    if person is None:
        raise Unauthorized("log in first")
    return respond(service.profile_out(person, state.taxonomy))


@router.route(
    "/me",
    "PATCH",
    summary="Edit my profile (only the fields sent change)",
    body=ProfilePatch,
    response=ProfileOut,
    auth=True,
    errors=(400, 401, 409, 413, 415, 422),
)
async def patch_me(request: Request, body: ProfilePatch) -> Response:
    """Apply a partial edit to the caller's profile."""
    caller = await auth.require(request)
    state = request.app.state
    person = await service.update_profile(state.pool, state.taxonomy, caller.person_id, body)
    return respond(service.profile_out(person, state.taxonomy))


@router.route(
    "/me/export",
    "GET",
    summary="Everything stored about me, as JSON",
    response=ExportOut,
    auth=True,
    errors=(401,),
)
async def export_me(request: Request) -> Response:
    """A download of the caller's data."""
    caller = await auth.require(request)
    state = request.app.state
    data = await service.export(state.pool, state.taxonomy, caller.person_id)
    response = respond(data)
    response.headers["Content-Disposition"] = 'attachment; filename="kickoff-export.json"'
    return response


@router.route(
    "/me",
    "DELETE",
    summary="Erase me and everything personal; revokes all sessions",
    status=204,
    auth=True,
    errors=(401,),
)
async def delete_me(request: Request) -> Response:
    """Erase the caller."""
    caller = await auth.require(request)
    await service.erase(request.app.state.pool, caller.person_id)
    response = Response(status_code=204)
    auth.clear_session_cookie(response, request)
    return response
