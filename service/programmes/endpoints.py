"""Programmes, organisers, membership and mentee requests under /api/v1/programmes."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, TypeAdapter
from starlette.requests import Request
from starlette.responses import Response

from service.api import ApiRouter, parse_query, path_id, respond
from service.auth import service as auth
from service.programmes import service
from service.programmes.schemas import (
    MemberList,
    MembershipOut,
    MentorshipList,
    MentorshipOut,
    OrganiserIn,
    PersonRef,
    ProgrammeIn,
    ProgrammeList,
    ProgrammeOut,
    ProgrammePatch,
    RequestIn,
)

router = ApiRouter(tag="programmes")
_LIMIT = TypeAdapter(Annotated[int, Field(ge=1, le=1000)])
_OFFSET = TypeAdapter(Annotated[int, Field(ge=0)])


@router.route(
    "/programmes",
    "POST",
    summary="Create a programme (site admins)",
    body=ProgrammeIn,
    response=ProgrammeOut,
    status=201,
    auth=True,
    errors=(400, 401, 403, 413, 415, 422),
)
async def create_programme(request: Request, body: ProgrammeIn) -> Response:
    """Create a programme with its matching settings."""
    caller = await auth.require(request)
    out = await service.create_programme(request.app.state.pool, caller.person_id, body)
    return respond(out, 201)


@router.route(
    "/programmes",
    "GET",
    summary="List programmes with their member counts",
    response=ProgrammeList,
    auth=True,
    errors=(401,),
)
async def list_programmes(request: Request) -> Response:
    """Every programme."""
    await auth.require(request)
    return respond(await service.list_programmes(request.app.state.pool))


@router.route(
    "/programmes/{id}",
    "GET",
    summary="One programme with its settings and organisers",
    response=ProgrammeOut,
    auth=True,
    errors=(401, 404),
)
async def get_programme(request: Request) -> Response:
    """One programme."""
    caller = await auth.require(request)
    programme_id = path_id(request, what="programme")
    out = await service.get_programme(request.app.state.pool, caller.person_id, programme_id)
    return respond(out)


@router.route(
    "/programmes/{id}",
    "PATCH",
    summary="Edit a programme (its organisers and site admins); only the fields sent change",
    body=ProgrammePatch,
    response=ProgrammeOut,
    auth=True,
    errors=(400, 401, 403, 404, 413, 415, 422),
)
async def patch_programme(request: Request, body: ProgrammePatch) -> Response:
    """Change a programme's name, description or settings."""
    caller = await auth.require(request)
    programme_id = path_id(request, what="programme")
    out = await service.update_programme(
        request.app.state.pool, caller.person_id, programme_id, body
    )
    return respond(out)


@router.route(
    "/programmes/{id}/organisers",
    "POST",
    summary="Appoint an organiser by person_id or email (site admins)",
    body=OrganiserIn,
    response=PersonRef,
    status=201,
    auth=True,
    errors=(400, 401, 403, 404, 413, 415, 422),
)
async def appoint_organiser(request: Request, body: OrganiserIn) -> Response:
    """Appoint an organiser; 201 when new, 200 when they already were one."""
    caller = await auth.require(request)
    programme_id = path_id(request, what="programme")
    ref, added = await service.appoint_organiser(
        request.app.state.pool, caller.person_id, programme_id, body
    )
    return respond(ref, 201 if added else 200)


@router.route(
    "/programmes/{id}/join",
    "POST",
    summary="Join a programme as a member (needs consent_to_match)",
    response=MembershipOut,
    status=201,
    auth=True,
    errors=(401, 404, 422),
)
async def join_programme(request: Request) -> Response:
    """Join; 201 when new, 200 when already a member."""
    caller = await auth.require(request)
    programme_id = path_id(request, what="programme")
    out, new = await service.join(request.app.state.pool, caller.person_id, programme_id)
    return respond(out, 201 if new else 200)


@router.route(
    "/programmes/{id}/leave",
    "POST",
    summary="Leave a programme; my pending and active mentorships in it end",
    status=204,
    auth=True,
    errors=(401, 404),
)
async def leave_programme(request: Request) -> Response:
    """Leave (a no-op when not a member)."""
    caller = await auth.require(request)
    programme_id = path_id(request, what="programme")
    await service.leave(request.app.state.pool, caller.person_id, programme_id)
    return Response(status_code=204)


@router.route(
    "/programmes/{id}/members",
    "GET",
    summary="A programme's members, without contact details (its organisers and site admins)",
    response=MemberList,
    auth=True,
    errors=(401, 403, 404, 422),
    query=(
        ("limit", "integer", "members per page, 1-1000 (default 100)"),
        ("offset", "integer", "members to skip (default 0)"),
    ),
)
async def list_members(request: Request) -> Response:
    """A page of members in joining order."""
    caller = await auth.require(request)
    programme_id = path_id(request, what="programme")
    limit = parse_query(request, "limit", _LIMIT, 100)
    offset = parse_query(request, "offset", _OFFSET, 0)
    out = await service.members(
        request.app.state.pool, caller.person_id, programme_id, limit, offset
    )
    return respond(out)


@router.route(
    "/programmes/{id}/requests",
    "POST",
    summary="Ask a mentor of the programme to mentor me; 409 when they are full",
    body=RequestIn,
    response=MentorshipOut,
    status=201,
    auth=True,
    errors=(400, 401, 403, 404, 409, 413, 415, 422),
)
async def request_mentor(request: Request, body: RequestIn) -> Response:
    """Reserve a place with the mentor (pending until they accept)."""
    caller = await auth.require(request)
    programme_id = path_id(request, what="programme")
    out = await service.request_mentor(
        request.app.state.pool, caller.person_id, programme_id, body.mentor_id
    )
    return respond(out, 201)


@router.route(
    "/me/mentorships",
    "GET",
    summary="My mentorships, as mentee and as mentor",
    response=MentorshipList,
    auth=True,
    errors=(401,),
)
async def my_mentorships(request: Request) -> Response:
    """The caller's mentorships with the other person's name and headline."""
    caller = await auth.require(request)
    return respond(await service.my_mentorships(request.app.state.pool, caller.person_id))
