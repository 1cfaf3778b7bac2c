"""Associations, their admins, members, API keys and programme requests under /api/v1."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import StringConstraints, TypeAdapter
from starlette.responses import Response

from service.associations import keys, members, requests, service
from service.associations.repository import Filters, MemberFilters
from service.associations.schemas import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyList,
    AssociationIn,
    AssociationList,
    AssociationMemberList,
    AssociationMemberOut,
    AssociationOut,
    AssociationPatch,
    Country,
    Kind,
    Language,
    MembershipIn,
    MyMembershipList,
    MyMembershipOut,
    ProgrammeRequestIn,
    ProgrammeRequestList,
    ProgrammeRequestOut,
    RequestStatus,
    Source,
    Status,
)
from service.kit.api import PERSON, SITE_ADMIN, ApiRouter, Call, association_admin, respond
from service.kit.schemas import PAGE_QUERY
from service.programmes.schemas import OrganiserIn, PersonRef

router = ApiRouter(tag="associations")
#: Operations an association's API keys may not call: keys and programmes need a person.
PEOPLE_ONLY = association_admin(keys=False)
ADMINS = association_admin()

_Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
KIND = TypeAdapter(Kind | None)
COUNTRY = TypeAdapter(Country | None)
LANGUAGE = TypeAdapter(Language | None)
ONLINE = TypeAdapter(bool | None)
TEXT = TypeAdapter(_Short | None)
STATUS = TypeAdapter(Status | None)
SOURCE = TypeAdapter(Source | None)
REQUEST_STATUS = TypeAdapter(RequestStatus | None)
LIST_QUERY = (
    ("kind", "string", "chapter, local_group, university, online_community or nonprofit"),
    ("country", "string", "ISO 3166-1 alpha-2"),
    ("online", "boolean", "true: only those that meet online; false: only those that do not"),
    ("language", "string", "ISO 639-1 code"),
    ("tag", "string", "a focus tag, as typed (normalised like profile tags)"),
    *PAGE_QUERY,
)
MEMBER_QUERY = (
    ("status", "string", "requested, invited, active or ended"),
    ("source", "string", "import, self_declared or invitation"),
    ("q", "string", "part of a name or member reference"),
    *PAGE_QUERY,
)


@router.route(
    "/associations",
    "POST",
    summary="Create an association (site admins)",
    access=SITE_ADMIN,
    body=AssociationIn,
    response=AssociationOut,
    status=201,
    errors=(400, 401, 403, 413, 415, 422),
)
async def create_association(call: Call) -> Response:
    """Create an association; its focus tags are normalised through the taxonomy."""
    taxonomy = call.services.taxonomy
    async with call.transaction() as conn:
        out = await service.create_association(
            conn, taxonomy, call.caller.person_id, call.body(AssociationIn)
        )
    return respond(out, 201)


@router.route(
    "/associations",
    "GET",
    summary="Associations by name, filtered by kind, country, online, language or focus tag",
    access=PERSON,
    response=AssociationList,
    errors=(401, 422),
    query=LIST_QUERY,
)
async def list_associations(call: Call) -> Response:
    """A page of associations."""
    filters = Filters(
        kind=call.query("kind", KIND, None),
        country=call.query("country", COUNTRY, None) or None,
        online=call.query("online", ONLINE, None),
        language=call.query("language", LANGUAGE, None),
        tag=call.query("tag", TEXT, None),
    )
    limit, offset = call.page()
    async with call.transaction(readonly=True) as conn:
        out = await service.list_associations(
            conn, call.services.taxonomy, call.caller.person_id, filters, limit, offset
        )
    return respond(out)


@router.route(
    "/associations/{id}",
    "GET",
    summary="One association with its admins and active member count",
    access=PERSON,
    response=AssociationOut,
    errors=(401, 404),
)
async def get_association(call: Call) -> Response:
    """One association."""
    association_id = call.path_id("association")
    async with call.transaction(readonly=True) as conn:
        out = await service.get_association(
            conn, call.services.taxonomy, call.caller.person_id, association_id
        )
    return respond(out)


@router.route(
    "/associations/{id}",
    "PATCH",
    summary="Edit an association (its admins, its API keys and site admins); only the fields"
    " sent change",
    access=ADMINS,
    body=AssociationPatch,
    response=AssociationOut,
    errors=(400, 401, 403, 404, 413, 415, 422),
)
async def patch_association(call: Call) -> Response:
    """Change an association's details."""
    association_id = call.path_id("association")
    async with call.transaction() as conn:
        out = await service.update_association(
            conn, call.services.taxonomy, call.person, association_id, call.body(AssociationPatch)
        )
    return respond(out)


