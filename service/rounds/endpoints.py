"""Organiser API for matching rounds."""

from __future__ import annotations

from uuid import UUID

from pydantic import TypeAdapter
from starlette.responses import Response

from service.kit.api import ApiRouter, Call, organiser, respond
from service.kit.csv import csv_response
from service.kit.schemas import PAGE_QUERY
from service.people.schemas import Role
from service.rounds import compare, export, outcomes, overrides, service
from service.rounds.repository import programme_of_round
from service.rounds.review_schemas import ProgrammeOutcomes, RoundComparison
from service.rounds.schemas import (
    MatchPage,
    NotEnteredPage,
    OverrideIn,
    OverrideList,
    PublishOut,
    RoundIn,
    RoundList,
    RoundOut,
)

router = ApiRouter(tag="rounds")
ROLE = TypeAdapter(Role | None)
#: Organisers of the round's programme, and site admins.
ROUND_ORGANISER = organiser(programme_of_round, what="round")


@router.route(
    "/programmes/{id}/rounds",
    "POST",
    summary="Start a matching round (runs in the background; poll GET /rounds/{id})",
    access=organiser(),
    body=RoundIn,
    response=RoundOut,
    status=202,
    errors=(400, 401, 403, 404, 409, 415, 422),
)
async def start_round(call: Call) -> Response:
    """Queue a round and enqueue the job that runs it."""
    programme_id = call.path_id("programme")
    overrides = call.body(RoundIn).model_dump(exclude_none=True)
    async with call.transaction() as conn:
        round_id = await service.queue_round(conn, programme_id, overrides, call.caller.person_id)
        row = await service.get_round(conn, round_id)
    await service.enqueue_round(call.services.arq, round_id)
    return respond(service.round_out(row), 202)


@router.route(
    "/programmes/{id}/rounds",
    "GET",
    summary="A programme's rounds, newest first (paginated)",
    access=organiser(),
    response=RoundList,
    errors=(401, 403, 404, 422),
    query=PAGE_QUERY,
)
async def list_rounds(call: Call) -> Response:
    """A page of the programme's rounds."""
    programme_id = call.path_id("programme")
    limit, offset = call.page()
    async with call.transaction(readonly=True) as conn:
        page = await service.list_rounds(conn, programme_id, limit, offset)
    return respond(page)


@router.route(
    "/rounds/{id}",
    "GET",
    summary="A round's status, progress and metrics",
    access=ROUND_ORGANISER,
    response=RoundOut,
    errors=(401, 403, 404),
)
async def get_round(call: Call) -> Response:
    """One round."""
    async with call.transaction(readonly=True) as conn:
        row = await service.get_round(conn, call.path_id("round"))
    return respond(service.round_out(row))


@router.route(
    "/rounds/{id}/matches",
    "GET",
    summary="A round's proposed pairs with reasons, and unmatched mentees with why (paginated)",
    access=ROUND_ORGANISER,
    response=MatchPage,
    errors=(401, 403, 404, 422),
    query=PAGE_QUERY,
)
async def get_matches(call: Call) -> Response:
    """A page of matches."""
    limit, offset = call.page()
    async with call.transaction(readonly=True) as conn:
        page = await service.match_page(conn, call.path_id("round"), limit, offset)
    return respond(page)


@router.route(
    "/rounds/{id}/not-entered",
    "GET",
    summary="The programme members a round did not enter, each with why (paginated)",
    access=ROUND_ORGANISER,
    response=NotEnteredPage,
    errors=(401, 403, 404, 422),
    query=(("role", "string", "mentee or mentor; both when left out"), *PAGE_QUERY),
)
async def get_not_entered(call: Call) -> Response:
    """A page of the members left out of the round: by role, then reason, then name."""
    limit, offset = call.page()
    role = call.query("role", ROLE, None)
    async with call.transaction(readonly=True) as conn:
        page = await service.not_entered_page(conn, call.path_id("round"), role, limit, offset)
    return respond(page)


@router.route(
    "/rounds/{id}/overrides",
    "POST",
    summary="Pin or forbid a pair for the programme's next rounds",
    access=ROUND_ORGANISER,
    body=OverrideIn,
    status=201,
    errors=(400, 401, 403, 404, 415, 422),
)
async def add_override(call: Call) -> Response:
    """Record an organiser's pin or forbid."""
    async with call.transaction() as conn:
        await service.add_override(
            conn, call.caller.person_id, call.path_id("round"), call.body(OverrideIn)
        )
    return respond({"status": "saved", "applies_to": "the next rounds of this programme"}, 201)


