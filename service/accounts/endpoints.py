"""Sign-up and profile edits (which send verification links), resending the link, password
reset and password change: /api/v1/people, /api/v1/me... and /api/v1/auth/password-reset."""

from __future__ import annotations

from starlette.background import BackgroundTask
from starlette.responses import Response

from service.accounts import service
from service.accounts.schemas import (
    PasswordChangeIn,
    PasswordResetIn,
    PasswordResetOut,
    VerificationOut,
)
from service.introductions.service import enqueue_emails
from service.kit.api import ANYONE, PERSON, ApiRouter, Call, respond
from service.kit.sessions import client_ip
from service.people import service as people
from service.people.schemas import ProfileOut, ProfilePatch, SignupIn

#: Operations on people (documented beside the people package's).
people_router = ApiRouter(tag="people")
#: Operations on passwords (documented beside login and logout).
auth_router = ApiRouter(tag="auth")

#: The answer to every password reset request, whether or not an account has the address.
RESET_SENT = (
    "If an account uses this email address, we have sent it a link to choose a new password."
    " The link works once, within one hour."
)


@people_router.route(
    "/people",
    "POST",
    summary="Sign up as a mentee, a mentor or both; emails a link that verifies the address",
    access=ANYONE,
    body=SignupIn,
    response=ProfileOut,
    status=201,
    errors=(400, 409, 413, 415, 422),
)
async def sign_up(call: Call) -> Response:
    """Create an account and its profile, and email the verification link."""
    body = call.body(SignupIn)
    found = call.services
    password_hash = await people.hash_password(found.passwords, body)
    async with call.transaction() as conn:
        person, email = await service.sign_up(
            conn, found.taxonomy, found.settings.secret, body, password_hash
        )
    await enqueue_emails(found.arq, [email])
    return respond(people.profile_out(person, found.taxonomy), 201)


@people_router.route(
    "/me",
    "PATCH",
    summary="Edit my profile (only the fields sent change); a new email must be verified again",
    access=PERSON,
    body=ProfilePatch,
    response=ProfileOut,
    errors=(400, 401, 409, 413, 415, 422),
)
async def patch_me(call: Call) -> Response:
    """Apply a partial edit to the caller's profile."""
    found = call.services
    async with call.transaction() as conn:
        person, emails = await service.update_profile(
            conn,
            found.taxonomy,
            found.settings.secret,
            call.caller.person_id,
            call.body(ProfilePatch),
        )
    await enqueue_emails(found.arq, emails)
    return respond(people.profile_out(person, found.taxonomy))


@people_router.route(
    "/me/verification",
    "POST",
    summary="Email me the link that verifies my address again (3 an hour)",
    access=PERSON,
    response=VerificationOut,
    status=202,
    errors=(401, 409, 429),
)
async def resend_verification(call: Call) -> Response:
    """Send a new verification link to the caller's (unverified) address."""
    found = call.services
    async with call.transaction() as conn:
        address, email = await service.resend_verification(
            conn, found.settings.secret, call.caller.person_id
        )
    await enqueue_emails(found.arq, [email])
    out = VerificationOut(email=address, message=f"We have sent a new link to {address}.")
    return respond(out, 202)


@auth_router.route(
    "/auth/password-reset",
    "POST",
    summary="Email a link to choose a new password (same answer for any address)",
    access=ANYONE,
    body=PasswordResetIn,
    response=PasswordResetOut,
    status=202,
    errors=(400, 413, 415, 422, 429),
)
async def request_password_reset(call: Call) -> Response:
    """Queue a reset link for the account with this address, if any; 5 an hour per address
    and per IP."""
    found = call.services
    async with call.transaction() as conn:
        email = await service.request_password_reset(
            conn, found.settings.secret, call.body(PasswordResetIn).email, client_ip(call.request)
        )
    response = respond(PasswordResetOut(message=RESET_SENT), 202)
    if email is not None:
        # After the response is sent, so that its timing does not tell known addresses apart.
        response.background = BackgroundTask(enqueue_emails, found.arq, [email])
    return response


@auth_router.route(
    "/me/password",
    "POST",
    summary="Change my password; ends every other session of mine",
    access=PERSON,
    body=PasswordChangeIn,
    status=204,
    errors=(400, 401, 409, 413, 415, 422, 429),
)
async def change_password(call: Call) -> Response:
    """Check the current password (a wrong one counts as a failed login) and set the new one."""
    body = call.body(PasswordChangeIn)
    found = call.services
    await service.change_password(
        found.pool,
        found.passwords,
        call.caller.person_id,
        call.caller.token,
        body.current_password,
        body.new_password,
        ip=client_ip(call.request),
    )
    return Response(status_code=204)
