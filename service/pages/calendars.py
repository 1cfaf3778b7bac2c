"""The calendar import page of an association, for its admins (and site admins): choose an
.ics file, then read the report (what is new, updated, unchanged, and each event left out with
why). The same domain functions as the API and ``kickoff events import``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.associations import service as associations
from service.auth import service as auth
from service.calendars import service as calendars
from service.calendars.parse import NotACalendar
from service.calendars.schemas import CalendarReport
from service.kit.api import Caller, path_id
from service.kit.db import transaction
from service.kit.html import Pages, checked_form, render
from service.kit.state import services

pages = Pages()
IMPORT_PATH = "/associations/{id}/events/import"
#: The page that takes a file, and how large it may be (the app's body limit reads this).
UPLOAD_PAGES = (("POST", IMPORT_PATH, calendars.MAX_UPLOAD),)


async def _association(request: Request, caller: Caller, association_id: UUID) -> Any:
    """The association, if the caller may import its events (404/403 otherwise)."""
    async with transaction(services(request).pool, readonly=True) as conn:
        await associations.require_admin(conn, association_id, caller.person_id)
        return await associations.get_association(
            conn, services(request).taxonomy, caller.person_id, association_id
        )


async def _page(
    request: Request,
    association: Any,
    *,
    report: CalendarReport | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    context = {
        "association": association,
        "report": report,
        "when": (
            {e.id: _local(e.starts_at, e.timezone) for e in report.events + report.cancelled_events}
            if report
            else {}
        ),
        "error": error,
        "max_mib": calendars.MAX_UPLOAD // 2**20,
    }
    return render(request, "calendar_import.html", context, status)


def _local(moment: datetime, zone: str) -> str:
    """When an event starts, in its own zone: 'Tue 5 Jan 2027, 19:00 (Europe/Lisbon)'."""
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        local, zone = moment.astimezone(UTC), "UTC"
    return f"{local:%a %-d %b %Y, %H:%M} ({zone.replace('_', ' ')})"


@pages.get(IMPORT_PATH)
@auth.logged_in()
async def import_page(request: Request, caller: Caller) -> Response:
    """Choose a calendar file."""
    association_id = path_id(request, what="association")
    return await _page(request, await _association(request, caller, association_id))


@pages.post(IMPORT_PATH)
@auth.logged_in("/associations")
async def import_submit(request: Request, caller: Caller) -> Response:
    """Import the chosen file and show the report (importing it again changes nothing)."""
    association_id = path_id(request, what="association")
    try:
        form = await checked_form(request)
        association = await _association(request, caller, association_id)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await _page(request, association, error="Choose a calendar file.", status=422)
        data = await upload.read()
        name = upload.filename
        full_sync = form.get("full_sync") == "on"
    finally:
        # The upload's spooled copy, also when the form is refused (Starlette keeps the form).
        await (await request.form()).close()
    found = services(request)
    async with transaction(found.pool, readonly=True) as conn:
        home = await calendars.home_of(conn, association_id)
    try:
        reading = await calendars.read(data, home, found.taxonomy, datetime.now(UTC))
    except NotACalendar as exc:
        return await _page(request, association, error=exc.message, status=422)
    async with transaction(found.pool) as conn:
        report = await calendars.apply(
            conn,
            association_id,
            reading,
            file_name=name,
            created_by=caller.person_id,
            full_sync=full_sync,
        )
    return await _page(request, association, report=report)


def routes() -> list[Route]:
    """The calendar import pages."""
    return pages.routes
