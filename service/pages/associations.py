"""Association pages: browse them (logged-in people), one association's details, and for its
admins (and site admins) its edit form, members with their requests, API keys (a new key
shown once) and programme requests."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from pydantic import BaseModel
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.associations import keys, members, requests
from service.associations import repository as repo
from service.associations import service as associations
from service.associations.repository import Filters, MemberFilters
from service.associations.schemas import (
    KIND_NAMES,
    SOURCES,
    STATUSES,
    ApiKeyCreated,
    ApiKeyIn,
    AssociationPatch,
    ProgrammeRequestIn,
)
from service.auth import service as auth
from service.errors import DomainError
from service.events import service as events
from service.kit.api import Caller, path_id
from service.kit.db import Conn, transaction
from service.kit.html import Pages, checked_form, domain_errors, render, see_other, validate
from service.kit.state import services
from service.pages.events import span, viewer_zone
from service.programmes import roles
from service.taxonomy.codes import COUNTRIES, LANGUAGES

pages = Pages()
#: Associations and members a page lists at once.
PER_PAGE = 50
#: Where the imports page will be (the link shows once the app serves it).
IMPORTS_PATH = "/associations/{id}/imports"


def choices() -> dict[str, Any]:
    """What the association forms' lists offer."""
    return {
        "kinds": KIND_NAMES,
        "countries": COUNTRIES,
        "languages": LANGUAGES,
        "statuses": STATUSES,
        "sources": SOURCES,
    }


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def association_values(form: FormData) -> dict[str, Any]:
    """The association form as the API's body: focus tags split on commas."""
    values: dict[str, Any] = {
        name: str(form.get(name) or "").strip()
        for name in ("name", "kind", "city", "country", "website", "description")
    }
    values["online"] = form.get("online") == "on"
    values["focus"] = _split(str(form.get("focus") or ""))
    values["languages"] = [v for v in form.getlist("languages") if isinstance(v, str) and v]
    return values


def _offset(request: Request) -> int:
    raw = request.query_params.get("offset", "0")
    return int(raw) if raw.isdigit() and len(raw) < 9 else 0


def _browse_filters(request: Request) -> tuple[Filters, dict[str, str]]:
    """The listing's filters from the query string; values no list offers are left out."""
    q = request.query_params
    chosen = {
        "kind": q.get("kind", "") if q.get("kind") in KIND_NAMES else "",
        "country": q.get("country", "") if q.get("country") in COUNTRIES else "",
        "language": q.get("language", "") if q.get("language") in LANGUAGES else "",
        "online": q.get("online", "") if q.get("online") in ("yes", "no") else "",
        "tag": q.get("tag", "").strip()[:60],
    }
    filters = Filters(
        kind=chosen["kind"] or None,
        country=chosen["country"] or None,
        online=None if not chosen["online"] else chosen["online"] == "yes",
        language=chosen["language"] or None,
        tag=chosen["tag"] or None,
    )
    return filters, chosen


@pages.get("/associations")
@auth.logged_in()
async def browse_page(request: Request, caller: Caller) -> Response:
    """Every association, by name, filtered by kind, country, online, language or tag."""
    filters, chosen = _browse_filters(request)
    offset = _offset(request)
    found = services(request)
    async with transaction(found.pool, readonly=True) as conn:
        listed = await associations.list_associations(
            conn, found.taxonomy, caller.person_id, filters, PER_PAGE, offset
        )
        mine = await repo.administered_by(conn, caller.person_id)
    query = urlencode({k: v for k, v in chosen.items() if v})
    context = {"listed": listed, "chosen": chosen, "query": query, "mine": mine, **choices()}
    return render(request, "associations.html", context)


def _member_filters(request: Request) -> tuple[MemberFilters, dict[str, str]]:
    q = request.query_params
    chosen = {
        "status": q.get("status", "") if q.get("status") in STATUSES else "",
        "source": q.get("source", "") if q.get("source") in SOURCES else "",
        "q": q.get("q", "").strip()[:100],
    }
    filters = MemberFilters(
        status=chosen["status"] or None, source=chosen["source"] or None, search=chosen["q"] or None
    )
    return filters, chosen


