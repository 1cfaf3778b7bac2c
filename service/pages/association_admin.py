"""What site admins do with associations: create one, appoint and withdraw its admins, and
create (or decline) the programmes association admins ask for. The admin page's section is
``_admin_associations.html``, filled by :func:`service.pages.associations.admin_context`."""

from __future__ import annotations

from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.associations import requests
from service.associations import service as associations
from service.associations.schemas import AssociationIn
from service.auth import service as auth
from service.errors import DomainError
from service.kit.api import Caller, path_id
from service.kit.db import transaction
from service.kit.html import Pages, checked_form, domain_errors, see_other, validate
from service.kit.state import services
from service.pages.associations import association_page, association_values
from service.pages.organise import show_admin
from service.programmes import roles
from service.programmes.schemas import OrganiserIn

pages = Pages()


async def _require_site_admin(request: Request, caller: Caller) -> None:
    """403 before a form is read for anyone but a site admin."""
    async with transaction(services(request).pool, readonly=True) as conn:
        await roles.require_admin(conn, caller.person_id)


@pages.post("/admin/associations")
@auth.logged_in("/admin")
async def create_submit(request: Request, caller: Caller) -> Response:
    """Create an association; then appoint its admins."""
    form = await checked_form(request)
    await _require_site_admin(request, caller)
    values = association_values(form)
    body, errors = validate(AssociationIn, values)
    if body is None:
        return await show_admin(
            request,
            caller,
            association_values={"create": values},
            association_errors={"create": errors},
            status=422,
        )
    found = services(request)
    async with transaction(found.pool) as conn:
        await roles.require_admin(conn, caller.person_id)
        out = await associations.create_association(conn, found.taxonomy, caller.person_id, body)
    return see_other(f"/associations/{out.id}?done=created")


@pages.post("/admin/association-admins")
@auth.logged_in("/admin")
async def appoint_submit(request: Request, caller: Caller) -> Response:
    """Appoint an association admin by the email they signed up with (from the admin page, or
    from the association's own page when ``from`` says so)."""
    form = await checked_form(request)
    await _require_site_admin(request, caller)
    email = str(form.get("email") or "").strip()
    raw_id = str(form.get("association_id") or "")
    on_its_page = form.get("from") == "association"
    body, errors = validate(OrganiserIn, {"email": email})
    association_id: UUID | None = None
    try:
        association_id = UUID(raw_id)
    except ValueError:
        errors = {"association_id": "Choose an association from the list", **errors}
    if body is not None and association_id is not None:
        try:
            async with transaction(services(request).pool) as conn:
                await roles.require_admin(conn, caller.person_id)
                await associations.appoint_admin(conn, association_id, body)
        except DomainError as exc:
            if exc.status not in (404, 422):
                raise
            errors = domain_errors(exc) if exc.status == 422 else {"association_id": exc.message}
    if not errors:
        assert association_id is not None
        return see_other(f"/associations/{association_id}?done=appointed#admins")
    values = {"email": email, "association_id": raw_id}
    if on_its_page and association_id is not None:
        return await association_page(
            request,
            caller,
            association_id,
            errors={"admin": errors},
            values={"admin": values},
            status=422,
        )
    return await show_admin(
        request,
        caller,
        association_values={"appoint": values},
        association_errors={"appoint": errors},
        status=422,
    )


@pages.post("/associations/{id}/admins/{person_id}/remove")
@auth.logged_in()
async def remove_submit(request: Request, caller: Caller) -> Response:
    """Withdraw an association admin (their membership, if any, stays)."""
    await checked_form(request)
    association_id = path_id(request, what="association")
    person_id = path_id(request, "person_id", what="person")
    async with transaction(services(request).pool) as conn:
        await roles.require_admin(conn, caller.person_id)
        await associations.remove_admin(conn, association_id, person_id)
    return see_other(f"/associations/{association_id}?done=withdrawn#admins")


async def _decide(request: Request, caller: Caller, approve: bool) -> Response:
    await checked_form(request)
    request_id = path_id(request, what="programme request")
    async with transaction(services(request).pool) as conn:
        await roles.require_admin(conn, caller.person_id)
        if approve:
            out = await requests.approve(conn, request_id, caller.person_id)
        else:
            out = await requests.decline(conn, request_id, caller.person_id)
    if out.programme_id is not None:
        return see_other(f"/admin?done=created#p-{out.programme_id}")
    return see_other("/admin?done=declined#programme-requests")


@pages.post("/admin/programme-requests/{id}/approve")
@auth.logged_in("/admin")
async def approve_submit(request: Request, caller: Caller) -> Response:
    """Create the programme an association admin asked for, with one click."""
    return await _decide(request, caller, approve=True)


@pages.post("/admin/programme-requests/{id}/decline")
@auth.logged_in("/admin")
async def decline_submit(request: Request, caller: Caller) -> Response:
    """Decline a programme request."""
    return await _decide(request, caller, approve=False)


def routes() -> list[Route]:
    """The site admins' association pages."""
    return pages.routes
