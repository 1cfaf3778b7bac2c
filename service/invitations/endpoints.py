"""Resending an invitation: /api/v1/associations/{id}/members/{person_id}/invitation."""

from __future__ import annotations

from starlette.responses import Response

from service.introductions.service import enqueue_emails
from service.invitations import service
from service.invitations.schemas import InvitationSentOut
from service.kit.api import ApiRouter, Call, association_admin, respond

router = ApiRouter(tag="associations")


@router.route(
    "/associations/{id}/members/{person_id}/invitation",
    "POST",
    summary="Send an invited member (imported, not yet in Kickoff) a new invitation; the"
    " earlier link stops working (3 a day per person)",
    access=association_admin(),
    response=InvitationSentOut,
    status=202,
    errors=(401, 403, 404, 429),
)
async def resend_invitation(call: Call) -> Response:
    """Retire the member's invitation link and email a new one."""
    association_id = call.path_id("association")
    person_id = call.path_id("invited member", "person_id")
    found = call.services
    async with call.transaction() as conn:
        email = await service.resend_invitation(
            conn, found.settings.secret, association_id, person_id
        )
    await enqueue_emails(found.arq, [email])
    message = (
        "We have emailed a new invitation; the link in the earlier one no longer works. It"
        f" works for {service.LIFETIME.days} days."
    )
    return respond(InvitationSentOut(person_id=person_id, message=message), 202)