async def _admin_context(
    request: Request, conn: Conn, association_id: UUID, caller: Caller
) -> dict[str, Any]:
    """What only its admins (and site admins) see: members, keys, programme requests."""
    filters, chosen = _member_filters(request)
    emails = await members.sees_emails(conn, association_id, caller.person_id)
    listed = await members.member_list(
        conn,
        association_id,
        filters,
        with_emails=emails,
        limit=PER_PAGE,
        offset=_offset(request),
    )
    return {
        "members": listed,
        "member_filters": chosen,
        "member_query": urlencode({k: v for k, v in chosen.items() if v}),
        "shows_emails": emails,
        "keys": (await keys.list_keys(conn, association_id)).keys,
        "requests": (await requests.of_association(conn, association_id)).requests,
        "has_imports": any(
            getattr(r, "path", None) == IMPORTS_PATH for r in request.app.router.routes
        ),
    }


async def association_page(
    request: Request,
    caller: Caller,
    association_id: UUID,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, dict[str, Any]] | None = None,
    new_key: ApiKeyCreated | None = None,
    status: int = 200,
) -> Response:
    """One association; its admins' sections for those who may admin it. ``errors`` and
    ``values`` are by form (edit, key, request, admin, member)."""
    found = services(request)
    async with transaction(found.pool, readonly=True) as conn:
        association = await associations.get_association(
            conn, found.taxonomy, caller.person_id, association_id
        )
        mine = await repo.membership(conn, association_id, caller.person_id)
        site_admin = await roles.is_admin(conn, caller.person_id)
        admin = association.is_admin or site_admin
        extra = await _admin_context(request, conn, association_id, caller) if admin else {}
        upcoming = await events.upcoming_of_association(conn, association_id)
        zone = await viewer_zone(conn, caller)
    context = {
        "a": association,
        "admin": admin,
        "site_admin": site_admin,
        "membership": mine,
        "errors": errors or {},
        "values": values or {},
        "new_key": new_key,
        "upcoming": [{**e, "when": span(e["starts_at"], e["ends_at"], zone)} for e in upcoming],
        "zone": zone,
        "done": request.query_params.get("done"),
        **extra,
        **choices(),
    }
    return render(request, "association.html", context, status)


@pages.get("/associations/{id}")
@auth.logged_in()
async def detail_page(request: Request, caller: Caller) -> Response:
    """One association (and, for its admins, what they manage)."""
    return await association_page(request, caller, path_id(request, what="association"))


async def _admin_form(
    request: Request,
    caller: Caller,
    form_name: str,
    model: type[BaseModel],
    values: dict[str, Any],
    act: Any,
) -> Response | tuple[UUID, Any]:
    """Validate ``values`` as ``model`` and run ``act(conn, association_id, body)`` as one of
    the association's admins; the page with the form's errors (422), or (id, what it gave)."""
    association_id = path_id(request, what="association")
    async with transaction(services(request).pool, readonly=True) as conn:
        await associations.require_admin(conn, association_id, caller.person_id)
    body, errors = validate(model, values)
    if body is not None:
        try:
            async with transaction(services(request).pool) as conn:
                await associations.require_admin(conn, association_id, caller.person_id)
                return association_id, await act(conn, association_id, body)
        except DomainError as exc:
            if exc.status != 422:
                raise
            errors = domain_errors(exc)
    return await association_page(
        request,
        caller,
        association_id,
        errors={form_name: errors},
        values={form_name: values},
        status=422,
    )


