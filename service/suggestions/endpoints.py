"""Suggestions under /api/v1: mine, and what a programme's members are being suggested."""

from __future__ import annotations

from starlette.responses import Response

from service.kit.api import PERSON, ApiRouter, Call, organiser, respond
from service.kit.schemas import PAGE_QUERY
from service.suggestions import service
from service.suggestions.schemas import ProgrammeSuggestions, SuggestionList

router = ApiRouter(tag="suggestions")

#: Suggestions a page holds unless asked otherwise.
DEFAULT_LIMIT = 10


@router.route(
    "/me/suggestions",
    "GET",
    summary="Events and associations suggested to me, best first, each with its reasons;"
    " only those still open to me (upcoming, not full, not already chosen or joined)",
    access=PERSON,
    response=SuggestionList,
    errors=(401, 422),
    query=PAGE_QUERY,
)
async def my_suggestions(call: Call) -> Response:
    """A page of my suggestions (10 unless ``limit`` says otherwise)."""
    limit, offset = call.page(DEFAULT_LIMIT)
    async with call.transaction(readonly=True) as conn:
        return respond(await service.my_suggestions(conn, call.caller.person_id, limit, offset))


@router.route(
    "/programmes/{id}/suggestions",
    "GET",
    summary="What a programme's members are being suggested, and how many RSVPed or joined"
    " (organisers)",
    access=organiser(),
    response=ProgrammeSuggestions,
    errors=(401, 403, 404),
)
async def programme_suggestions(call: Call) -> Response:
    """Counts, and the items suggested to most of its members."""
    programme_id = call.path_id("programme")
    async with call.transaction(readonly=True) as conn:
        return respond(await service.programme_suggestions(conn, programme_id))
