"""The programmes page: programmes to join and mine, the join step (from the list or an
invitation link, giving consent to be matched on the way in) and leaving."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.auth import service as auth
from service.errors import ValidationFailed
from service.introductions.standing import day_in_words
from service.kit.api import Caller, path_id
from service.kit.db import transaction
from service.kit.html import Pages, checked_form, domain_errors, render, see_other
from service.kit.state import services
from service.programmes import membership
from service.programmes import service as programmes

pages = Pages()


def upcoming(day: date | None) -> bool:
    """Whether a programme's next round date is today or later (a past one is not shown)."""
    return day is not None and day >= date.today()


def programme_context(caller: Caller, **values: object) -> dict[str, object]:
    """What the programme pages render with: the caller, date helpers and ``values``."""
    return {"caller": caller, "upcoming": upcoming, "day_in_words": day_in_words, **values}


@pages.get("/programmes")
@auth.logged_in()
async def programmes_page(request: Request, caller: Caller) -> Response:
    """Programmes I can join (open ones, and those I organise) and "My programmes"."""
    async with transaction(services(request).pool, readonly=True) as conn:
        listed = (await programmes.list_programmes(conn, caller.person_id)).programmes
    mine = [p for p in listed if p.is_member]
    joined = request.query_params.get("joined")
    context = programme_context(
        caller,
        mine=mine,
        others=[p for p in listed if not p.is_member],
        joined=next((p for p in mine if str(p.id) == joined), None),
        left=request.query_params.get("left") == "1",
    )
    return render(request, "programmes.html", context)


async def _join_page(
    request: Request,
    caller: Caller,
    *,
    programme_id: UUID | None = None,
    code: str | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    async with transaction(services(request).pool, readonly=True) as conn:
        step = await membership.join_step(
            conn, caller.person_id, programme_id=programme_id, code=code
        )
    action = f"/join/{code}" if code is not None else f"/programmes/{programme_id}/join"
    context = programme_context(
        caller,
        programme=step.programme,
        consents=step.consents,
        action=action,
        errors=errors or {},
    )
    return render(request, "programme_join.html", context, status)


async def _join(
    request: Request,
    caller: Caller,
    form: FormData,
    *,
    programme_id: UUID | None = None,
    code: str | None = None,
) -> Response:
    """Join (consenting on the way in if the box was ticked), then back to the list."""
    consent = form.get("consent") == "on"
    try:
        async with transaction(services(request).pool) as conn:
            if code is not None:
                out, _ = await membership.join_by_code(
                    conn, caller.person_id, code, consent=consent
                )
            else:
                assert programme_id is not None
                out, _ = await membership.join(
                    conn, caller.person_id, programme_id, consent=consent
                )
    except ValidationFailed as exc:  # consent was needed and not given
        return await _join_page(
            request,
            caller,
            programme_id=programme_id,
            code=code,
            errors=domain_errors(exc),
            status=exc.status,
        )
    return see_other(f"/programmes?joined={out.programme_id}")


@pages.get("/programmes/{id}/join")
@auth.logged_in()
async def join_form(request: Request, caller: Caller) -> Response:
    """The join step: what joining means, and consent to be matched if not given yet."""
    return await _join_page(request, caller, programme_id=path_id(request, what="programme"))


@pages.post("/programmes/{id}/join")
@auth.logged_in()
async def join_submit(request: Request, caller: Caller) -> Response:
    """Join from the list (CSRF-checked)."""
    form = await checked_form(request)
    return await _join(request, caller, form, programme_id=path_id(request, what="programme"))


@pages.get("/join/{code}")
@auth.logged_in()
async def invitation_form(request: Request, caller: Caller) -> Response:
    """An invitation link: the programme and the join step (works for invitation-only ones)."""
    return await _join_page(request, caller, code=request.path_params["code"])


@pages.post("/join/{code}")
@auth.logged_in()
async def invitation_submit(request: Request, caller: Caller) -> Response:
    """Join by invitation link (CSRF-checked)."""
    form = await checked_form(request)
    return await _join(request, caller, form, code=request.path_params["code"])


@pages.post("/programmes/{id}/leave")
@auth.logged_in("/programmes")
async def leave_submit(request: Request, caller: Caller) -> Response:
    """Leave a programme (my pending and active introductions in it end)."""
    await checked_form(request)
    programme_id = path_id(request, what="programme")
    async with transaction(services(request).pool) as conn:
        await membership.leave(conn, caller.person_id, programme_id)
    return see_other("/programmes?left=1")


def routes() -> list[Route]:
    """The programmes pages."""
    return pages.routes
