"""Job functions: plain ``async def job(ctx, ...)`` taking ids, idempotent.

Each job is a boundary: it opens the transaction and hands its connection to the domain.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from service.accounts import repository as accounts_repo
from service.auth import repository as auth_repo
from service.digest import service as digest
from service.imports import run
from service.imports import service as imports
from service.introductions import repository as intro_repo
from service.introductions import service as introductions
from service.invitations import service as invitations
from service.kit.db import transaction
from service.rounds import service as rounds
from service.suggestions import refresh

log = logging.getLogger(__name__)

# Login failures are only needed for the 15-minute throttle; a day's worth helps investigations.
KEEP_FAILURES = timedelta(days=1)
#: Uploaded member files no import waits for are deleted once this old (a fresh upload may
#: not have its import recorded yet).
KEEP_UPLOADS = timedelta(hours=1)
#: Emails one sweep enqueues at most (the next sweep takes the rest).
SWEEP_LIMIT = 5000


async def purge_expired(ctx: dict[str, Any]) -> dict[str, int]:
    """Delete expired sessions, old login failures, requests counted by rate limits, emailed
    links expired a day ago and uploaded member files no import needs (safe to run any number
    of times)."""
    async with transaction(ctx["pool"]) as conn:
        sessions, failures = await auth_repo.purge_expired(conn, KEEP_FAILURES)
        hits = await auth_repo.purge_hits(conn, KEEP_FAILURES)
        links = await accounts_repo.purge_links(conn, KEEP_FAILURES)
        files = await imports.purge_files(conn, ctx["settings"].home, KEEP_UPLOADS)
    if sessions or failures or hits or links or files:
        log.info(
            "purged %d expired sessions, %d old login failures, %d rate limit records, %d"
            " expired links and %d uploaded files",
            sessions,
            failures,
            hits,
            links,
            files,
        )
    return {
        "sessions": sessions,
        "login_failures": failures,
        "rate_limit_hits": hits,
        "email_links": links,
        "import_files": files,
    }


async def run_round(ctx: dict[str, Any], round_id: str) -> str:
    """Run a matching round to a draft; safe to run again (a finished round is left alone)."""
    return await rounds.run_round(ctx["pool"], UUID(round_id), ctx["cpu"])


async def run_import(ctx: dict[str, Any], import_id: str) -> str:
    """Run a member import to done or failed, then enqueue the emails it queued; safe to run
    again (a finished import is left alone)."""
    redis = ctx["redis"]

    async def notify(ids: Sequence[UUID]) -> int:
        return await introductions.enqueue_emails(redis, ids)

    return await run.run_import(ctx["pool"], UUID(import_id), notify)


async def send_email(ctx: dict[str, Any], outbox_id: str) -> str:
    """Deliver one outbox email if it is still pending and due (idempotent)."""
    settings = ctx["settings"]
    loaders = {**invitations.email_context(settings.secret), **digest.email_context(settings)}
    async with transaction(ctx["pool"]) as conn:
        return await introductions.deliver(conn, settings, UUID(outbox_id), loaders)


async def queue_digests(ctx: dict[str, Any]) -> int:
    """Queue this ISO week's digest of each opted-in, verified person who has something to read
    and none queued yet (once per person and week, however often it runs), then enqueue their
    deliveries."""
    redis = ctx["redis"]

    async def notify(ids: Sequence[UUID]) -> int:
        return await introductions.enqueue_emails(redis, ids)

    return await digest.queue_week(ctx["pool"], datetime.now(UTC), notify)


async def sweep_outbox(ctx: dict[str, Any]) -> int:
    """Enqueue every due, unsent email: nothing is lost to a dropped job or a Redis restart."""
    stale = timedelta(seconds=ctx["settings"].outbox_resend_after)
    async with transaction(ctx["pool"]) as conn:
        due = await intro_repo.claim_due_emails(conn, SWEEP_LIMIT, stale)
    return await introductions.enqueue_emails(ctx["redis"], due)


async def introduce_round(ctx: dict[str, Any], round_id: str) -> int:
    """Queue and enqueue the introductions of a published round (idempotent: each email once)."""
    async with transaction(ctx["pool"]) as conn:
        emails = await introductions.introduce(conn, UUID(round_id))
    await introductions.enqueue_emails(ctx["redis"], emails)
    return len(emails)


async def follow_up_introductions(ctx: dict[str, Any]) -> dict[str, int]:
    """Reminders, expiries and surveys that are due, then their delivery."""
    async with transaction(ctx["pool"]) as conn:
        queued = await introductions.follow_up(conn, datetime.now(UTC))
    emails = [oid for ids in queued.values() for oid in ids]
    await introductions.enqueue_emails(ctx["redis"], emails)
    return {kind: len(ids) for kind, ids in queued.items()}


async def follow_up_invitations(ctx: dict[str, Any]) -> int:
    """The one reminder of each invitation left unanswered, then its delivery."""
    after = timedelta(days=ctx["settings"].invitation_reminder_days)
    async with transaction(ctx["pool"]) as conn:
        emails = await invitations.remind(conn, datetime.now(UTC), after)
    await introductions.enqueue_emails(ctx["redis"], emails)
    return len(emails)


async def refresh_suggestions(ctx: dict[str, Any]) -> dict[str, Any]:
    """Recompute everyone's suggestions when the catalogue changed (or daily), else those of
    the people whose data changed; in the process pool, one run at a time (safe to run twice
    at once: the second says "busy")."""
    fitted = ctx.setdefault("suggestions", refresh.Fitted())
    return await refresh.refresh(ctx["pool"], ctx["cpu"], fitted, datetime.now(UTC))
