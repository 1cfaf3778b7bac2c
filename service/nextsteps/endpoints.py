"""/api/v1/me/next-steps: which certification fits the caller now, and what is missing."""

from __future__ import annotations

from starlette.responses import Response

from service.kit.api import PERSON, ApiRouter, Call, respond
from service.nextsteps import service
from service.nextsteps.schemas import NextStepsOut

router = ApiRouter(tag="next steps")


@router.route(
    "/me/next-steps",
    "GET",
    summary="My certification path: for each certification, whether it fits now, what is"
    " missing (published rules, with their source) and upcoming events that help",
    access=PERSON,
    response=NextStepsOut,
    errors=(401,),
)
async def get_next_steps(call: Call) -> Response:
    """The caller's next steps."""
    async with call.transaction(readonly=True) as conn:
        steps = await service.next_steps(conn, call.caller.person_id)
    return respond(steps)
