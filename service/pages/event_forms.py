"""The hosts' event forms: create (/events/new), edit (/events/{id}/edit) and cancel with a
confirmation (/events/{id}/cancel). Times are typed as local date and time (datetime-local)
and read in the timezone chosen beside them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.auth import service as auth
from service.errors import DomainError, Forbidden
from service.events import service as events
from service.events.schemas import KIND_NAMES, EventIn, EventOut, EventPatch
from service.kit.api import Caller, path_id
from service.kit.db import transaction
from service.kit.html import Pages, checked_form, domain_errors, render, see_other, validate
from service.kit.state import services
from service.pages.events import event_page
from service.people import repository as people
from service.taxonomy.codes import COUNTRIES, LANGUAGES, timezone_groups

pages = Pages()
LOCAL = "%Y-%m-%dT%H:%M"
#: Which form field shows an error about each API field.
FIELD_OF = {"association_id": "host", "programme_id": "host", "ends_at": "ends_at"}
NO_TIME = "Enter a date and time"


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def _aware(local: str, zone: str) -> str:
    """A datetime-local value read in ``zone``, as ISO 8601 with its offset ("" unreadable:
    the API's own message then names the field)."""
    try:
        moment = datetime.strptime(local.strip(), LOCAL)
        return moment.replace(tzinfo=ZoneInfo(zone)).isoformat()
    except (ValueError, ZoneInfoNotFoundError):
        return local.strip()


def event_values(form: FormData) -> dict[str, Any]:
    """The event form as the API's body (the host aside); times read in the chosen zone."""
    zone = str(form.get("timezone") or "").strip()
    values: dict[str, Any] = {
        name: str(form.get(name) or "").strip()
        for name in ("title", "kind", "city", "country", "url", "description")
    }
    values["timezone"] = zone
    for name in ("starts_at", "ends_at"):
        values[name] = _aware(str(form.get(name) or ""), zone or "UTC")
    values["online"] = form.get("online") == "on"
    values["tags"] = _split(str(form.get("tags") or ""))
    values["languages"] = [v for v in form.getlist("languages") if isinstance(v, str) and v]
    capacity = str(form.get("capacity") or "").strip()
    values["capacity"] = int(capacity) if capacity.lstrip("-").isdigit() else (capacity or None)
    return values


def _shown(values: dict[str, Any], typed: FormData | None) -> dict[str, Any]:
    """The form's values as typed back (local times as the person wrote them)."""
    shown = dict(values)
    if typed is not None:
        for name in ("starts_at", "ends_at", "capacity", "host"):
            shown[name] = str(typed.get(name) or "")
    return shown


def _as_form(event: EventOut) -> dict[str, Any]:
    """A stored event as the form's values (local times in its own zone)."""
    zone = ZoneInfo(event.timezone)
    return {
        "title": event.title,
        "kind": event.kind,
        "starts_at": event.starts_at.astimezone(zone).strftime(LOCAL),
        "ends_at": event.ends_at.astimezone(zone).strftime(LOCAL),
        "timezone": event.timezone,
        "online": event.online,
        "city": event.city,
        "country": event.country,
        "tags": event.tag_labels,
        "languages": event.languages,
        "capacity": "" if event.capacity is None else str(event.capacity),
        "url": event.url,
        "description": event.description,
    }


def _errors(errors: dict[str, str]) -> dict[str, str]:
    return {FIELD_OF.get(k, k): v for k, v in errors.items()}


async def _form(
    request: Request,
    caller: Caller,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    event: EventOut | None = None,
    status: int = 200,
) -> Response:
    async with transaction(services(request).pool, readonly=True) as conn:
        hosts = await events.host_choices(conn, caller.person_id)
    if event is None and not (hosts["associations"] or hosts["programmes"]):
        raise Forbidden("only association admins and programme organisers may create events")
    context = {
        "v": values,
        "e": errors,
        "event": event,
        "hosts": hosts,
        "kinds": KIND_NAMES,
        "countries": COUNTRIES,
        "languages": LANGUAGES,
        "timezones": timezone_groups(),
    }
    return render(request, "event_form.html", context, status)


@pages.get("/events/new")
@auth.logged_in()
async def new_page(request: Request, caller: Caller) -> Response:
    """The create form (association admins, programme organisers and site admins)."""
    chosen = request.query_params.get("association_id", "")
    # The host's own zone to begin with: most events are in their host's zone (it can be
    # changed; the times typed are read in whichever is chosen).
    async with transaction(services(request).pool, readonly=True) as conn:
        me = await people.get_person(conn, caller.person_id)
    values: dict[str, Any] = {
        "host": f"association:{chosen}" if chosen else "",
        "kind": "",
        "timezone": (me.timezone if me else None) or "",
    }
    return await _form(request, caller, values=values, errors={})


def _host(raw: str) -> dict[str, str]:
    kind, _, value = raw.partition(":")
    return {"association_id": value} if kind == "association" else {"programme_id": value}


@pages.post("/events/new")
@auth.logged_in()
async def new_submit(request: Request, caller: Caller) -> Response:
    """Create the event and show it; the form again with each field's error otherwise."""
    form = await checked_form(request)
    values = event_values(form)
    host = str(form.get("host") or "")
    body, errors = validate(EventIn, {**values, **(_host(host) if host else {})})
    if body is not None:
        try:
            async with transaction(services(request).pool) as conn:
                created = await events.create_event(
                    conn, services(request).taxonomy, body, person=caller.person_id
                )
            return see_other(f"/events/{created.id}?done=created")
        except DomainError as exc:
            if exc.status != 422:
                raise
            errors = domain_errors(exc)
    if not host:
        errors["host"] = "Choose who hosts the event"
    shown = _shown(values, form)
    return await _form(request, caller, values=shown, errors=_errors(errors), status=422)


async def _hosted(request: Request, caller: Caller) -> EventOut:
    """The event in the path, if the caller is one of its hosts (404, 403 otherwise)."""
    event_id = path_id(request, what="event")
    found = services(request)
    async with transaction(found.pool, readonly=True) as conn:
        await events.require_host(conn, event_id, caller.person_id)
        return await events.get_event(conn, found.taxonomy, caller.person_id, event_id)


@pages.get("/events/{id}/edit")
@auth.logged_in()
async def edit_page(request: Request, caller: Caller) -> Response:
    """The edit form (its hosts)."""
    event = await _hosted(request, caller)
    return await _form(request, caller, values=_as_form(event), errors={}, event=event)


@pages.post("/events/{id}/edit")
@auth.logged_in()
async def edit_submit(request: Request, caller: Caller) -> Response:
    """Save the event; the form again with each field's error otherwise."""
    form = await checked_form(request)
    event = await _hosted(request, caller)
    values = event_values(form)
    patch, errors = validate(EventPatch, values)
    if patch is not None:
        try:
            async with transaction(services(request).pool) as conn:
                await events.require_host(conn, event.id, caller.person_id)
                await events.update_event(
                    conn, services(request).taxonomy, caller.person_id, event.id, patch
                )
            return see_other(f"/events/{event.id}?done=saved")
        except DomainError as exc:
            if exc.status != 422:
                raise
            errors = domain_errors(exc)
    shown = _shown(values, form)
    return await _form(
        request, caller, values=shown, errors=_errors(errors), event=event, status=422
    )


@pages.post("/events/{id}/cancel")
@auth.logged_in()
async def cancel_submit(request: Request, caller: Caller) -> Response:
    """Without ``confirm``: the event's page asks to confirm. With it: cancel the event."""
    form = await checked_form(request)
    event = await _hosted(request, caller)
    if form.get("confirm") != "yes":
        return await event_page(request, caller, event.id, confirm_cancel=True)
    async with transaction(services(request).pool) as conn:
        await events.require_host(conn, event.id, caller.person_id)
        await events.cancel_event(conn, services(request).taxonomy, caller.person_id, event.id)
    return see_other(f"/events/{event.id}?done=cancelled")


def routes() -> list[Route]:
    """The hosts' event forms (before /events/{id}, so that /events/new is this page)."""
    return pages.routes
