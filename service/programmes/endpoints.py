"""Programmes, organisers, membership and mentee requests under /api/v1/programmes."""

from __future__ import annotations

from pydantic import TypeAdapter
from starlette.responses import Response

from service.kit.api import PERSON, SITE_ADMIN, ApiRouter, Call, model_query, organiser, respond
from service.kit.schemas import PAGE_QUERY
from service.programmes import membership, roster, service
from service.programmes.schemas import (
    InvitationOut,
    JoinIn,
    MemberFilter,
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
ORGANISED = TypeAdapter(bool)


@router.route(
    "/programmes",
    "POST",
    summary="Create a programme (site admins)",
    access=SITE_ADMIN,
    body=ProgrammeIn,
    response=ProgrammeOut,
    status=201,
    errors=(400, 401, 403, 413, 415, 422),
)
async def create_programme(call: Call) -> Response:
    """Create a programme with its matching settings."""
    async with call.transaction() as conn:
        out = await service.create_programme(conn, call.caller.person_id, call.body(ProgrammeIn))
    return respond(out, 201)


@router.route(
    "/programmes",
    "GET",
    summary="Programmes I may see (open ones, and those I belong to or organise), with their"
    " member counts, open mentor places and organisers, and for those I may organise their last"
    " round; organised=true: only those I am appointed to organise (site admins too)",
    access=PERSON,
    response=ProgrammeList,
    errors=(401, 422),
    query=(("organised", "boolean", "true: only the programmes I organise"),),
)
async def list_programmes(call: Call) -> Response:
    """Open programmes, mine and those I organise (site admins: every programme)."""
    organised = call.query("organised", ORGANISED, False)
    async with call.transaction(readonly=True) as conn:
        out = await service.list_programmes(conn, call.caller.person_id, organised=organised)
    return respond(out)


@router.route(
    "/programmes/{id}",
    "GET",
    summary="One programme with its settings and organisers (its invitation code for organisers)",
    access=PERSON,
    response=ProgrammeOut,
    errors=(401, 404),
)
async def get_programme(call: Call) -> Response:
    """One programme."""
    programme_id = call.path_id("programme")
    async with call.transaction(readonly=True) as conn:
        return respond(await service.get_programme(conn, call.caller.person_id, programme_id))


@router.route(
    "/programmes/{id}",
    "PATCH",
    summary="Edit a programme (its organisers and site admins); only the fields sent change."
    " Send the version you read: if someone has edited it since, 409 and nothing changes",
    access=organiser(),
    body=ProgrammePatch,
    response=ProgrammeOut,
    errors=(400, 401, 403, 404, 409, 413, 415, 422),
)
async def patch_programme(call: Call) -> Response:
    """Change a programme's name, description or settings."""
    programme_id = call.path_id("programme")
    async with call.transaction() as conn:
        out = await service.update_programme(
            conn, call.caller.person_id, programme_id, call.body(ProgrammePatch)
        )
    return respond(out)


@router.route(
    "/programmes/{id}/invitation",
    "POST",
    summary="Replace the programme's invitation code; the old code and link stop working",
    access=organiser(),
    response=InvitationOut,
    errors=(401, 403, 404),
)
async def new_invitation(call: Call) -> Response:
    """A new random invitation code (the link is BASE_URL/join/{code})."""
    programme_id = call.path_id("programme")
    async with call.transaction() as conn:
        return respond(await service.new_invitation(conn, programme_id))


@router.route(
    "/programmes/{id}/organisers",
    "POST",
    summary="Appoint an organiser by person_id or email (site admins)",
    access=SITE_ADMIN,
    body=OrganiserIn,
    response=PersonRef,
    status=201,
    errors=(400, 401, 403, 404, 413, 415, 422),
)
async def appoint_organiser(call: Call) -> Response:
    """Appoint an organiser; 201 when new, 200 when they already were one."""
    programme_id = call.path_id("programme")
    async with call.transaction() as conn:
        ref, added = await service.appoint_organiser(conn, programme_id, call.body(OrganiserIn))
    return respond(ref, 201 if added else 200)


@router.route(
    "/programmes/{id}/organisers/{person_id}",
    "DELETE",
    summary="Withdraw an organiser (site admins); their membership, if any, stays",
    access=SITE_ADMIN,
    status=204,
    errors=(401, 403, 404),
)
async def remove_organiser(call: Call) -> Response:
    """Withdraw an organiser; 204 whether or not they were one (a repeat changes nothing)."""
    programme_id = call.path_id("programme")
    person_id = call.path_id("person", "person_id")
    async with call.transaction() as conn:
        await service.remove_organiser(conn, programme_id, person_id)
    return Response(status_code=204)


@router.route(
    "/programmes/{id}/join",
    "POST",
    summary="Join a programme as a member (needs consent_to_match; an invitation-only"
    " programme needs its invitation code in the body)",
    access=PERSON,
    body=JoinIn,
    body_required=False,
    response=MembershipOut,
    status=201,
    errors=(400, 401, 403, 404, 413, 415, 422),
)
async def join_programme(call: Call) -> Response:
    """Join; 201 when new, 200 when already a member. No body is needed for open programmes."""
    programme_id = call.path_id("programme")
    body = call.optional_body(JoinIn)
    code = body.code if body is not None else None
    async with call.transaction() as conn:
        out, new = await membership.join(conn, call.caller.person_id, programme_id, code)
    return respond(out, 201 if new else 200)


@router.route(
    "/join/{code}",
    "POST",
    summary="Join the programme whose invitation code this is (needs consent_to_match)",
    access=PERSON,
    response=MembershipOut,
    status=201,
    errors=(401, 404, 422),
)
async def join_by_code(call: Call) -> Response:
    """Join by invitation code; 201 when new, 200 when already a member."""
    code = call.request.path_params["code"]
    async with call.transaction() as conn:
        out, new = await membership.join_by_code(conn, call.caller.person_id, code)
    return respond(out, 201 if new else 200)


@router.route(
    "/programmes/{id}/leave",
    "POST",
    summary="Leave a programme; my pending and active mentorships in it end",
    access=PERSON,
    status=204,
    errors=(401, 404),
)
async def leave_programme(call: Call) -> Response:
    """Leave (a no-op when not a member)."""
    programme_id = call.path_id("programme")
    async with call.transaction() as conn:
        await membership.leave(conn, call.caller.person_id, programme_id)
    return Response(status_code=204)


@router.route(
    "/programmes/{id}/members",
    "GET",
    summary="A programme's members, without contact details (its organisers and site admins),"
    " filtered by role, matched or not, country, timezone band, status and part of the name",
    access=organiser(),
    response=MemberList,
    errors=(401, 403, 404, 422),
    query=(*model_query(MemberFilter), *PAGE_QUERY),
)
async def list_members(call: Call) -> Response:
    """A page of the members the filters keep, in joining order."""
    programme_id = call.path_id("programme")
    filters = call.query_model(MemberFilter)
    limit, offset = call.page()
    async with call.transaction(readonly=True) as conn:
        return respond(await roster.members(conn, programme_id, filters, limit, offset))


@router.route(
    "/programmes/{id}/requests",
    "POST",
    summary="Ask a mentor of the programme to mentor me; 409 when they are full",
    access=PERSON,
    body=RequestIn,
    response=MentorshipOut,
    status=201,
    errors=(400, 401, 403, 404, 409, 413, 415, 422),
)
async def request_mentor(call: Call) -> Response:
    """Reserve a place with the mentor (pending until they accept)."""
    programme_id = call.path_id("programme")
    mentor_id = call.body(RequestIn).mentor_id
    async with call.transaction() as conn:
        out = await service.request_mentor(conn, call.caller.person_id, programme_id, mentor_id)
    return respond(out, 201)


@router.route(
    "/me/mentorships",
    "GET",
    summary="My mentorships, as mentee and as mentor",
    access=PERSON,
    response=MentorshipList,
    errors=(401,),
)
async def my_mentorships(call: Call) -> Response:
    """The caller's mentorships with the other person's name and headline."""
    async with call.transaction(readonly=True) as conn:
        return respond(await service.my_mentorships(conn, call.caller.person_id))
