"""An organiser's programme workspace: the programme's home (its settings in short, its rounds,
its pins and forbids), starting a round, and removing a pin or forbid. Every page and post
checks that the caller organises THIS programme (site admins pass).

The helpers here (the programme or round an organiser may open, starting a round, times in
the caller's timezone) serve the settings, members and round pages too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.auth import service as auth
from service.errors import Conflict, NotFound
from service.kit.api import Caller, path_id
from service.kit.db import Conn, transaction
from service.kit.html import Pages, checked_form, render, see_other, validate
from service.kit.state import services
from service.pages.programmes import programme_context
from service.pages.review import pct
from service.people import repository as people_repo
from service.programmes import roles
from service.programmes import service as programmes
from service.programmes.schemas import (
    MODE_MEANINGS,
    WEIGHT_LABELS,
    ProgrammeOut,
    ProgrammeSettings,
)
from service.rounds import overrides
from service.rounds import service as rounds
from service.rounds.repository import programme_of_round
from service.rounds.schemas import RoundIn, RoundOut
from service.suggestions import service as suggestions

pages = Pages()
ROUNDS_PER_PAGE = 20
#: What a round's status means to an organiser.
STATUS_WORDS = {
    "queued": "waiting for a worker",
    "running": "running",
    "draft": "ready for review (not published)",
    "published": "published",
    "failed": "failed",
}


async def organised_programme(conn: Conn, caller: Caller, programme_id: UUID) -> ProgrammeOut:
    """The programme, if the caller organises it or is a site admin (404, 403 otherwise)."""
    await roles.require_organiser(conn, programme_id, caller.person_id)
    return await programmes.get_programme(conn, caller.person_id, programme_id)


async def organised_round(conn: Conn, caller: Caller, round_id: UUID) -> RoundOut:
    """The round, if the caller organises its programme or is a site admin."""
    programme_id = await programme_of_round(conn, round_id)
    if programme_id is None:
        raise NotFound("no such round")
    await roles.require_organiser(conn, programme_id, caller.person_id)
    return rounds.round_out(await rounds.get_round(conn, round_id))


async def local_time(conn: Conn, caller: Caller, moment: datetime) -> str:
    """``moment`` as the caller reads it: "10:42 on 3 March" in their timezone."""
    person = await people_repo.get_person(conn, caller.person_id)
    zone = ZoneInfo(person.timezone if person is not None and person.timezone else "UTC")
    local = moment.astimezone(zone)
    return f"{local:%H:%M} on {local.day} {local:%B}"


def workspace_context(caller: Caller, **values: object) -> dict[str, object]:
    """What the workspace pages render with: the programme pages' helpers, number formats,
    the words for statuses, modes and weights, and ``values``."""
    return programme_context(
        caller,
        pct=pct,
        status_words=STATUS_WORDS,
        mode_meanings=MODE_MEANINGS,
        weight_labels=WEIGHT_LABELS,
        **values,
    )


def round_values(form: FormData) -> dict[str, Any]:
    """The start form as a round's overrides: a mode and a round size, each only if given."""
    values: dict[str, Any] = {}
    mode = str(form.get("mode") or "").strip()
    if mode:
        values["mode"] = mode
    size = str(form.get("round_size") or "").strip()
    if size:
        values["round_size"] = int(size) if size.isdigit() else size
    return values


async def start_round(
    request: Request, caller: Caller, programme_id: UUID, values: dict[str, Any]
) -> Response:
    """Queue a round of the programme with these overrides and go to its progress page; a
    bad value or a round already under way shows the programme page saying why."""
    body, errors = validate(RoundIn, values)
    if body is None:
        return await programme_page(request, caller, programme_id, errors=errors, status=422)
    try:
        async with transaction(services(request).pool) as conn:
            await roles.require_organiser(conn, programme_id, caller.person_id)
            round_id = await rounds.queue_round(
                conn, programme_id, body.model_dump(exclude_none=True), caller.person_id
            )
    except Conflict as exc:
        return await programme_page(
            request, caller, programme_id, errors={"_round": exc.message}, status=409
        )
    await rounds.enqueue_round(services(request).arq, round_id)
    return see_other(f"/organise/rounds/{round_id}")


async def programme_page(
    request: Request,
    caller: Caller,
    programme_id: UUID,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The programme's home for its organisers."""
    offset = request.query_params.get("offset", "0")
    at = int(offset) if offset.isdigit() else 0
    async with transaction(services(request).pool, readonly=True) as conn:
        programme = await organised_programme(conn, caller, programme_id)
        listed = await rounds.list_rounds(conn, programme_id, ROUNDS_PER_PAGE, at)
        pinned = await overrides.list_overrides(conn, programme_id)
        suggested = await suggestions.programme_suggestions(conn, programme_id)
    busy = next((r for r in listed.rounds if r.status in ("queued", "running")), None)
    context = workspace_context(
        caller,
        p=programme,
        settings=programme.settings,
        defaults=ProgrammeSettings(),
        rounds=listed,
        busy=busy,
        overrides=pinned.overrides,
        suggested=suggested,
        errors=errors or {},
        done=request.query_params.get("done"),
    )
    return render(request, "organise_programme.html", context, status)


@pages.get("/organise/{id}")
@auth.logged_in()
async def programme_home(request: Request, caller: Caller) -> Response:
    """A programme's home: settings in short, members, rounds, pins and forbids."""
    return await programme_page(request, caller, path_id(request, what="programme"))


@pages.post("/organise/{id}/rounds")
@auth.logged_in()
async def start_submit(request: Request, caller: Caller) -> Response:
    """Start a round (optionally in another mode or of another size, this round only)."""
    form = await checked_form(request)
    programme_id = path_id(request, what="programme")
    return await start_round(request, caller, programme_id, round_values(form))


def back_to(form: FormData, fallback: str) -> str:
    """Where a post returns: the organiser page it came from, else ``fallback``."""
    value = form.get("back")
    if isinstance(value, str) and value.startswith("/organise/") and "//" not in value:
        return value
    return fallback


@pages.post("/organise/{id}/overrides/{mentee_id}/{mentor_id}/remove")
@auth.logged_in()
async def remove_override_submit(request: Request, caller: Caller) -> Response:
    """Remove a pin or forbid: the next rounds choose this pair freely again."""
    form = await checked_form(request)
    programme_id = path_id(request, what="programme")
    mentee_id = path_id(request, "mentee_id", what="mentee")
    mentor_id = path_id(request, "mentor_id", what="mentor")
    async with transaction(services(request).pool) as conn:
        await roles.require_organiser(conn, programme_id, caller.person_id)
        await overrides.remove_override(conn, programme_id, mentee_id, mentor_id)
    target = back_to(form, f"/organise/{programme_id}")
    joiner = "&" if "?" in target else "?"
    return see_other(f"{target}{joiner}done=removed#overrides")


def routes() -> list[Route]:
    """The programme workspace's pages."""
    return pages.routes
