"""Organiser API for matching rounds."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, TypeAdapter
from starlette.requests import Request
from starlette.responses import Response

from service.api import ApiRouter, parse_query, path_id, respond
from service.auth import service as auth
from service.introductions.service import enqueue_emails
from service.queue import job_id
from service.rounds import service
from service.rounds.schemas import MatchPage, OverrideIn, PublishOut, RoundIn, RoundOut

router = ApiRouter(tag="rounds")
_LIMIT = TypeAdapter(Annotated[int, Field(ge=1, le=1000)])
_OFFSET = TypeAdapter(Annotated[int, Field(ge=0)])


@router.route(
    "/programmes/{id}/rounds",
    "POST",
    summary="Start a matching round (runs in the background; poll GET /rounds/{id})",
    body=RoundIn,
    response=RoundOut,
    status=202,
    auth=True,
    errors=(400, 401, 403, 404, 409, 415, 422),
)
async def start_round(request: Request, body: RoundIn) -> Response:
    """Queue a round and enqueue the job that runs it."""
    caller = await auth.require(request)
    programme_id = path_id(request, what="programme")
    pool = request.app.state.pool
    round_id = await service.create_round(pool, caller.person_id, programme_id, body)
    # By name: the web side never imports the worker.
    arq = request.app.state.arq
    await arq.enqueue_job(
        service.JOB_NAME, str(round_id), _job_id=job_id(arq.default_queue_name, "round", round_id)
    )
    async with pool.acquire() as conn:
        row = await service.visible_round(conn, caller.person_id, round_id)
    return respond(service.round_out(row), 202)


@router.route(
    "/rounds/{id}",
    "GET",
    summary="A round's status, progress and metrics",
    response=RoundOut,
    auth=True,
    errors=(401, 403, 404),
)
async def get_round(request: Request) -> Response:
    """One round."""
    caller = await auth.require(request)
    async with request.app.state.pool.acquire() as conn:
        row = await service.visible_round(conn, caller.person_id, path_id(request, what="round"))
    return respond(service.round_out(row))


@router.route(
    "/rounds/{id}/matches",
    "GET",
    summary="A round's proposed pairs with reasons, and unmatched mentees with why (paginated)",
    response=MatchPage,
    auth=True,
    errors=(401, 403, 404, 422),
    query=(("limit", "integer", "1-1000, default 100"), ("offset", "integer", "default 0")),
)
async def get_matches(request: Request) -> Response:
    """A page of matches."""
    caller = await auth.require(request)
    limit = parse_query(request, "limit", _LIMIT, 100)
    offset = parse_query(request, "offset", _OFFSET, 0)
    page = await service.match_page(
        request.app.state.pool, caller.person_id, path_id(request, what="round"), limit, offset
    )
    return respond(page)


@router.route(
    "/rounds/{id}/overrides",
    "POST",
    summary="Pin or forbid a pair for the programme's next rounds",
    body=OverrideIn,
    status=201,
    auth=True,
    errors=(400, 401, 403, 404, 415, 422),
)
async def add_override(request: Request, body: OverrideIn) -> Response:
    """Record an organiser's pin or forbid."""
    caller = await auth.require(request)
    await service.add_override(
        request.app.state.pool, caller.person_id, path_id(request, what="round"), body
    )
    return respond({"status": "saved", "applies_to": "the next rounds of this programme"}, 201)


@router.route(
    "/rounds/{id}/publish",
    "POST",
    summary="Publish a draft round: its pairs become pending mentorships",
    response=PublishOut,
    auth=True,
    errors=(401, 403, 404, 409),
)
async def publish(request: Request) -> Response:
    """Publish once; a second publish is a 409."""
    caller = await auth.require(request)
    out = await service.publish(
        request.app.state.pool, caller.person_id, path_id(request, what="round")
    )
    await enqueue_emails(request.app.state.arq, out.emails)
    return respond(out)
