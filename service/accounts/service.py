"""Verifying addresses, resetting and changing passwords; shared by the API and the pages.

Links are emailed through the outbox: each is a row of ``email_links`` keeping only the hash
of its token (:func:`service.security.link_token`), so "works once", expiry and "only while
the person still has that address" are the database's to enforce.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from uuid import UUID, uuid4

import asyncpg

from service.accounts import repository as repo
from service.auth import repository as auth_repo
from service.auth.service import FAILURE_WINDOW, MAX_FAILURES
from service.errors import Conflict, DomainError, NotFound, RateLimited, ValidationFailed
from service.introductions import repository as outbox
from service.kit.db import Conn, transaction
from service.people import service as people
from service.people.repository import Person
from service.people.schemas import ProfilePatch, SignupIn
from service.security import Passwords, link_token, token_hash
from service.taxonomy.normalise import Taxonomy

#: Link purposes; each is also the kind of the email sending it (templates/email/<kind>.*).
VERIFY = "verify_email"
RESET = "password_reset"
#: What an emailed link is about, in the outbox (its id is the link's).
LINK_SUBJECT = "email_link"
LIFETIME = {VERIFY: timedelta(days=7), RESET: timedelta(hours=1)}

HOUR = timedelta(hours=1)
#: Verification emails a person may ask for again, per hour.
RESEND_LIMIT = 3
#: Password reset requests per hour, per email address and per IP address.
RESET_LIMIT = 5


class LinkRefused(DomainError):
    """An emailed link that does not work (any more)."""

    status = 410
    code = "link_refused"


_UNKNOWN = "This link is not valid. Check that it was copied whole."
_REFUSED = {
    (VERIFY, "used"): "This link was already used, so it no longer works.",
    (VERIFY, "expired"): "This link has expired. Log in and ask for a new one on your profile.",
    (VERIFY, "moved"): "This link is no longer valid: it was sent to an address this account"
    " no longer uses.",
    (RESET, "used"): "This link was already used, so it no longer works. If you still need"
    " to, ask for a new one.",
    (RESET, "expired"): "This link has expired (reset links work for one hour). Ask for a new one.",
    (RESET, "moved"): "This link is no longer valid: the account's email address has changed"
    " since it was sent. Ask for a new one.",
}


async def send_link(
    conn: Conn,
    secret: bytes,
    purpose: str,
    person_id: UUID,
    email: str,
    lifetime: timedelta | None = None,
) -> UUID:
    """Store a new link to ``email`` (working for ``lifetime``, by default its purpose's) and
    queue the email carrying it, of the kind ``purpose``; the outbox id."""
    link_id = uuid4()
    digest = token_hash(link_token(secret, purpose, link_id))
    lifetime = lifetime or LIFETIME[purpose]
    await repo.create_link(conn, link_id, purpose, person_id, email, digest, lifetime)
    queued = await outbox.queue_email_about(conn, purpose, LINK_SUBJECT, str(link_id), person_id)
    assert queued is not None  # a new link is a new subject
    return queued


async def throttle(
    conn: Conn, action: str, key: str, limit: int, window: timedelta, message: str
) -> None:
    """Count one request for ``action`` by ``key``, or refuse it (429, nothing counted) when
    ``limit`` were counted within ``window``."""
    hits, wait = await auth_repo.recent_hits(conn, action, key, window)
    if hits >= limit:
        raise RateLimited(message, retry_after=max(wait, 1))
    await auth_repo.record_hit(conn, action, key)


async def sign_up(
    conn: Conn, taxonomy: Taxonomy, secret: bytes, body: SignupIn, password_hash: str
) -> tuple[Person, UUID]:
    """Sign up (:func:`service.people.service.sign_up`) with the address unverified, and queue
    the email that verifies it; the person and that email's outbox id."""
    person = await people.sign_up(conn, taxonomy, body, password_hash)
    return person, await send_link(conn, secret, VERIFY, person.id, person.email)


async def update_profile(
    conn: Conn, taxonomy: Taxonomy, secret: bytes, person_id: UUID, patch: ProfilePatch
) -> tuple[Person, list[UUID]]:
    """Edit a profile (:func:`service.people.service.update_profile`); a new address (not only
    in another case) is unverified and sent a link. The person and any email queued."""
    before = await repo.address_of(conn, person_id, for_update=True)
    if before is None:
        raise NotFound("no such person")
    person = await people.update_profile(conn, taxonomy, person_id, patch)
    if person.email.lower() == before.email.lower():
        return person, []
    # Links sent to the old address stop working: each works only at the address it went to.
    await repo.mark_unverified(conn, person_id)
    queued = await send_link(conn, secret, VERIFY, person_id, person.email)
    return dataclasses.replace(person, email_verified=False), [queued]


async def resend_verification(conn: Conn, secret: bytes, person_id: UUID) -> tuple[str, UUID]:
    """Email a new verification link (at most :data:`RESEND_LIMIT` an hour); the address and
    the outbox id. Earlier links keep working until they expire."""
    address = await repo.address_of(conn, person_id, for_update=True)
    if address is None:
        raise NotFound("no such person")
    if address.verified:
        raise Conflict("your email address is already verified")
    await throttle(
        conn,
        "verification_resend",
        str(person_id),
        RESEND_LIMIT,
        HOUR,
        f"we have sent the link {RESEND_LIMIT} times in the last hour; check your inbox"
        " (and spam folder), or try again later",
    )
    return address.email, await send_link(conn, secret, VERIFY, person_id, address.email)


async def request_password_reset(conn: Conn, secret: bytes, email: str, ip: str) -> UUID | None:
    """Email a reset link to the signed-up person with this address, if there is one; the
    outbox id. Limited per address and per IP whether or not an account has the address, so
    neither the answer nor the limit tells anyone which addresses have accounts."""
    wait = "too many password reset requests; wait an hour and try again"
    email = email.strip()
    await throttle(conn, "password_reset_email", email.lower(), RESET_LIMIT, HOUR, wait)
    await throttle(conn, "password_reset_ip", ip, RESET_LIMIT, HOUR, wait)
    found = await repo.signed_up_person(conn, email)
    if found is None:
        return None
    person_id, stored = found
    return await send_link(conn, secret, RESET, person_id, stored)


async def check_link(conn: Conn, token: str, purpose: str) -> UUID:
    """The person of a link that works; raises :class:`LinkRefused` saying why it does not."""
    link = await repo.find_link(conn, token_hash(token), purpose)
    if link is None:
        refused = LinkRefused(_UNKNOWN)
        refused.status = 404
        raise refused
    if link.state:
        message = _REFUSED[purpose, link.state]
        if purpose == VERIFY and link.verified:
            message += " Your email address is verified."
        raise LinkRefused(message)
    return link.person_id


async def _use_link(conn: Conn, token: str, purpose: str) -> UUID:
    person_id = await repo.use_link(conn, token_hash(token), purpose)
    if person_id is None:
        await check_link(conn, token, purpose)  # raises, saying why
        raise LinkRefused(_REFUSED[purpose, "used"])  # used between the two statements
    await repo.retire_links(conn, person_id, purpose)
    return person_id


async def verify_email(conn: Conn, token: str) -> UUID:
    """Verify the address a verification link was sent to (once); the person's id."""
    person_id = await _use_link(conn, token, VERIFY)
    await repo.mark_verified(conn, person_id)
    return person_id


async def reset_password(conn: Conn, token: str, password_hash: str) -> UUID:
    """Set a new password through a reset link (once, within the hour) and end every session
    of the person; the person's id. Their failed logins are forgotten."""
    person_id = await _use_link(conn, token, RESET)
    await repo.set_password(conn, person_id, password_hash)
    await auth_repo.delete_sessions_of(conn, person_id)
    address = await repo.address_of(conn, person_id)
    assert address is not None
    await auth_repo.clear_failures(conn, address.email)
    return person_id


async def change_password(
    pool: asyncpg.Pool,
    passwords: Passwords,
    person_id: UUID,
    session_token: str,
    current: str,
    new: str,
    *,
    ip: str,
) -> None:
    """Change a logged-in person's password, ending every other session of theirs.

    Like logging in, it opens its own transactions: a wrong current password counts as a
    failed login (committed although the request fails; the login throttle applies), and
    argon2 runs outside any transaction.
    """
    async with transaction(pool) as conn:
        address = await repo.address_of(conn, person_id)
        if address is None:
            raise NotFound("no such person")
        by_email, by_ip = await auth_repo.recent_failures(conn, address.email, ip, FAILURE_WINDOW)
    if by_email >= MAX_FAILURES or by_ip >= MAX_FAILURES:
        raise RateLimited(
            "too many failed attempts; wait 15 minutes and try again",
            retry_after=int(FAILURE_WINDOW.total_seconds()),
        )
    if not await asyncio.to_thread(passwords.verify, address.password_hash, current):
        async with transaction(pool) as conn:
            await auth_repo.record_failure(conn, address.email, ip)
        message = "this is not your current password"
        raise ValidationFailed(message, fields=[{"field": "current_password", "message": message}])
    new_hash = await asyncio.to_thread(passwords.hash, new)
    async with transaction(pool) as conn:
        if not await repo.set_password(conn, person_id, new_hash, replacing=address.password_hash):
            raise Conflict("your password was changed meanwhile; try again with the new one")
        await auth_repo.delete_sessions_of(conn, person_id, keep=token_hash(session_token))
        await repo.retire_links(conn, person_id, RESET)
