"""Delivering the outbox: one email per call, exactly as often as needed and never forever."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from redis.exceptions import RedisError

from service import queue
from service.errors import Conflict, NotFound
from service.introductions import mail, standing
from service.introductions import repository as repo
from service.introductions.schemas import FeedbackIn
from service.introductions.tokens import answer_token
from service.kit.db import Conn
from service.security import link_token
from service.settings import Settings

log = logging.getLogger(__name__)

#: Attempts before an email is given up on (backoff 2, 4, ... 300 s: about 25 minutes).
MAX_ATTEMPTS = 10
MAX_BACKOFF = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: exponential, capped."""
    return min(timedelta(seconds=2 ** max(attempts, 1)), MAX_BACKOFF)


def _first_name(name: str | None) -> str:
    return (name or "").split(" ")[0] or "there"


#: Emails that carry a one-time link (service/accounts; the email's kind is the link's purpose
#: and its subject the link) and the page each link opens.
LINK_PAGES = {
    "verify_email": "/verify/",
    "password_reset": "/reset/",
    "invitation": "/invitation/",
    "invitation_reminder": "/invitation/",
}
#: Kinds that carry a link of another kind's purpose: a reminder repeats the invitation's link.
LINK_PURPOSES = {"invitation_reminder": "invitation"}


def _link(row: repo.EmailRow, settings: Settings) -> str:
    page = LINK_PAGES.get(row.kind)
    if page is None or row.subject_kind != "email_link":
        return ""
    purpose = LINK_PURPOSES.get(row.kind, row.kind)
    return settings.base_url + page + link_token(settings.secret, purpose, UUID(row.subject_id))


#: What the templates of one kind need beyond the outbox row (an association's name...),
#: loaded at delivery. Domains above this one define them; the worker hands them to
#: :func:`deliver`, so this package never imports those domains. A loader may raise
#: :class:`mail.Withdrawn` (the email is no longer wanted: never sent), and may give a
#: ``one_click_unsubscribe`` URL (RFC 8058 headers).
ContextLoader = Callable[[Conn, repo.EmailRow], Awaitable[dict[str, Any]]]


def context(row: repo.EmailRow, settings: Settings) -> dict[str, Any]:
    """What the templates of ``row.kind`` can use."""
    token = (
        answer_token(settings.secret, row.mentorship_id, row.recipient_id, row.created_at)
        if row.mentorship_id
        else ""
    )
    return {
        "first_name": _first_name(row.recipient_name),
        "other_first_name": _first_name(row.other_name),
        "other_headline": row.other_headline or "",
        "other_role": "mentor" if row.role == "mentee" else "mentee",
        "programme_name": row.programme_name,
        "role": row.role,
        "other_name": row.other_name or "",
        # Only the "contacts" email, queued once both accepted, uses the other's address.
        "other_email": row.other_email if row.kind == "contacts" else "",
        "other_contact": (row.other_contact or "") if row.kind == "contacts" else "",
        "reasons": row.reasons,
        "answer_url": f"{settings.base_url}/introductions/{token}",
        "link": _link(row, settings),
        "base_url": settings.base_url,
        "answer_by": _answer_by(row),
    }


def closes_on(introduced_at: datetime, expiry_days: int) -> date:
    """The day (UTC) an introduction sent at ``introduced_at`` closes if unanswered."""
    return (introduced_at.astimezone(UTC) + timedelta(days=expiry_days)).date()


def _answer_by(row: repo.EmailRow) -> str:
    if row.expiry_days is None:
        return ""
    return standing.day_in_words(closes_on(row.introduced_at or row.created_at, row.expiry_days))


async def deliver(
    conn: Conn,
    settings: Settings,
    outbox_id: UUID,
    loaders: Mapping[str, ContextLoader] | None = None,
) -> str:
    """Send one outbox email if it is still due; safe to run any number of times at once.

    Called inside the job's transaction: the row stays locked while the SMTP server takes the
    message, so a duplicate job waits and then finds it sent. A crash after the server accepted
    it but before the commit means one more copy later, with the same Message-ID.
    ``loaders``: by kind, what else its templates need.
    """
    row = await repo.lock_email(conn, outbox_id)
    if row is None or row.status != "pending":
        return "done already"
    now = datetime.now(UTC)
    if row.next_attempt_at > now:
        return "not due"
    values = context(row, settings)
    load = (loaders or {}).get(row.kind)
    if load is not None:
        try:
            values.update(await load(conn, row))
        except mail.Withdrawn as exc:
            log.info("email %s withdrawn: %s", outbox_id, exc)
            await repo.mark_withdrawn(conn, outbox_id, str(exc))
            return "withdrawn"
    message = mail.compose(
        mail.environment(),
        row.kind,
        values,
        sender=settings.mail_from,
        recipient=(row.recipient_name, row.recipient_email),
        message_id=row.message_id,
        sent_at=row.created_at,
        unsubscribe_url=f"{settings.base_url}/me",
        one_click_unsubscribe=str(values.get("one_click_unsubscribe") or ""),
    )
    try:
        await mail.send(message, settings.smtp_url)
    except mail.PermanentFailure as exc:
        log.warning("email %s refused for good: %s", outbox_id, exc)
        await repo.mark_failed(conn, outbox_id, str(exc))
        return "failed"
    except mail.TemporaryFailure as exc:
        if row.attempts + 1 >= MAX_ATTEMPTS:
            log.warning("email %s given up after %d attempts: %s", outbox_id, MAX_ATTEMPTS, exc)
            await repo.mark_failed(conn, outbox_id, f"gave up after {MAX_ATTEMPTS}: {exc}")
            return "failed"
        await repo.mark_retry(conn, outbox_id, str(exc), backoff(row.attempts + 1))
        return "retry"
    await repo.mark_sent(conn, outbox_id)
    return "sent"