@router.route(
    "/associations/{id}/admins",
    "POST",
    summary="Appoint an association admin by person_id or email (site admins)",
    access=SITE_ADMIN,
    body=OrganiserIn,
    response=PersonRef,
    status=201,
    errors=(400, 401, 403, 404, 413, 415, 422),
)
async def appoint_admin(call: Call) -> Response:
    """Appoint an admin; 201 when new, 200 when they already were one."""
    association_id = call.path_id("association")
    async with call.transaction() as conn:
        ref, added = await service.appoint_admin(conn, association_id, call.body(OrganiserIn))
    return respond(ref, 201 if added else 200)


@router.route(
    "/associations/{id}/admins/{person_id}",
    "DELETE",
    summary="Withdraw an association admin (site admins); their membership, if any, stays",
    access=SITE_ADMIN,
    status=204,
    errors=(401, 403, 404),
)
async def remove_admin(call: Call) -> Response:
    """Withdraw an admin; 204 whether or not they were one."""
    association_id = call.path_id("association")
    person_id = call.path_id("person", "person_id")
    async with call.transaction() as conn:
        await service.remove_admin(conn, association_id, person_id)
    return Response(status_code=204)


def _key_of(call: Call) -> UUID | None:
    """The association of the API key calling, if a key calls."""
    return None if call.key is None else call.key.association_id


@router.route(
    "/associations/{id}/members",
    "GET",
    summary="The association's members by name (its admins, its API keys and site admins);"
    " emails only of members it imported, and only to its own admins and keys",
    access=ADMINS,
    response=AssociationMemberList,
    errors=(401, 403, 404, 422),
    query=MEMBER_QUERY,
)
async def list_members(call: Call) -> Response:
    """A page of members, filtered by status, source and a name."""
    association_id = call.path_id("association")
    filters = MemberFilters(
        status=call.query("status", STATUS, None),
        source=call.query("source", SOURCE, None),
        search=call.query("q", TEXT, None),
    )
    limit, offset = call.page()
    async with call.transaction(readonly=True) as conn:
        emails = await members.sees_emails(conn, association_id, call.person, _key_of(call))
        out = await members.member_list(
            conn, association_id, filters, with_emails=emails, limit=limit, offset=offset
        )
    return respond(out)


@router.route(
    "/associations/{id}/members/{person_id}/confirm",
    "POST",
    summary="Confirm a person's request to be a member (its admins, keys and site admins)",
    access=ADMINS,
    response=AssociationMemberOut,
    errors=(401, 403, 404, 409),
)
async def confirm_member(call: Call) -> Response:
    """requested -> active; an active membership stays as it is."""
    association_id = call.path_id("association")
    person_id = call.path_id("person", "person_id")
    async with call.transaction() as conn:
        emails = await members.sees_emails(conn, association_id, call.person, _key_of(call))
        out = await members.confirm(conn, association_id, person_id, with_emails=emails)
    return respond(out)


@router.route(
    "/associations/{id}/members/{person_id}/end",
    "POST",
    summary="End a membership or refuse a request (its admins, keys and site admins)",
    access=ADMINS,
    response=AssociationMemberOut,
    errors=(401, 403, 404),
)
async def end_member(call: Call) -> Response:
    """Any status -> ended (the person can ask again)."""
    association_id = call.path_id("association")
    person_id = call.path_id("person", "person_id")
    async with call.transaction() as conn:
        emails = await members.sees_emails(conn, association_id, call.person, _key_of(call))
        out = await members.end(conn, association_id, person_id, with_emails=emails)
    return respond(out)


@router.route(
    "/associations/{id}/keys",
    "POST",
    summary="Create an API key of the association (its admins, logged in); the key is in this"
    " answer only",
    access=PEOPLE_ONLY,
    body=ApiKeyIn,
    response=ApiKeyCreated,
    status=201,
    errors=(400, 401, 403, 404, 413, 415, 422),
)
async def create_key(call: Call) -> Response:
    """A new key, shown once; only its SHA-256 is kept."""
    association_id = call.path_id("association")
    async with call.transaction() as conn:
        out = await keys.create_key(
            conn, association_id, call.body(ApiKeyIn).name, call.caller.person_id
        )
    return respond(out, 201)


@router.route(
    "/associations/{id}/keys",
    "GET",
    summary="The association's API keys: name, prefix, created, last used, revoked (never the key)",
    access=PEOPLE_ONLY,
    response=ApiKeyList,
    errors=(401, 403, 404),
)
async def list_keys(call: Call) -> Response:
    """Its keys, newest first."""
    association_id = call.path_id("association")
    async with call.transaction(readonly=True) as conn:
        return respond(await keys.list_keys(conn, association_id))


