"""Event pages: the listing with its filters, one event with RSVP buttons (and, for its
hosts, who is going), and RSVP / cancel RSVP. The hosts' forms are in ``event_forms``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.auth import service as auth
from service.errors import Conflict
from service.events import service as events
from service.events.repository import Filters
from service.events.schemas import KIND_NAMES, EventOut
from service.kit.api import Caller, path_id
from service.kit.db import Conn, transaction
from service.kit.html import Pages, checked_form, render, see_other
from service.kit.messages import sentence
from service.kit.state import services
from service.people import repository as people_repo
from service.taxonomy.codes import COUNTRIES, LANGUAGES

pages = Pages()
#: Events a page lists at once.
PER_PAGE = 20


async def viewer_zone(conn: Conn, caller: Caller) -> str:
    """The caller's own timezone (UTC when their profile has none)."""
    person = await people_repo.get_person(conn, caller.person_id)
    return person.timezone if person is not None and person.timezone else "UTC"


def span(starts: datetime, ends: datetime, zone: str) -> str:
    """'Tue 2 March 2027, 18:30–20:30' in ``zone`` (both days when it ends on another)."""
    tz = ZoneInfo(zone)
    a, b = starts.astimezone(tz), ends.astimezone(tz)
    day = f"{a:%a} {a.day} {a:%B %Y}"
    if a.date() == b.date():
        return f"{day}, {a:%H:%M}–{b:%H:%M}"
    return f"{day}, {a:%H:%M} – {b:%a} {b.day} {b:%B %Y}, {b:%H:%M}"


def view(event: EventOut, zone: str) -> dict[str, Any]:
    """What a card or the detail page shows of an event, times in the viewer's zone and the
    event's own."""
    host = event.association or event.programme
    return {
        "e": event,
        "kind_name": KIND_NAMES[event.kind],
        "yours": span(event.starts_at, event.ends_at, zone),
        "theirs": span(event.starts_at, event.ends_at, event.timezone),
        "same_zone": zone == event.timezone
        or span(event.starts_at, event.ends_at, zone)
        == span(event.starts_at, event.ends_at, event.timezone),
        "zone": zone,
        "where": "Online"
        if event.online
        else ", ".join(x for x in (event.city, COUNTRIES.get(event.country, "")) if x),
        "host_name": host.name if host else "",
        "host_url": f"/associations/{event.association.id}" if event.association else "",
        "languages": ", ".join(LANGUAGES.get(code, code) for code in event.languages),
        "places": "No limit on places"
        if event.places_left is None
        else "Full"
        if event.places_left == 0
        else f"{event.places_left} of {event.capacity} places left",
    }


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None


def browse_filters(request: Request) -> tuple[Filters, dict[str, str]]:
    """The listing's filters from the query string; values no list offers are left out."""
    q = request.query_params
    chosen = {
        "kind": q.get("kind", "") if q.get("kind") in KIND_NAMES else "",
        "country": q.get("country", "") if q.get("country") in COUNTRIES else "",
        "language": q.get("language", "") if q.get("language") in LANGUAGES else "",
        "online": q.get("online", "") if q.get("online") in ("yes", "no") else "",
        "tag": q.get("tag", "").strip()[:60],
        "from": q.get("from", "") if _day(q.get("from", "")) else "",
        "to": q.get("to", "") if _day(q.get("to", "")) else "",
        "association_id": q.get("association_id", "") if _uuid(q.get("association_id", "")) else "",
    }
    filters = Filters(
        kind=chosen["kind"] or None,
        country=chosen["country"] or None,
        online=None if not chosen["online"] else chosen["online"] == "yes",
        language=chosen["language"] or None,
        tag=chosen["tag"] or None,
        start_from=_day(chosen["from"]),
        start_to=_day(chosen["to"]),
        association_id=_uuid(chosen["association_id"]),
    )
    return filters, chosen


def _uuid(raw: str) -> UUID | None:
    try:
        return UUID(raw) if raw else None
    except ValueError:
        return None


def _offset(request: Request) -> int:
    raw = request.query_params.get("offset", "0")
    return int(raw) if raw.isdigit() and len(raw) < 9 else 0


@pages.get("/events")
@auth.logged_in()
async def browse_page(request: Request, caller: Caller) -> Response:
    """Upcoming events, soonest first, filtered by kind, place, language, tag and dates."""
    filters, chosen = browse_filters(request)
    found = services(request)
    async with transaction(found.pool, readonly=True) as conn:
        listed = await events.list_events(
            conn, found.taxonomy, caller.person_id, filters, PER_PAGE, _offset(request)
        )
        zone = await viewer_zone(conn, caller)
        hosts = await events.host_choices(conn, caller.person_id)
    context = {
        "listed": listed,
        "cards": [view(e, zone) for e in listed.events],
        "chosen": chosen,
        "query": urlencode({k: v for k, v in chosen.items() if v}),
        "kinds": KIND_NAMES,
        "countries": COUNTRIES,
        "languages": LANGUAGES,
        "can_create": bool(hosts["associations"] or hosts["programmes"]),
        "zone": zone,
    }
    return render(request, "events.html", context)


async def event_page(
    request: Request, caller: Caller, event_id: UUID, *, status: int = 200, **extra: Any
) -> Response:
    """One event with its RSVP button; its hosts also see who is going, Edit and Cancel."""
    found = services(request)
    async with transaction(found.pool, readonly=True) as conn:
        event = await events.get_event(conn, found.taxonomy, caller.person_id, event_id)
        zone = await viewer_zone(conn, caller)
        started = not await events.still_to_come(conn, event.starts_at)
    context = {
        **view(event, zone),
        "started": started,
        "done": request.query_params.get("done"),
        **extra,
    }
    return render(request, "event.html", context, status)


@pages.get("/events/{id}")
@auth.logged_in()
async def detail_page(request: Request, caller: Caller) -> Response:
    """One event."""
    return await event_page(request, caller, path_id(request, what="event"))


@pages.post("/events/{id}/rsvp")
@auth.logged_in()
async def rsvp_submit(request: Request, caller: Caller) -> Response:
    """I am going (a full, cancelled or started event: the page says why, 409); back to the
    page the form came from when it says (the suggestions), else the event's."""
    form = await checked_form(request)
    event_id = path_id(request, what="event")
    try:
        async with transaction(services(request).pool) as conn:
            await events.rsvp(conn, event_id, caller.person_id)
    except Conflict as exc:
        return await event_page(
            request, caller, event_id, status=409, refused=sentence(exc.message)
        )
    return see_other(_back(form.get("back")) or f"/events/{event_id}?done=going")


def _back(value: object) -> str | None:
    """A local page a form asks to go back to: the suggestions and event pages only, so the
    form cannot become an open redirect."""
    if isinstance(value, str) and value.startswith(("/suggestions", "/events/")):
        return None if "//" in value or "\\" in value else value
    return None


@pages.post("/events/{id}/rsvp/cancel")
@auth.logged_in()
async def unrsvp_submit(request: Request, caller: Caller) -> Response:
    """I am not going after all: my place is freed."""
    await checked_form(request)
    event_id = path_id(request, what="event")
    async with transaction(services(request).pool) as conn:
        await events.unrsvp(conn, event_id, caller.person_id)
    return see_other(f"/events/{event_id}?done=not_going")


def routes() -> list[Route]:
    """The event pages."""
    return pages.routes
