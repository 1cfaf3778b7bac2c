"""Events and RSVPs under /api/v1."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import StringConstraints, TypeAdapter
from starlette.responses import Response

from service.associations.schemas import Country, Language
from service.events import service
from service.events.repository import Filters
from service.events.schemas import (
    KINDS,
    Day,
    EventIn,
    EventList,
    EventOut,
    EventPatch,
    Kind,
    RsvpOut,
)
from service.kit.api import PERSON, ApiRouter, Call, event_host, respond
from service.kit.schemas import PAGE_QUERY

router = ApiRouter(tag="events")
HOSTS = event_host()

KIND = TypeAdapter(Kind | None)
COUNTRY = TypeAdapter(Country | None)
LANGUAGE = TypeAdapter(Language | None)
ONLINE = TypeAdapter(bool | None)
TAG = TypeAdapter(
    Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)] | None
)
ID = TypeAdapter(UUID | None)
DAY = TypeAdapter(Day | None)
STATUS = TypeAdapter(Literal["scheduled", "cancelled", "any"])
LIST_QUERY = (
    ("kind", "string", ", ".join(KINDS)),
    ("online", "boolean", "true: only online events; false: only those at a venue"),
    ("country", "string", "ISO 3166-1 alpha-2 (the venue's)"),
    ("tag", "string", "a tag, as typed (normalised like the events' tags)"),
    ("language", "string", "ISO 639-1 code"),
    ("association_id", "string", "hosted by this association"),
    ("programme_id", "string", "hosted by this programme"),
    ("from", "string", "YYYY-MM-DD: starting on or after this day (UTC); default: not ended"),
    ("to", "string", "YYYY-MM-DD: starting on or before this day (UTC)"),
    ("status", "string", "scheduled (default), cancelled or any"),
    *PAGE_QUERY,
)


def filters_of(call: Call) -> Filters:
    """The listing's filters from the query string (422 naming each bad parameter)."""
    status = call.query("status", STATUS, "scheduled")
    return Filters(
        kind=call.query("kind", KIND, None),
        online=call.query("online", ONLINE, None),
        country=call.query("country", COUNTRY, None) or None,
        tag=call.query("tag", TAG, None),
        language=call.query("language", LANGUAGE, None),
        association_id=call.query("association_id", ID, None),
        programme_id=call.query("programme_id", ID, None),
        start_from=call.query("from", DAY, None),
        start_to=call.query("to", DAY, None),
        status=None if status == "any" else status,
    )


@router.route(
    "/events",
    "POST",
    summary="Create an event hosted by an association (its admins or API key) or a programme"
    " (its organisers); site admins for any",
    access=HOSTS,
    body=EventIn,
    response=EventOut,
    status=201,
    errors=(400, 401, 403, 413, 415, 422),
)
async def create_event(call: Call) -> Response:
    """Create an event; its tags are normalised through the taxonomy, its venue located."""
    key = None if call.key is None else call.key.association_id
    async with call.transaction() as conn:
        out = await service.create_event(
            conn,
            call.services.taxonomy,
            call.body(EventIn),
            person=call.person,
            key_association=key,
        )
    return respond(out, 201)


@router.route(
    "/events",
    "GET",
    summary="Events, soonest first: upcoming scheduled ones unless filtered otherwise",
    access=PERSON,
    response=EventList,
    errors=(401, 422),
    query=LIST_QUERY,
)
async def list_events(call: Call) -> Response:
    """A page of events."""
    filters = filters_of(call)
    limit, offset = call.page()
    async with call.transaction(readonly=True) as conn:
        out = await service.list_events(
            conn, call.services.taxonomy, call.caller.person_id, filters, limit, offset
        )
    return respond(out)


@router.route(
    "/events/{id}",
    "GET",
    summary="One event; its hosts also see who is going (names only)",
    access=PERSON,
    response=EventOut,
    errors=(401, 404),
)
async def get_event(call: Call) -> Response:
    """One event."""
    event_id = call.path_id("event")
    async with call.transaction(readonly=True) as conn:
        out = await service.get_event(conn, call.services.taxonomy, call.caller.person_id, event_id)
    return respond(out)


@router.route(
    "/events/{id}",
    "PATCH",
    summary="Edit an event (its hosts); only the fields sent change; capacity never below the"
    " people going",
    access=HOSTS,
    body=EventPatch,
    response=EventOut,
    errors=(400, 401, 403, 404, 409, 413, 415, 422),
)
async def patch_event(call: Call) -> Response:
    """Change an event's details."""
    event_id = call.path_id("event")
    async with call.transaction() as conn:
        out = await service.update_event(
            conn, call.services.taxonomy, call.person, event_id, call.body(EventPatch)
        )
    return respond(out)


@router.route(
    "/events/{id}",
    "DELETE",
    summary="Cancel an event (its hosts): kept, marked cancelled; no one can RSVP any more",
    access=HOSTS,
    response=EventOut,
    errors=(401, 403, 404),
)
async def cancel_event(call: Call) -> Response:
    """Cancel; cancelling again changes nothing."""
    event_id = call.path_id("event")
    async with call.transaction() as conn:
        out = await service.cancel_event(conn, call.services.taxonomy, call.person, event_id)
    return respond(out)


@router.route(
    "/events/{id}/rsvp",
    "POST",
    summary="I am going: takes a place if one is left (201; 200 when already going); 409 for a"
    " cancelled, started or full event",
    access=PERSON,
    response=RsvpOut,
    status=201,
    errors=(401, 404, 409),
)
async def rsvp(call: Call) -> Response:
    """Take a place."""
    event_id = call.path_id("event")
    async with call.transaction() as conn:
        out, new = await service.rsvp(conn, event_id, call.caller.person_id)
    return respond(out, 201 if new else 200)


@router.route(
    "/events/{id}/rsvp",
    "DELETE",
    summary="I am not going after all: my place is freed",
    access=PERSON,
    response=RsvpOut,
    errors=(401, 404),
)
async def cancel_rsvp(call: Call) -> Response:
    """Free my place (not going already: nothing changes)."""
    event_id = call.path_id("event")
    async with call.transaction() as conn:
        out = await service.unrsvp(conn, event_id, call.caller.person_id)
    return respond(out)
