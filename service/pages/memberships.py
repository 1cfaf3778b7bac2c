"""My associations, on my profile page: the memberships I have or asked for, a form to say I
belong to one (the association confirms it), and leaving."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.associations import members
from service.associations import repository as repo
from service.associations.schemas import MembershipIn
from service.auth import service as auth
from service.errors import DomainError
from service.kit.api import Caller, path_id
from service.kit.db import Conn, transaction
from service.kit.html import Pages, checked_form, domain_errors, render, see_other, validate
from service.kit.state import services
from service.people import repository as people_repo
from service.people import service as people

pages = Pages()


async def memberships_context(conn: Conn, person_id: Any) -> dict[str, Any]:
    """What the profile page's "My associations" section shows: my memberships and the
    associations I could say I belong to."""
    mine = (await members.mine(conn, person_id)).memberships
    taken = {m.association.id for m in mine if m.status != "ended"}
    return {
        "memberships": mine,
        "association_options": [a for a in await repo.names(conn) if a["id"] not in taken],
    }


def _back(value: object) -> str:
    # Only this site's association and suggestion pages, so the form cannot become an open
    # redirect.
    if (
        isinstance(value, str)
        and value.startswith(("/associations/", "/suggestions"))
        and "//" not in value
    ):
        return value
    return "/me?declared=1#associations"


@pages.post("/me/associations")
@auth.logged_in("/me")
async def declare_submit(request: Request, caller: Caller) -> Response:
    """Say I belong to an association: a request it confirms."""
    form = await checked_form(request)
    values = {
        "association_id": str(form.get("association_id") or ""),
        "member_ref": str(form.get("member_ref") or "").strip(),
    }
    body, errors = validate(MembershipIn, values)
    found = services(request)
    if body is not None:
        try:
            async with transaction(found.pool) as conn:
                await members.declare(conn, caller.person_id, body)
        except DomainError as exc:
            if exc.status != 422:
                raise
            errors = domain_errors(exc)
        else:
            return see_other(_back(form.get("back")))
    async with transaction(found.pool, readonly=True) as conn:
        person = await people_repo.get_person(conn, caller.person_id)
        context = await memberships_context(conn, caller.person_id)
    if person is None:
        return see_other("/login")
    context.update(
        profile=people.profile_out(person, found.taxonomy),
        caller=caller,
        association_errors=errors,
        association_values=values,
    )
    return render(request, "profile.html", context, 422)


@pages.post("/me/associations/{id}/leave")
@auth.logged_in("/me")
async def leave_submit(request: Request, caller: Caller) -> Response:
    """Withdraw my request, or end my membership."""
    await checked_form(request)
    association_id = path_id(request, what="association")
    async with transaction(services(request).pool) as conn:
        await members.withdraw(conn, caller.person_id, association_id)
    return see_other("/me?left_association=1#associations")


def routes() -> list[Route]:
    """My associations' forms."""
    return pages.routes