#: The worker function that delivers one outbox email (enqueued by name: the web side never
#: imports the worker).
SEND_JOB = "send_email"


def send_job_id(queue_name: str, outbox_id: UUID | str, enqueues: int = 1) -> str:
    """arq job id of one enqueueing of one email (a repeated enqueue of it is refused)."""
    return queue.job_id(queue_name, "email", outbox_id, enqueues)


async def enqueue_emails(arq: Any, outbox_ids: Sequence[str | UUID | tuple[UUID, int]]) -> int:
    """Enqueue delivery of these outbox emails (ids, or (id, enqueue count)); how many.

    Best effort: if Redis is unreachable the emails stay pending in PostgreSQL and the
    sweeper enqueues them once ``OUTBOX_RESEND_AFTER`` seconds have passed.
    """
    jobs = []
    for item in outbox_ids:
        oid, enqueues = item if isinstance(item, tuple) else (item, 1)
        jobs.append((send_job_id(arq.default_queue_name, oid, enqueues), (str(oid),)))
    try:
        # One round trip for the lot: publishing a round enqueues two emails per pair.
        return await queue.enqueue_many(arq, SEND_JOB, jobs)
    except (RedisError, OSError) as exc:
        log.warning("could not enqueue emails (the sweeper will): %s", exc)
        return 0


@dataclass(frozen=True)
class AnswerOut:
    """Where an introduction stands after an answer."""

    mentorship_id: UUID
    status: str
    your_answer: str
    other_answer: str | None
    state: standing.State
    #: Outbox emails this answer queued (to enqueue after the commit).
    emails: list[UUID]


async def answer(
    conn: Conn, mentorship_id: UUID, person_id: UUID, choice: standing.Answer
) -> AnswerOut:
    """Record ``person_id``'s answer to an introduction, or change it while that is allowed.

    The row lock makes answers to one introduction take turns, so two racing answers (both
    sides, or one side's change and the other's answer) each see the other's result. Giving
    the same answer again (a double click, a second tab) changes nothing and sends nothing
    more. An acceptance may become a decline until the other side answers; a decline is
    final, and so is a closed introduction (see :mod:`standing`). When both have accepted,
    both receive the other's contact details; when one declines, the other is told and the
    mentee is free for the next round.
    """
    m = await repo.lock_mentorship(conn, mentorship_id)
    if m is None or person_id not in (m.mentee_id, m.mentor_id):
        raise NotFound("no such introduction")
    side = "mentee" if person_id == m.mentee_id else "mentor"
    mine = m.mentee_answer if side == "mentee" else m.mentor_answer
    theirs = m.mentor_answer if side == "mentee" else m.mentee_answer
    wanted = standing.STORED[choice]
    state = standing.state_of(m.status, mine, theirs)
    if mine == wanted:
        return AnswerOut(m.id, m.status, mine, theirs, state, [])
    if choice not in standing.can_answer(state):
        (view,) = await repo.my_matches(conn, person_id, only=m.id)
        closed = view.closed_at.astimezone(UTC).date() if view.closed_at else None
        other = _first_name(view.other_name)
        raise Conflict(standing.why_not(state, other, view.programme_name, closed))
    await repo.record_answer(conn, m.id, side, wanted)
    emails: list[UUID | None] = []
    status = m.status
    other_id = m.mentor_id if side == "mentee" else m.mentee_id
    if choice == "decline":
        status = "declined"
        await repo.set_status(conn, m.id, status)
        emails.append(await repo.queue_email(conn, "declined", m.id, other_id))
    elif theirs == "accepted":
        status = "active"
        await repo.set_status(conn, m.id, status)
        for who in (m.mentee_id, m.mentor_id):
            emails.append(await repo.queue_email(conn, "contacts", m.id, who))
    log.info("%s %s introduction %s (was %s)", side, wanted, m.id, mine or "unanswered")
    return AnswerOut(
        m.id,
        status,
        wanted,
        theirs,
        standing.state_of(status, wanted, theirs),
        [e for e in emails if e is not None],
    )


#: The worker function that queues a published round's introductions (enqueued by name).
INTRODUCE_JOB = "introduce_round"


async def introduce(conn: Conn, round_id: UUID | None = None) -> list[UUID]:
    """Queue the introductions of a published round (or of every round) not queued yet.

    Publishing commits the pending mentorships and enqueues this for their round; the
    follow-up runs it for every round, so a lost job only delays them. Each email is queued
    once ever (the outbox's uniqueness), however often this runs.
    """
    return await repo.queue_introductions(conn, await repo.mentorships_to_introduce(conn, round_id))


async def follow_up(conn: Conn, now: datetime) -> dict[str, list[UUID]]:
    """Introduce, expire, remind and survey whatever is due at ``now`` (each email once)."""
    introduced = await introduce(conn)
    # Expiry first: an introduction past its expiry gets no reminder.
    expired = await repo.expire_unanswered(conn, now)
    reminders = await repo.queue_reminders(conn, now)
    surveys = await repo.queue_surveys(conn, now)
    return {
        "introduction": introduced,
        "expired": expired,
        "reminder": reminders,
        "survey": surveys,
    }


async def feedback(conn: Conn, mentorship_id: UUID, person_id: UUID, survey: FeedbackIn) -> None:
    """Record a survey answer from one side of an accepted introduction."""
    m = await repo.lock_mentorship(conn, mentorship_id)
    if m is None or person_id not in (m.mentee_id, m.mentor_id):
        raise NotFound("no such introduction")
    if m.status not in ("active", "ended"):
        raise Conflict("feedback is for introductions both of you accepted")
    await repo.save_feedback(
        conn, m.id, person_id, survey.rating, survey.comment, survey.still_meeting
    )