@pages.post("/associations/{id}/edit")
@auth.logged_in()
async def edit_submit(request: Request, caller: Caller) -> Response:
    """Save the association's details (its admins and site admins)."""
    form = await checked_form(request)
    taxonomy = services(request).taxonomy

    async def act(conn: Conn, association_id: UUID, patch: AssociationPatch) -> None:
        await associations.update_association(
            conn, taxonomy, caller.person_id, association_id, patch
        )

    done = await _admin_form(
        request, caller, "edit", AssociationPatch, association_values(form), act
    )
    if isinstance(done, Response):
        return done
    return see_other(f"/associations/{done[0]}?done=saved")


@pages.post("/associations/{id}/keys")
@auth.logged_in()
async def key_submit(request: Request, caller: Caller) -> Response:
    """Create an API key and show it, this once."""
    form = await checked_form(request)

    async def act(conn: Conn, association_id: UUID, body: ApiKeyIn) -> ApiKeyCreated:
        return await keys.create_key(conn, association_id, body.name, caller.person_id)

    values = {"name": str(form.get("name") or "").strip()}
    done = await _admin_form(request, caller, "key", ApiKeyIn, values, act)
    if isinstance(done, Response):
        return done
    # The key is in this page only: never stored, never in a URL.
    return await association_page(request, caller, done[0], new_key=done[1])


@pages.post("/associations/{id}/programme-requests")
@auth.logged_in()
async def programme_request_submit(request: Request, caller: Caller) -> Response:
    """Ask the site admins for a programme for the association."""
    form = await checked_form(request)

    async def act(conn: Conn, association_id: UUID, body: ProgrammeRequestIn) -> None:
        await requests.ask(conn, association_id, caller.person_id, body)

    values = {k: str(form.get(k) or "").strip() for k in ("name", "description")}
    done = await _admin_form(request, caller, "request", ProgrammeRequestIn, values, act)
    if isinstance(done, Response):
        return done
    return see_other(f"/associations/{done[0]}?done=asked#programmes")


@pages.post("/associations/{id}/keys/{key_id}/revoke")
@auth.logged_in()
async def revoke_submit(request: Request, caller: Caller) -> Response:
    """Revoke an API key at once."""
    await checked_form(request)
    association_id = path_id(request, what="association")
    key_id = path_id(request, "key_id", what="API key")
    async with transaction(services(request).pool) as conn:
        await associations.require_admin(conn, association_id, caller.person_id)
        await keys.revoke_key(conn, association_id, key_id)
    return see_other(f"/associations/{association_id}?done=revoked#keys")


async def _decide(request: Request, caller: Caller, decision: str) -> Response:
    """Confirm a membership request, or end a membership (refusing a request); back to the
    member list as it was filtered (the form's own query string)."""
    await checked_form(request)
    association_id = path_id(request, what="association")
    person_id = path_id(request, "person_id", what="member")
    act = members.confirm if decision == "confirm" else members.end
    async with transaction(services(request).pool) as conn:
        await associations.require_admin(conn, association_id, caller.person_id)
        await act(conn, association_id, person_id, with_emails=False)
    back = request.url.query
    return see_other(f"/associations/{association_id}?done={decision}ed&{back}#members")


@pages.post("/associations/{id}/members/{person_id}/confirm")
@auth.logged_in()
async def confirm_submit(request: Request, caller: Caller) -> Response:
    """Confirm a person's request to be a member."""
    return await _decide(request, caller, "confirm")


@pages.post("/associations/{id}/members/{person_id}/end")
@auth.logged_in()
async def end_submit(request: Request, caller: Caller) -> Response:
    """End a membership, or refuse a request."""
    return await _decide(request, caller, "end")


async def admin_context(conn: Conn) -> dict[str, Any]:
    """The admin page's association section (``_admin_associations.html``): every association
    with its admins, and the programme requests waiting for a decision."""
    listed = await repo.names(conn)
    admins = await repo.admins_of(conn, [a["id"] for a in listed])
    return {
        "associations": [{**a, "admins": admins.get(a["id"], [])} for a in listed],
        "programme_requests": (await requests.listed(conn, "pending")).requests,
        "association_choices": choices(),
    }


def routes() -> list[Route]:
    """The association pages."""
    return pages.routes
