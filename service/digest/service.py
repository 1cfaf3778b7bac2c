"""The weekly digest: queued for each opted-in, verified, signed-up person once per ISO week
(the outbox's uniqueness on the week), when they have a suggestion or a next step; its content
is read again when it is sent, and a digest turned off meanwhile is never sent."""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from service.digest import repository as repo
from service.digest.repository import Reader, Suggestion
from service.digest.tokens import InvalidToken, read_unsubscribe_token, unsubscribe_token
from service.introductions import repository as outbox
from service.introductions.mail import Withdrawn
from service.introductions.service import ContextLoader
from service.introductions.standing import day_in_words
from service.kit.db import Conn, transaction
from service.nextsteps import service as nextsteps
from service.nextsteps.rules import Profile, Step, aim
from service.settings import Settings

log = logging.getLogger(__name__)

#: Suggestions a digest shows at most.
TOP = 5
#: Readers looked at per transaction.
BATCH = 500


def iso_week(moment: datetime) -> str:
    """The ISO week of ``moment`` (UTC), as the digest's subject: "2027-W05"."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _profile(reader: Reader) -> Profile:
    return Profile(
        education=reader.education,
        months_leading_projects=reader.months_leading_projects,
        pm_education_hours=reader.pm_education_hours,
        held=frozenset(reader.certifications_held),
        targets=frozenset(reader.certifications_target),
        goals=frozenset(reader.goals),
    )


@dataclass(frozen=True)
class Content:
    """What one reader's digest says."""

    suggestions: list[Suggestion]
    next_step: Step | None

    @property
    def empty(self) -> bool:
        """Nothing to send."""
        return not self.suggestions and self.next_step is None


async def content(conn: Conn, reader: Reader) -> Content:
    """The reader's top suggestions still open to them, and the next step of their path."""
    found = await repo.suggestions(conn, reader.id, TOP)
    steps = await nextsteps.steps_of(
        conn, reader.id, reader.languages, reader.country, _profile(reader)
    )
    return Content(found, aim(steps))


async def queue_week(
    pool: asyncpg.Pool,
    now: datetime,
    notify: Callable[[Sequence[UUID]], Awaitable[int]],
) -> int:
    """Queue this week's digests of everyone due, a transaction per batch (each batch's emails
    enqueued after its commit by ``notify``); how many were queued.

    Called by a job with its pool, like rounds and imports: one transaction per batch, so a
    week of 50,000 readers holds no transaction for the whole run. Running it again the same
    week (a retried job, the next hour's run) queues only those not queued yet: people who
    opted in, or gained something to read, since.
    """
    week = iso_week(now)
    after: UUID | None = None
    total = 0
    while True:
        async with transaction(pool) as conn:
            readers = await repo.due_readers(conn, week, after, BATCH)
            if not readers:
                break
            wanted = [r.id for r in readers if not (await content(conn, r)).empty]
            queued = await repo.queue(conn, week, wanted)
        after = readers[-1].id
        total += len(queued)
        await notify(queued)
    log.info("queued %d digests of %s", total, week)
    return total


def unsubscribe_url(settings: Settings, person_id: UUID) -> str:
    """The reader's one-click unsubscribe link (no login needed)."""
    return f"{settings.base_url}/unsubscribe/{unsubscribe_token(settings.secret, person_id)}"


def _when(moment: datetime | None, timezone: str) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(zoneinfo.ZoneInfo(timezone))
    return f"{day_in_words(local.date())}, {local:%H:%M}"


def email_context(settings: Settings) -> dict[str, ContextLoader]:
    """What a digest's templates need, read when it is sent (by the worker's delivery)."""

    async def load(conn: Conn, row: outbox.EmailRow) -> dict[str, Any]:
        reader = await repo.reader(conn, row.recipient_id)
        if reader is None:
            raise Withdrawn("the digest was turned off (or the address unverified) before it went")
        found = await content(conn, reader)
        if found.empty:
            raise Withdrawn("nothing left to suggest when it was due to go")
        base = settings.base_url
        step = found.next_step
        return {
            "week": row.subject_id,
            "suggestions": [
                {
                    "title": s.title,
                    "kind": s.kind,
                    "url": f"{base}/{'events' if s.kind == 'event' else 'associations'}/{s.id}",
                    "when": _when(s.starts_at, reader.timezone),
                    "where": "online" if s.online else s.city,
                    "reasons": s.reasons[:2],
                }
                for s in found.suggestions
            ],
            "next_step": None
            if step is None
            else {
                "name": step.name,
                "eligible": step.eligible,
                "missing": step.missing,
                "events": [
                    {
                        "title": e.title,
                        "url": f"{base}/events/{e.id}",
                        "when": _when(e.starts_at, reader.timezone),
                    }
                    for e in step.events
                ],
            },
            "suggestions_url": f"{base}/suggestions",
            "next_steps_url": f"{base}/next-steps",
            "settings_url": f"{base}/me/edit",
            "unsubscribe_url": unsubscribe_url(settings, reader.id),
            "one_click_unsubscribe": unsubscribe_url(settings, reader.id),
        }

    return {repo.KIND: load}


class LinkRefused(Exception):
    """An unsubscribe link that is not one of ours."""


def check_token(secret: bytes, token: str) -> UUID:
    """The person of an unsubscribe link; raises :class:`LinkRefused`."""
    try:
        return read_unsubscribe_token(secret, token)
    except InvalidToken as exc:
        raise LinkRefused(str(exc)) from None


async def unsubscribe(conn: Conn, secret: bytes, token: str) -> bool:
    """Turn the digest of the link's person off; whether it was on (False also when the
    person no longer exists: nothing is sent to them either way)."""
    person_id = check_token(secret, token)
    return bool(await repo.turn_off(conn, person_id))