@router.route(
    "/associations/{id}/keys/{key_id}",
    "DELETE",
    summary="Revoke an API key of the association at once (its admins, logged in)",
    access=PEOPLE_ONLY,
    status=204,
    errors=(401, 403, 404),
)
async def revoke_key(call: Call) -> Response:
    """Revoke; a revoked key answers 401 from then on."""
    association_id = call.path_id("association")
    key_id = call.path_id("API key", "key_id")
    async with call.transaction() as conn:
        await keys.revoke_key(conn, association_id, key_id)
    return Response(status_code=204)


@router.route(
    "/associations/{id}/programme-requests",
    "POST",
    summary="Ask the site admins for a programme for the association (its admins, logged in)",
    access=PEOPLE_ONLY,
    body=ProgrammeRequestIn,
    response=ProgrammeRequestOut,
    status=201,
    errors=(400, 401, 403, 404, 413, 415, 422),
)
async def ask_for_programme(call: Call) -> Response:
    """A pending request: a site admin creates the programme, with the asker as organiser."""
    association_id = call.path_id("association")
    async with call.transaction() as conn:
        out = await requests.ask(
            conn, association_id, call.caller.person_id, call.body(ProgrammeRequestIn)
        )
    return respond(out, 201)


@router.route(
    "/associations/{id}/programme-requests",
    "GET",
    summary="The association's programme requests and what became of them",
    access=ADMINS,
    response=ProgrammeRequestList,
    errors=(401, 403, 404),
)
async def association_requests(call: Call) -> Response:
    """Its requests, oldest first."""
    association_id = call.path_id("association")
    async with call.transaction(readonly=True) as conn:
        return respond(await requests.of_association(conn, association_id))


@router.route(
    "/programme-requests",
    "GET",
    summary="Programme requests of every association (site admins)",
    access=SITE_ADMIN,
    response=ProgrammeRequestList,
    errors=(401, 403, 422),
    query=(("status", "string", "pending, created or declined"),),
)
async def all_requests(call: Call) -> Response:
    """Every request (in one status), oldest first."""
    status = call.query("status", REQUEST_STATUS, None)
    async with call.transaction(readonly=True) as conn:
        return respond(await requests.listed(conn, status))


@router.route(
    "/programme-requests/{id}/approve",
    "POST",
    summary="Create the programme asked for: the association's, its requester an organiser"
    " (site admins); 409 once decided",
    access=SITE_ADMIN,
    response=ProgrammeRequestOut,
    errors=(401, 403, 404, 409),
)
async def approve_request(call: Call) -> Response:
    """Create the programme (default settings) and record the decision."""
    request_id = call.path_id("programme request")
    async with call.transaction() as conn:
        return respond(await requests.approve(conn, request_id, call.caller.person_id))


@router.route(
    "/programme-requests/{id}/decline",
    "POST",
    summary="Decline a programme request (site admins); 409 once decided",
    access=SITE_ADMIN,
    response=ProgrammeRequestOut,
    errors=(401, 403, 404, 409),
)
async def decline_request(call: Call) -> Response:
    """Record the refusal (the request is kept, declined)."""
    request_id = call.path_id("programme request")
    async with call.transaction() as conn:
        return respond(await requests.decline(conn, request_id, call.caller.person_id))


@router.route(
    "/me/associations",
    "GET",
    summary="My memberships of associations",
    access=PERSON,
    response=MyMembershipList,
    errors=(401,),
)
async def my_associations(call: Call) -> Response:
    """Mine, by association name."""
    async with call.transaction(readonly=True) as conn:
        return respond(await members.mine(conn, call.caller.person_id))


@router.route(
    "/me/associations",
    "POST",
    summary="Say I belong to an association: a request it confirms (status requested)",
    access=PERSON,
    body=MembershipIn,
    response=MyMembershipOut,
    status=201,
    errors=(400, 401, 413, 415, 422),
)
async def declare_membership(call: Call) -> Response:
    """201 for a new request; 200 when I already was a member or had asked."""
    async with call.transaction() as conn:
        out, new = await members.declare(conn, call.caller.person_id, call.body(MembershipIn))
    return respond(out, 201 if new else 200)


@router.route(
    "/me/associations/{id}",
    "DELETE",
    summary="Leave an association: a request not yet confirmed is withdrawn, a membership ends",
    access=PERSON,
    status=204,
    errors=(401, 404),
)
async def leave_association(call: Call) -> Response:
    """Withdraw or end my membership."""
    association_id = call.path_id("association")
    async with call.transaction() as conn:
        await members.withdraw(conn, call.caller.person_id, association_id)
    return Response(status_code=204)
