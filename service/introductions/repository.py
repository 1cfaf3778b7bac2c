"""Introduction and outbox queries. No commits here: the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from service.kit.db import Conn
from service.programmes.schemas import ProgrammeSettings


@dataclass(frozen=True)
class EmailRow:
    """One outbox email with what its template needs, locked for delivery."""

    id: UUID
    kind: str
    status: str
    attempts: int
    message_id: str
    next_attempt_at: datetime
    created_at: datetime
    #: What the email is about (a mentorship, an invitation, a digest week) and its id.
    subject_kind: str
    subject_id: str
    #: Set when the subject is a mentorship.
    mentorship_id: UUID | None
    recipient_id: UUID
    recipient_email: str
    recipient_name: str
    #: The other side of the mentorship (absent for emails about no mentorship).
    other_id: UUID | None
    other_name: str | None
    other_headline: str | None
    other_email: str | None
    other_contact: str | None
    role: str | None  # the recipient's side: "mentee" or "mentor"
    programme_name: str | None
    reasons: list[str]
    #: When the introduction was sent, and how many days it stays open (the programme's).
    introduced_at: datetime | None
    expiry_days: int | None


def default_days(name: str) -> int:
    """A follow-up delay's default ("reminder_days", "expiry_days", "survey_days").

    ProgrammeSettings is its one definition: queries get it as a bind parameter for the
    programmes whose stored settings do not set it (created before the setting existed).
    """
    default: int = ProgrammeSettings.model_fields[name].default
    return default


#: Queues one email per row (kind, mentorship id, recipient id) of the query put in ``{}``,
#: skipping any queued before; returns the new ids. The Message-ID is the database's
#: outbox_message_id (sql/0010), its one definition.
_QUEUE_ABOUT_MENTORSHIPS = (
    "INSERT INTO outbox (kind, subject_kind, subject_id, mentorship_id, recipient_id, message_id)"
    " SELECT e.kind, 'mentorship', e.mentorship::text, e.mentorship, e.recipient,"
    "        outbox_message_id(e.kind, e.mentorship::text, e.recipient)"
    " FROM ({}) AS e(kind, mentorship, recipient)"
    " ON CONFLICT (kind, subject_kind, subject_id, recipient_id) DO NOTHING RETURNING id"
)


async def queue_email_about(
    conn: Conn,
    kind: str,
    subject_kind: str,
    subject_id: str,
    recipient_id: UUID,
    *,
    mentorship_id: UUID | None = None,
) -> UUID | None:
    """Queue one email about anything (a mentorship, an invitation, a digest week).

    None if this (kind, subject, recipient) was queued before: a retry is the same email, with
    the same Message-ID; another subject (a second invitation, next week's digest) is a new
    one. ``mentorship_id`` is given exactly when the subject is that mentorship.
    """
    oid: UUID | None = await conn.fetchval(
        "INSERT INTO outbox (kind, subject_kind, subject_id, mentorship_id, recipient_id,"
        " message_id) VALUES ($1, $2, $3, $4, $5, outbox_message_id($1, $3, $5))"
        " ON CONFLICT (kind, subject_kind, subject_id, recipient_id) DO NOTHING RETURNING id",
        kind,
        subject_kind,
        subject_id,
        mentorship_id,
        recipient_id,
    )
    return oid


async def queue_email(
    conn: Conn, kind: str, mentorship_id: UUID, recipient_id: UUID
) -> UUID | None:
    """Queue one email about a mentorship; None if this (kind, mentorship, recipient) was
    queued before."""
    return await queue_email_about(
        conn, kind, "mentorship", str(mentorship_id), recipient_id, mentorship_id=mentorship_id
    )


async def queue_introductions(conn: Conn, mentorship_ids: list[UUID]) -> list[UUID]:
    """An introduction email to each side of each mentorship (once ever per person); a
    mentorship not introduced yet is introduced now (its answer-by day counts from then)."""
    await conn.execute(
        "UPDATE mentorships SET introduced_at = now()"
        " WHERE id = ANY($1::uuid[]) AND introduced_at IS NULL",
        mentorship_ids,
    )
    return await _ids(
        conn,
        _QUEUE_ABOUT_MENTORSHIPS.format(
            "SELECT 'introduction', m.id, side.person FROM mentorships m"
            " CROSS JOIN LATERAL (VALUES (m.mentee_id), (m.mentor_id)) AS side(person)"
            " WHERE m.id = ANY($1::uuid[])"
        ),
        mentorship_ids,
    )


async def mentorships_to_introduce(conn: Conn, round_id: UUID | None = None) -> list[UUID]:
    """Pending mentorships of a published round (of ``round_id``, or of any round) whose
    introductions were never queued, between two people with verified addresses: one whose
    address is not verified (changed since the round ran) is introduced once it is, by the
    follow-up."""
    return await _ids(
        conn,
        "SELECT m.id FROM mentorships m"
        " WHERE m.source = 'round' AND m.status = 'pending' AND m.round_id IS NOT NULL"
        " AND ($1::uuid IS NULL OR m.round_id = $1)"
        " AND NOT EXISTS (SELECT 1 FROM people p WHERE p.id IN (m.mentee_id, m.mentor_id)"
        "                  AND p.email_verified_at IS NULL)"
        " AND NOT EXISTS (SELECT 1 FROM outbox o"
        "                  WHERE o.mentorship_id = m.id AND o.kind = 'introduction')"
        " ORDER BY m.id",
        round_id,
    )


async def claim_due_emails(
    conn: Conn, limit: int, stale_after: timedelta
) -> list[tuple[UUID, int]]:
    """Pending emails to enqueue now, as (id, enqueue count); marks them enqueued.

    Due, not being delivered right now (row unlocked), and either never enqueued since their
    last attempt or enqueued longer than ``stale_after`` ago (the job was lost with Redis, or
    its worker was killed).
    """
    rows = await conn.fetch(
        "WITH due AS (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= now()"
        " AND (enqueued_at IS NULL OR enqueued_at < now() - $2::interval)"
        " ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
        " UPDATE outbox o SET enqueued_at = now(), enqueues = o.enqueues + 1"
        " FROM due WHERE o.id = due.id RETURNING o.id, o.enqueues",
        limit,
        stale_after,
    )
    return [(r["id"], r["enqueues"]) for r in rows]


async def lock_email(conn: Conn, outbox_id: UUID) -> EmailRow | None:
    """An outbox email and its context, row-locked until the caller's transaction ends.

    A second delivery of the same email (a retried or duplicated job) waits on this lock and
    then finds it sent.
    """
    row = await conn.fetchrow(
        "SELECT o.id, o.kind, o.status, o.attempts, o.message_id, o.next_attempt_at, o.created_at,"
        " o.subject_kind, o.subject_id, o.mentorship_id, o.recipient_id,"
        " r.email AS recipient_email,"
        " COALESCE(r.display_name, '') AS recipient_name,"  # none yet: invited, not signed up
        " other.id AS other_id, other.display_name AS other_name,"
        " other.headline AS other_headline, other.email AS other_email,"
        " other.shared_contact AS other_contact,"
        " CASE WHEN m.mentee_id = o.recipient_id THEN 'mentee'"
        "      WHEN m.mentor_id = o.recipient_id THEN 'mentor' END AS role,"
        " p.name AS programme_name, COALESCE(CASE WHEN m.mentee_id = o.recipient_id"
        "      THEN rm.reasons ELSE rm.reasons_for_mentor END, '[]'::jsonb) AS reasons,"
        " m.introduced_at,"
        " CASE WHEN p.id IS NOT NULL"  # an email about no programme closes nothing
        "   THEN COALESCE((p.settings->>'expiry_days')::int, $2) END AS expiry_days"
        " FROM outbox o"
        " JOIN people r ON r.id = o.recipient_id"
        " LEFT JOIN mentorships m ON m.id = o.mentorship_id"
        " LEFT JOIN people other ON other.id = CASE WHEN m.mentee_id = o.recipient_id"
        "      THEN m.mentor_id ELSE m.mentee_id END"
        " LEFT JOIN programmes p ON p.id = m.programme_id"
        " LEFT JOIN round_matches rm ON rm.round_id = m.round_id AND rm.mentee_id = m.mentee_id"
        " WHERE o.id = $1 FOR UPDATE OF o",
        outbox_id,
        default_days("expiry_days"),
    )
    if row is None:
        return None
    data: dict[str, Any] = dict(row)
    data["reasons"] = [str(x) for x in data["reasons"]]
    return EmailRow(**data)


async def mark_sent(conn: Conn, outbox_id: UUID) -> None:
    """Record a delivered email."""
    await conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1,"
        " last_error = '' WHERE id = $1",
        outbox_id,
    )


async def mark_retry(conn: Conn, outbox_id: UUID, error: str, delay: timedelta) -> None:
    """Record a failed attempt that will be retried after ``delay``."""
    await conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $2,"
        " next_attempt_at = now() + $3, enqueued_at = NULL WHERE id = $1",
        outbox_id,
        error[:500],
        delay,
    )


async def mark_withdrawn(conn: Conn, outbox_id: UUID, why: str) -> None:
    """An email no longer wanted when its turn came: never sent, kept with why."""
    await conn.execute(
        "UPDATE outbox SET status = 'withdrawn', last_error = $2 WHERE id = $1",
        outbox_id,
        why,
    )


async def mark_failed(conn: Conn, outbox_id: UUID, error: str) -> None:
    """Give up on an email (a permanent refusal, or too many attempts)."""
    await conn.execute(
        "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = $2"
        " WHERE id = $1",
        outbox_id,
        error[:500],
    )


@dataclass(frozen=True)
class MentorshipRow:
    """A mentorship and both sides' answers."""

    id: UUID
    programme_id: UUID
    mentee_id: UUID
    mentor_id: UUID
    status: str
    mentee_answer: str | None
    mentor_answer: str | None


async def lock_mentorship(conn: Conn, mentorship_id: UUID) -> MentorshipRow | None:
    """A mentorship, row-locked until the caller's transaction ends."""
    row = await conn.fetchrow(
        "SELECT id, programme_id, mentee_id, mentor_id, status, mentee_answer, mentor_answer"
        " FROM mentorships WHERE id = $1 FOR UPDATE",
        mentorship_id,
    )
    return None if row is None else MentorshipRow(**dict(row))


async def record_answer(conn: Conn, mentorship_id: UUID, side: str, answer: str) -> None:
    """Store one side's answer ("accepted" or "declined")."""
    await conn.execute(
        "UPDATE mentorships SET updated_at = now(),"
        " mentee_answer = CASE WHEN $3 = 'mentee' THEN $2 ELSE mentee_answer END,"
        " mentee_answered_at = CASE WHEN $3 = 'mentee' THEN now() ELSE mentee_answered_at END,"
        " mentor_answer = CASE WHEN $3 = 'mentor' THEN $2 ELSE mentor_answer END,"
        " mentor_answered_at = CASE WHEN $3 = 'mentor' THEN now() ELSE mentor_answered_at END"
        " WHERE id = $1",
        mentorship_id,
        answer,
        side,
    )


async def set_status(conn: Conn, mentorship_id: UUID, status: str) -> None:
    """Move a mentorship on: active (both accepted), declined or expired (closed)."""
    await conn.execute(
        "UPDATE mentorships SET status = $2, updated_at = now(),"
        " accepted_at = CASE WHEN $2 = 'active' THEN now() ELSE accepted_at END,"
        " closed_at = CASE WHEN $2 IN ('declined', 'expired') THEN now() ELSE closed_at END"
        " WHERE id = $1",
        mentorship_id,
        status,
    )


@dataclass(frozen=True)
class MyMatchRow:
    """One of a person's introductions, from their side."""

    id: UUID
    programme_name: str
    role: str  # the person's side: "mentee" or "mentor"
    status: str
    my_answer: str | None
    other_answer: str | None
    other_name: str
    other_headline: str
    #: Only filled once both accepted (status "active" or later "ended").
    other_email: str | None
    other_contact: str | None
    reasons: list[str]
    created_at: datetime
    introduced_at: datetime | None
    closed_at: datetime | None
    expiry_days: int


async def my_matches(conn: Conn, person_id: UUID, only: UUID | None = None) -> list[MyMatchRow]:
    """A person's introductions (or only the one ``only``), newest first; the other's email
    only once both accepted."""
    rows = await conn.fetch(
        "SELECT m.id, p.name AS programme_name,"
        " CASE WHEN m.mentee_id = $1 THEN 'mentee' ELSE 'mentor' END AS role, m.status,"
        " CASE WHEN m.mentee_id = $1 THEN m.mentee_answer ELSE m.mentor_answer END AS my_answer,"
        " CASE WHEN m.mentee_id = $1 THEN m.mentor_answer ELSE m.mentee_answer END"
        "   AS other_answer,"
        " o.display_name AS other_name, o.headline AS other_headline,"
        " CASE WHEN m.accepted_at IS NOT NULL THEN o.email END AS other_email,"
        " CASE WHEN m.accepted_at IS NOT NULL THEN o.shared_contact END AS other_contact,"
        " COALESCE(CASE WHEN m.mentee_id = $1 THEN rm.reasons ELSE rm.reasons_for_mentor END,"
        "   '[]'::jsonb) AS reasons, m.created_at, m.introduced_at, m.closed_at,"
        " COALESCE((p.settings->>'expiry_days')::int, $2) AS expiry_days"
        " FROM mentorships m JOIN programmes p ON p.id = m.programme_id"
        " JOIN people o ON o.id = CASE WHEN m.mentee_id = $1 THEN m.mentor_id ELSE m.mentee_id END"
        " LEFT JOIN round_matches rm ON rm.round_id = m.round_id AND rm.mentee_id = m.mentee_id"
        " WHERE $1 IN (m.mentee_id, m.mentor_id) AND ($3::uuid IS NULL OR m.id = $3)"
        " ORDER BY m.created_at DESC",
        person_id,
        default_days("expiry_days"),
        only,
    )
    out = []
    for r in rows:
        data: dict[str, Any] = dict(r)
        data["reasons"] = [str(x) for x in data["reasons"]]
        out.append(MyMatchRow(**data))
    return out


async def _ids(conn: Conn, sql: str, *args: object) -> list[UUID]:
    """The ``id`` column of what ``sql`` returns (the emails it queued, the people it found)."""
    return [r["id"] for r in await conn.fetch(sql, *args)]


def _days_passed(column: str, setting: str) -> str:
    """SQL: the programme's ``setting`` (days; its default is $2) have passed since ``column``
    at $1. Names are constants of this module, never input."""
    return (
        f" {column} <= $1::timestamptz"
        f" - make_interval(days => COALESCE((p.settings->>'{setting}')::int, $2))"
    )


async def queue_reminders(conn: Conn, now: datetime) -> list[UUID]:
    """One reminder to each side that has not answered once reminder_days have passed."""
    return await _ids(
        conn,
        "WITH due AS ("  # noqa: S608 - constant SQL fragments
        " UPDATE mentorships m SET reminded_at = $1 FROM programmes p"
        " WHERE p.id = m.programme_id AND m.status = 'pending' AND m.reminded_at IS NULL AND"
        + _days_passed("m.introduced_at", "reminder_days")
        + " RETURNING m.id, m.mentee_id, m.mentor_id, m.mentee_answer, m.mentor_answer) "
        + _QUEUE_ABOUT_MENTORSHIPS.format(
            "SELECT 'reminder', due.id, side.person FROM due CROSS JOIN LATERAL"
            " (VALUES (mentee_id, mentee_answer), (mentor_id, mentor_answer))"
            "   AS side(person, answer)"
            " WHERE side.answer IS NULL"
        ),
        now,
        default_days("reminder_days"),
    )


async def expire_unanswered(conn: Conn, now: datetime) -> list[UUID]:
    """Close introductions still unanswered after expiry_days; tell both sides."""
    return await _ids(
        conn,
        "WITH gone AS ("  # noqa: S608 - constant SQL fragments
        " UPDATE mentorships m SET status = 'expired', closed_at = $1, updated_at = $1"
        " FROM programmes p WHERE p.id = m.programme_id AND m.status = 'pending' AND"
        + _days_passed("m.introduced_at", "expiry_days")
        + " RETURNING m.id, m.mentee_id, m.mentor_id, m.mentee_answer, m.mentor_answer) "
        + _QUEUE_ABOUT_MENTORSHIPS.format(
            "SELECT 'expired', gone.id, side.person"
            " FROM gone CROSS JOIN LATERAL (VALUES (mentee_id), (mentor_id)) AS side(person)"
        ),
        now,
        default_days("expiry_days"),
    )


async def queue_surveys(conn: Conn, now: datetime) -> list[UUID]:
    """The feedback survey to both sides, survey_days after both accepted (once)."""
    return await _ids(
        conn,
        _QUEUE_ABOUT_MENTORSHIPS.format(
            "SELECT 'survey', m.id, side.person"  # noqa: S608 - constant SQL fragments
            " FROM mentorships m JOIN programmes p ON p.id = m.programme_id"
            " CROSS JOIN LATERAL (VALUES (m.mentee_id), (m.mentor_id)) AS side(person)"
            " WHERE m.status = 'active' AND" + _days_passed("m.accepted_at", "survey_days")
        ),
        now,
        default_days("survey_days"),
    )


async def save_feedback(
    conn: Conn,
    mentorship_id: UUID,
    person_id: UUID,
    rating: int,
    comment: str,
    still_meeting: bool,
) -> None:
    """Store (or replace) one person's survey answer."""
    await conn.execute(
        "INSERT INTO introduction_feedback"
        " (mentorship_id, person_id, rating, comment, still_meeting) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (mentorship_id, person_id) DO UPDATE SET rating = $3, comment = $4,"
        " still_meeting = $5, updated_at = now()",
        mentorship_id,
        person_id,
        rating,
        comment,
        still_meeting,
    )


async def programme_introductions(conn: Conn, programme_id: UUID) -> list[dict[str, Any]]:
    """Every introduction of a programme as its organisers review it (names, no contacts).

    With each side's answer, the emails sent about it (failures with the server's reply) and
    the survey answers.
    """
    rows = await conn.fetch(
        "SELECT m.id, m.status, e.display_name AS mentee, o.display_name AS mentor,"
        " m.mentee_answer, m.mentor_answer, m.introduced_at, m.accepted_at, m.closed_at,"
        " COALESCE((SELECT jsonb_agg(jsonb_build_object('kind', x.kind, 'to',"
        "   CASE WHEN x.recipient_id = m.mentee_id THEN 'mentee' ELSE 'mentor' END,"
        "   'status', x.status, 'attempts', x.attempts, 'error', x.last_error)"
        "   ORDER BY x.created_at) FROM outbox x WHERE x.mentorship_id = m.id), '[]') AS emails,"
        " COALESCE((SELECT jsonb_agg(jsonb_build_object('from',"
        "   CASE WHEN f.person_id = m.mentee_id THEN 'mentee' ELSE 'mentor' END,"
        "   'rating', f.rating, 'comment', f.comment, 'still_meeting', f.still_meeting))"
        "   FROM introduction_feedback f WHERE f.mentorship_id = m.id), '[]') AS feedback"
        " FROM mentorships m JOIN people e ON e.id = m.mentee_id"
        " JOIN people o ON o.id = m.mentor_id"
        " WHERE m.programme_id = $1 ORDER BY m.created_at, m.id",
        programme_id,
    )
    return [dict(r) for r in rows]
