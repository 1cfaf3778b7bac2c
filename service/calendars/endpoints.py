"""Calendar import API: an association's events from an .ics file, with the report."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.responses import Response

from service.calendars import service
from service.calendars.schemas import CalendarForm, CalendarReport
from service.kit.api import ApiRouter, Call, Upload, association_admin, respond

router = ApiRouter(tag="events")

_FILE = "the calendar: an iCalendar (.ics) file as Google Calendar, Outlook, Meetup or"
_FILE += f" Eventbrite export it; at most {service.MAX_UPLOAD // 2**20} MiB"


@router.route(
    "/associations/{id}/events/import",
    "POST",
    summary="Import the association's events from an iCalendar (.ics) file: recurring events"
    " for the coming 90 days; importing again updates them (by UID), never duplicates; with"
    " full_sync, upcoming imported events the file no longer has are cancelled",
    access=association_admin(),
    upload=Upload(max_bytes=service.MAX_UPLOAD, description=_FILE, fields=CalendarForm),
    response=CalendarReport,
    errors=(401, 403, 404, 413, 415, 422),
)
async def import_events(call: Call) -> Response:
    """Read the file, store its good events in one transaction, report the others."""
    association_id = call.path_id("association")
    async with call.transaction(readonly=True) as conn:
        home = await service.home_of(conn, association_id)
    upload = call.upload()
    assert isinstance(upload.fields, CalendarForm)
    data = await upload.file.read()
    reading = await service.read(data, home, call.services.taxonomy, datetime.now(UTC))
    async with call.transaction() as conn:
        report = await service.apply(
            conn,
            association_id,
            reading,
            file_name=upload.file.filename or "",
            created_by=call.person,
            full_sync=upload.fields.full_sync,
        )
    return respond(report)
