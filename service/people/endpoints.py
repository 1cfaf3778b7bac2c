"""The caller's own profile: /api/v1/me (sign-up and edits are service/accounts' operations:
they send verification links)."""

from __future__ import annotations

from starlette.responses import Response

from service.errors import Unauthorized
from service.kit.api import PERSON, ApiRouter, Call, respond
from service.kit.sessions import clear_session_cookie
from service.people import repository, service
from service.people.schemas import ExportOut, ProfileOut

router = ApiRouter(tag="people")


@router.route("/me", "GET", summary="My profile", access=PERSON, response=ProfileOut, errors=(401,))
async def get_me(call: Call) -> Response:
    """The caller's profile."""
    async with call.transaction(readonly=True) as conn:
        person = await repository.get_person(conn, call.caller.person_id)
    if person is None:
        raise Unauthorized("log in first")
    return respond(service.profile_out(person, call.services.taxonomy))


@router.route(
    "/me/export",
    "GET",
    summary="Everything stored about me, as JSON",
    access=PERSON,
    response=ExportOut,
    errors=(401,),
)
async def export_me(call: Call) -> Response:
    """A download of the caller's data."""
    async with call.transaction(readonly=True) as conn:
        data = await service.export(conn, call.services.taxonomy, call.caller.person_id)
    response = respond(data)
    response.headers["Content-Disposition"] = 'attachment; filename="kickoff-export.json"'
    return response


@router.route(
    "/me",
    "DELETE",
    summary="Erase me and everything personal; revokes all sessions",
    access=PERSON,
    status=204,
    errors=(401,),
)
async def delete_me(call: Call) -> Response:
    """Erase the caller."""
    async with call.transaction() as conn:
        await service.erase(conn, call.caller.person_id)
    response = Response(status_code=204)
    clear_session_cookie(response, call.services.settings)
    return response