@router.route(
    "/programmes/{id}/overrides",
    "GET",
    summary="The programme's pins and forbids (its next rounds apply them)",
    access=organiser(),
    response=OverrideList,
    errors=(401, 403, 404),
)
async def list_overrides(call: Call) -> Response:
    """Every pin and forbid of the programme, newest first."""
    async with call.transaction(readonly=True) as conn:
        return respond(await overrides.list_overrides(conn, call.path_id("programme")))


@router.route(
    "/programmes/{id}/overrides/{mentee_id}/{mentor_id}",
    "DELETE",
    summary="Remove a pin or forbid: the next rounds choose this pair freely again",
    access=organiser(),
    status=204,
    errors=(401, 403, 404),
)
async def remove_override(call: Call) -> Response:
    """Remove the pair's pin or forbid (404 when it has none)."""
    programme_id = call.path_id("programme")
    mentee_id = call.path_id("mentee", "mentee_id")
    mentor_id = call.path_id("mentor", "mentor_id")
    async with call.transaction() as conn:
        await overrides.remove_override(conn, programme_id, mentee_id, mentor_id)
    return Response(status_code=204)


@router.route(
    "/rounds/{id}/publish",
    "POST",
    summary="Publish a draft round: its pairs become pending mentorships",
    access=ROUND_ORGANISER,
    response=PublishOut,
    errors=(401, 403, 404, 409),
)
async def publish(call: Call) -> Response:
    """Publish once; a second publish is a 409."""
    round_id = call.path_id("round")
    async with call.transaction() as conn:
        out = await service.publish(conn, round_id)
    # After the commit, one job queues and sends the introductions.
    await service.enqueue_introductions(call.services.arq, round_id)
    return respond(out)


# Reviewing rounds after the fact: compare, outcomes, CSV exports (the pages call the same
# domain functions: compare.compare_rounds, outcomes.programme_outcomes, export.*_export).
ROUND_ID = TypeAdapter(UUID)
#: Columns of the CSV downloads, for their documentation.
CSV_NOTE = (
    "UTF-8 with a byte order mark; cells a spreadsheet would run as a formula (starting with"
    " =, +, -, @, tab or CR) start with an apostrophe"
)


@router.route(
    "/rounds/{id}/compare",
    "GET",
    summary="Compare two finished rounds of a programme: every figure with its delta (`with`"
    " minus {id}), and the pairs kept, changed, dropped (who lost a mentor) and gained, with"
    " names (each list paginated with the same limit and offset)",
    access=ROUND_ORGANISER,
    response=RoundComparison,
    errors=(401, 403, 404, 409, 422),
    query=(("with", "string", "the id of the round to compare with (required)"), *PAGE_QUERY),
)
async def compare_round(call: Call) -> Response:
    """Round {id} against round `with` (both draft or published, of one programme)."""
    round_id = call.path_id("round")
    other = call.required_query(compare.WITH, ROUND_ID)
    limit, offset = call.page()
    async with call.transaction(readonly=True) as conn:
        out = await compare.compare_rounds(
            conn, round_id, other, call.caller.person_id, limit, offset
        )
    return respond(out)


@router.route(
    "/programmes/{id}/outcomes",
    "GET",
    summary="A programme's outcomes per published round (oldest first) and in all: introductions"
    " pending, accepted, declined, expired and ended, median days to answer, survey ratings and"
    " still-meeting rate",
    access=organiser(),
    response=ProgrammeOutcomes,
    errors=(401, 403, 404),
)
async def get_outcomes(call: Call) -> Response:
    """The programme's outcomes."""
    async with call.transaction(readonly=True) as conn:
        out = await outcomes.programme_outcomes(conn, call.path_id("programme"))
    return respond(out)


@router.route(
    "/rounds/{id}/matches.csv",
    "GET",
    summary="Download a finished round's matches as CSV: a row per pair (mentee, mentor, score,"
    " each score component, each side's reasons, pinned), then a row per unmatched mentee with"
    " why; " + CSV_NOTE,
    access=ROUND_ORGANISER,
    errors=(401, 403, 404, 409),
    media_type="text/csv",
)
async def matches_csv(call: Call) -> Response:
    """Stream the round's matches."""
    async with call.transaction(readonly=True) as conn:
        found = await export.matches_export(conn, call.path_id("round"))
    return csv_response(call.services.pool, found)


@router.route(
    "/programmes/{id}/outcomes.csv",
    "GET",
    summary="Download a programme's introductions as CSV: a row per introduction with its round,"
    " status, dates, both answers and both sides' survey answers (names, never contact"
    " details); " + CSV_NOTE,
    access=organiser(),
    errors=(401, 403, 404),
    media_type="text/csv",
)
async def outcomes_csv(call: Call) -> Response:
    """Stream the programme's introductions."""
    async with call.transaction(readonly=True) as conn:
        found = await export.outcomes_export(conn, call.path_id("programme"))
    return csv_response(call.services.pool, found)
