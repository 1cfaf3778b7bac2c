"""Pages for organisers and site admins: the programmes I organise (who may join, the next
round's date, the invitation link) and, for site admins, creating programmes and appointing
or withdrawing their organisers by email."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.auth import service as auth
from service.errors import DomainError
from service.kit.api import Caller, path_id
from service.kit.db import Conn, transaction
from service.kit.html import Pages, checked_form, domain_errors, render, see_other, validate
from service.kit.state import services
from service.pages.associations import admin_context
from service.pages.programmes import programme_context
from service.pages.workspace import workspace_context
from service.programmes import roles
from service.programmes import service as programmes
from service.programmes.schemas import OrganiserIn, ProgrammeIn, ProgrammeOut, ProgrammePatch
from service.rounds import service as rounds

pages = Pages()


async def _organised(conn: Conn, caller: Caller) -> list[ProgrammeOut]:
    """The programmes the caller organises, with their invitation codes, newest first."""
    listed = (await programmes.list_programmes(conn, caller.person_id)).programmes
    return [
        await programmes.get_programme(conn, caller.person_id, p.id)
        for p in listed
        if p.is_organiser
    ]


async def _organise_page(
    request: Request,
    caller: Caller,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    status: int = 200,
) -> Response:
    async with transaction(services(request).pool, readonly=True) as conn:
        found = await _organised(conn, caller)
        admin = await roles.is_admin(conn, caller.person_id)
        last = await rounds.last_rounds(conn, [p.id for p in found])
    context = workspace_context(
        caller,
        organised=found,
        last=last,
        admin=admin,
        base_url=services(request).settings.base_url,
        errors=errors or {},
        saved=request.query_params.get("saved"),
        renewed=request.query_params.get("renewed"),
    )
    return render(request, "organise.html", context, status)


@pages.get("/organise")
@auth.logged_in()
async def organise_page(request: Request, caller: Caller) -> Response:
    """The programmes I organise: who may join, the next round's date, the invitation link."""
    return await _organise_page(request, caller)


def _door_values(form: Any) -> dict[str, Any]:
    """The access form as a programme patch: who may join and the next round's date."""
    values: dict[str, Any] = {}
    if form.get("access"):
        values["access"] = form.get("access")
    day = str(form.get("next_round_on") or "").strip()
    values["next_round_on"] = day or None
    return values


@pages.post("/organise/{id}")
@auth.logged_in("/organise")
async def door_submit(request: Request, caller: Caller) -> Response:
    """Save who may join a programme and its next round's date (its organisers only)."""
    form = await checked_form(request)
    programme_id = path_id(request, what="programme")
    patch, errors = validate(ProgrammePatch, _door_values(form))
    if patch is not None:
        try:
            async with transaction(services(request).pool) as conn:
                await roles.require_organiser(conn, programme_id, caller.person_id)
                await programmes.update_programme(conn, caller.person_id, programme_id, patch)
        except DomainError as exc:
            if exc.status == 422:
                errors = domain_errors(exc)
            else:
                raise
    if errors:
        return await _organise_page(request, caller, errors={str(programme_id): errors}, status=422)
    return see_other(f"/organise?saved={programme_id}#p-{programme_id}")


@pages.post("/organise/{id}/invitation")
@auth.logged_in("/organise")
async def invitation_submit(request: Request, caller: Caller) -> Response:
    """Replace a programme's invitation link: the old link and code stop working."""
    await checked_form(request)
    programme_id = path_id(request, what="programme")
    async with transaction(services(request).pool) as conn:
        await roles.require_organiser(conn, programme_id, caller.person_id)
        await programmes.new_invitation(conn, programme_id)
    return see_other(f"/organise?renewed={programme_id}#p-{programme_id}")


async def show_admin(
    request: Request,
    caller: Caller,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, Any] | None = None,
    association_values: dict[str, Any] | None = None,
    association_errors: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    """The site admins' page: programmes and associations (``*_values`` and ``*_errors``: a
    form's values and errors, by form)."""
    async with transaction(services(request).pool, readonly=True) as conn:
        await roles.require_admin(conn, caller.person_id)
        listed = (await programmes.list_programmes(conn, caller.person_id)).programmes
        associations = await admin_context(conn)
    context = programme_context(
        caller,
        programmes=listed,
        values=values or {},
        errors=errors or {},
        association_values=association_values or {},
        association_errors=association_errors or {},
        done=request.query_params.get("done"),
        **associations,
    )
    return render(request, "admin.html", context, status)


@pages.get("/admin")
@auth.logged_in()
async def admin_page(request: Request, caller: Caller) -> Response:
    """Site admins: every programme with its organisers; create one; appoint organisers."""
    return await show_admin(request, caller)


@pages.post("/admin/programmes")
@auth.logged_in("/admin")
async def create_submit(request: Request, caller: Caller) -> Response:
    """Create a programme with the default matching settings."""
    form = await checked_form(request)
    values = {
        "name": str(form.get("name") or "").strip(),
        "description": str(form.get("description") or "").strip(),
        "access": form.get("access") or "open",
    }
    body, errors = validate(ProgrammeIn, values)
    if body is None:
        return await show_admin(request, caller, values=values, errors=errors, status=422)
    async with transaction(services(request).pool) as conn:
        await roles.require_admin(conn, caller.person_id)
        out = await programmes.create_programme(conn, caller.person_id, body)
    return see_other(f"/admin?done=created#p-{out.id}")


@pages.post("/admin/programmes/{id}/organisers")
@auth.logged_in("/admin")
async def appoint_submit(request: Request, caller: Caller) -> Response:
    """Appoint an organiser by the email they signed up with."""
    form = await checked_form(request)
    programme_id = path_id(request, what="programme")
    email = str(form.get("email") or "").strip()
    body, errors = validate(OrganiserIn, {"email": email})
    if body is not None:
        try:
            async with transaction(services(request).pool) as conn:
                await roles.require_admin(conn, caller.person_id)
                await programmes.appoint_organiser(conn, programme_id, body)
        except DomainError as exc:
            if exc.status != 422:
                raise
            errors = domain_errors(exc)
    if errors:
        key = str(programme_id)
        return await show_admin(
            request, caller, values={key: email}, errors={key: errors}, status=422
        )
    return see_other(f"/admin?done=appointed#p-{programme_id}")


@pages.post("/admin/programmes/{id}/organisers/{person_id}/remove")
@auth.logged_in("/admin")
async def remove_submit(request: Request, caller: Caller) -> Response:
    """Withdraw an organiser (their membership, if any, stays)."""
    await checked_form(request)
    programme_id = path_id(request, what="programme")
    person_id: UUID = path_id(request, "person_id", what="person")
    async with transaction(services(request).pool) as conn:
        await roles.require_admin(conn, caller.person_id)
        await programmes.remove_organiser(conn, programme_id, person_id)
    return see_other(f"/admin?done=removed#p-{programme_id}")


def routes() -> list[Route]:
    """The organisers' and site admins' pages."""
    return pages.routes
