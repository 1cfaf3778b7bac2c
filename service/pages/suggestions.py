"""The "Suggested for you" page: events and associations picked for the person, with why, and
a button to RSVP or join from the page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.auth import service as auth
from service.kit.api import Caller
from service.kit.db import transaction
from service.kit.html import Pages, render
from service.kit.state import services
from service.people import repository as people_repo
from service.suggestions import service as suggestions
from service.suggestions.schemas import SuggestionOut

pages = Pages()

#: Suggestions a page shows.
PER_PAGE = 10


def when(item: SuggestionOut, viewer_zone: str) -> str:
    """An event's start in the viewer's timezone, and in the event's own when it differs:
    "Tuesday 8 December, 19:00 your time (18:00 in Lisbon)"."""
    if item.starts_at is None:
        return ""
    mine = item.starts_at.astimezone(ZoneInfo(viewer_zone))
    text = f"{mine:%A} {mine.day} {mine:%B}, {mine:%H:%M} your time"
    if item.timezone and item.timezone != viewer_zone:
        theirs = item.starts_at.astimezone(ZoneInfo(item.timezone))
        if theirs.utcoffset() != mine.utcoffset():
            place = item.timezone.rsplit("/", 1)[-1].replace("_", " ")
            day = "" if theirs.date() == mine.date() else f"{theirs:%a} "
            text += f" ({day}{theirs:%H:%M} in {place})"
    return text


def _offset(request: Request) -> int:
    try:
        return max(int(request.query_params.get("offset", "0")), 0)
    except ValueError:
        return 0


@pages.get("/suggestions")
@auth.logged_in()
async def suggestions_page(request: Request, caller: Caller) -> Response:
    """My suggestions, a page at a time, each with its reasons and what I can do about it."""
    offset = _offset(request)
    async with transaction(services(request).pool, readonly=True) as conn:
        person = await people_repo.get_person(conn, caller.person_id)
        found = await suggestions.my_suggestions(conn, caller.person_id, PER_PAGE, offset)
    zone = person.timezone if person is not None else "UTC"
    context = {
        "caller": caller,
        "found": found,
        "when": lambda item: when(item, zone),
        "zone": zone,
        "now": datetime.now(ZoneInfo(zone)),
        "per_page": PER_PAGE,
        "joined": request.query_params.get("joined") == "1",
    }
    return render(request, "suggestions.html", context)


def routes() -> list[Route]:
    """The suggestions page."""
    return pages.routes
