"""The Next steps page, /next-steps: which certification fits me now, what is missing, and
upcoming events that help (linked to /events/{id})."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.auth import service as auth
from service.introductions.standing import day_in_words
from service.kit.api import Caller
from service.kit.db import transaction
from service.kit.html import Pages, render, see_other
from service.kit.state import services
from service.nextsteps import service as nextsteps
from service.nextsteps.data import rules
from service.pages.forms import country_name
from service.people import repository as people_repo

pages = Pages()

#: How the profile fields the rules need are named when asking for them.
UNSAID_WORDS = {
    "education": "your highest education",
    "months_leading_projects": "how many months you have spent leading projects",
    "pm_education_hours": "your hours of project-management education (courses, training)",
}
KIND_WORDS = {"study_group": "study group"}


def when(starts_at: datetime, timezone: str) -> str:
    """An event's start in the reader's own timezone: "Tuesday 12 January 2027, 18:30"."""
    try:
        local = starts_at.astimezone(zoneinfo.ZoneInfo(timezone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local = starts_at
    return f"{day_in_words(local.date())}, {local:%H:%M}"


def _words(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@pages.get("/next-steps")
@auth.logged_in()
async def next_steps_page(request: Request, caller: Caller) -> Response:
    """My certification path, the one to aim for first at the top."""
    async with transaction(services(request).pool, readonly=True) as conn:
        person = await people_repo.get_person(conn, caller.person_id)
        if person is None:
            return see_other("/login")
        steps = await nextsteps.steps_for(conn, person)
    profile = nextsteps.profile_of(person)
    unsaid = [UNSAID_WORDS[name] for name in profile.unsaid]
    first = next((s for s in steps if not s.held), None)
    context: dict[str, Any] = {
        "steps": steps,
        "first": first,
        "unsaid": _words(unsaid),
        "as_of": rules().as_of,
        "when": lambda e: when(e.starts_at, person.timezone),
        "where": lambda e: (
            "online"
            if e.online
            else ", ".join(x for x in (e.city, country_name(e.country or "")) if x)
        ),
        "kind_words": KIND_WORDS,
    }
    return render(request, "next_steps.html", context)


def routes() -> list[Route]:
    """The next-steps page."""
    return pages.routes
