"""The outbox on real PostgreSQL: emails about any subject, one Message-ID format, and the
follow-up delays read from a programme's settings the way ProgrammeSettings reads them."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from service.introductions import repository as repo
from service.introductions.service import follow_up
from service.kit.db import transaction
from service.programmes.schemas import ProgrammeSettings


async def _person(conn: Any, name: str, *, mentor: bool = False) -> UUID:
    pid: UUID = await conn.fetchval(
        "INSERT INTO people (email, password_hash, display_name, is_mentee, is_mentor,"
        " mentor_capacity, timezone) VALUES ($1, 'x', $2, NOT $3, $3,"
        " CASE WHEN $3 THEN 3 END, 'UTC') RETURNING id",
        f"{name}.{uuid.uuid4().hex[:6]}@example.org",
        name,
        mentor,
    )
    return pid


async def _programme(conn: Any, settings: dict[str, Any]) -> UUID:
    pid: UUID = await conn.fetchval(
        "INSERT INTO programmes (name, settings) VALUES ('Spring', $1) RETURNING id", settings
    )
    return pid


async def _mentorship(conn: Any, programme: UUID, mentee: UUID, mentor: UUID, **cols: Any) -> UUID:
    mid: UUID = await conn.fetchval(
        "INSERT INTO mentorships (programme_id, mentee_id, mentor_id, source, status,"
        " introduced_at, accepted_at) VALUES ($1, $2, $3, 'round', $4, $5, $6) RETURNING id",
        programme,
        mentee,
        mentor,
        cols.get("status", "pending"),
        cols.get("introduced_at"),
        cols.get("accepted_at"),
    )
    return mid


async def _message_ids(conn: Any) -> dict[UUID, str]:
    return {r["id"]: r["message_id"] for r in await conn.fetch("SELECT id, message_id FROM outbox")}


async def test_a_retry_is_the_same_email_and_another_subject_a_new_one(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        ana = await _person(conn, "ana")
        bo = await _person(conn, "bo", mentor=True)
        mid = await _mentorship(conn, await _programme(conn, {}), ana, bo)

        # This week's digest, queued twice (a retried job): one email.
        week = await repo.queue_email_about(conn, "digest", "digest_week", "2027-W05", ana)
        assert week is not None
        assert await repo.queue_email_about(conn, "digest", "digest_week", "2027-W05", ana) is None
        # Next week's digest, and the same week's to someone else: new emails.
        later = await repo.queue_email_about(conn, "digest", "digest_week", "2027-W06", ana)
        other = await repo.queue_email_about(conn, "digest", "digest_week", "2027-W05", bo)
        # Two invitations to the same person are two emails.
        first, second = uuid.uuid4(), uuid.uuid4()
        inv1 = await repo.queue_email_about(conn, "invitation", "invitation", str(first), ana)
        inv2 = await repo.queue_email_about(conn, "invitation", "invitation", str(second), ana)
        # Emails of a mentorship: as before, once per (kind, mentorship, recipient).
        declined = await repo.queue_email(conn, "declined", mid, ana)
        assert await repo.queue_email(conn, "declined", mid, ana) is None
        assert (
            await conn.fetchval("SELECT introduced_at FROM mentorships WHERE id = $1", mid) is None
        )
        intro = await repo.queue_introductions(conn, [mid])
        assert len(intro) == 2 and await repo.queue_introductions(conn, [mid]) == []
        # Introducing it dates it: reminders and expiry count from then.
        assert await conn.fetchval("SELECT introduced_at FROM mentorships WHERE id = $1", mid)

        ids = await _message_ids(conn)
        assert len(ids) == 8 and len(set(ids.values())) == 8
        assert ids[week] == f"<digest.2027-W05.{ana}@kickoff>"
        assert ids[later] == f"<digest.2027-W06.{ana}@kickoff>"
        assert ids[other] == f"<digest.2027-W05.{bo}@kickoff>"
        assert ids[inv1] == f"<invitation.{first}.{ana}@kickoff>"
        assert ids[inv2] == f"<invitation.{second}.{ana}@kickoff>"
        # A mentorship's emails keep the Message-IDs they always had.
        assert ids[declined] == f"<declined.{mid}.{ana}@kickoff>"
        assert {ids[i] for i in intro} == {
            f"<introduction.{mid}.{ana}@kickoff>",
            f"<introduction.{mid}.{bo}@kickoff>",
        }
        subjects = await conn.fetch(
            "SELECT subject_kind, subject_id, mentorship_id FROM outbox WHERE id = ANY($1)",
            [declined, *intro],
        )
        assert {tuple(r) for r in subjects} == {("mentorship", str(mid), mid)}

        # Delivery reads an email about no mentorship: no other side, no programme.
        async with conn.transaction():
            row = await repo.lock_email(conn, inv1)
        assert row is not None and row.message_id == ids[inv1]
        assert (row.subject_kind, row.subject_id, row.mentorship_id) == (
            "invitation",
            str(first),
            None,
        )
        assert row.other_id is None and row.programme_name is None and row.expiry_days is None


@pytest.mark.parametrize(
    ("subject_kind", "subject_id", "mentorship"),
    [
        pytest.param("mentorship", None, False, id="mentorship-subject-without-mentorship"),
        pytest.param("invitation", None, True, id="mentorship-id-on-another-subject"),
        pytest.param("mentorship", str(uuid.uuid4()), True, id="mentorship-id-not-the-subject"),
        pytest.param("digest_week", "2027.W05", False, id="dot-in-subject-id"),
        pytest.param("Digest", "2027-W05", False, id="subject-kind-not-lowercase"),
    ],
)
async def test_inconsistent_subjects_are_refused(
    pool: asyncpg.Pool, subject_kind: str, subject_id: str | None, mentorship: bool
) -> None:
    async with pool.acquire() as conn:
        ana = await _person(conn, "ana")
        mid = await _mentorship(conn, await _programme(conn, {}), ana, await _person(conn, "bo"))
        with pytest.raises(asyncpg.CheckViolationError):
            await repo.queue_email_about(
                conn,
                "digest",
                subject_kind,
                subject_id or str(mid),
                ana,
                mentorship_id=mid if mentorship else None,
            )
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param({}, id="settings-from-before-the-delays"),
        pytest.param({"reminder_days": 2}, id="reminder-set-expiry-default"),
        pytest.param({"expiry_days": 12, "survey_days": 3}, id="reminder-and-survey-default"),
    ],
)
async def test_follow_up_delays_are_the_programme_settings_as_the_api_reads_them(
    pool: asyncpg.Pool, stored: dict[str, int]
) -> None:
    # What the API shows for these stored settings (defaults filled in) is what the follow-up
    # job, the emails and My matches use.
    expected = ProgrammeSettings.model_validate(stored)
    t0 = datetime(2027, 3, 1, 9, tzinfo=UTC)
    hour, day = timedelta(hours=1), timedelta(days=1)
    async with pool.acquire() as conn:
        programme = await _programme(conn, stored)
        waiting = await _person(conn, "wanda")
        mentor = await _person(conn, "mo", mentor=True)
        pending = await _mentorship(conn, programme, waiting, mentor, introduced_at=t0)
        both = await _mentorship(
            conn,
            programme,
            await _person(conn, "alex"),
            mentor,
            status="active",
            introduced_at=t0,
            accepted_at=t0,
        )
        intro = await repo.queue_introductions(conn, [pending])
        async with conn.transaction():
            email = await repo.lock_email(conn, intro[0])
        assert email is not None and email.expiry_days == expected.expiry_days
        mine = await repo.my_matches(conn, waiting)
        assert [(m.id, m.expiry_days) for m in mine] == [(pending, expected.expiry_days)]

    # An hour before each delay none of its emails, an hour after one to each side (nobody
    # answered the waiting one), checked in time order with the follow-up job run each time.
    events = {
        "reminder": expected.reminder_days,
        "expired": expected.expiry_days,
        "survey": expected.survey_days,
    }
    checks = sorted(
        (days * day + side * hour, kind, 0 if side < 0 else 2)
        for kind, days in events.items()
        for side in (-1, 1)
    )
    queued: Counter[str] = Counter()
    for at, kind, count in checks:
        queued.update({k: len(v) for k, v in (await _follow_up(pool, t0 + at)).items()})
        assert queued[kind] == count, f"{queued[kind]} {kind} emails after {at}"
    statuses = await pool.fetch(
        "SELECT id, status FROM mentorships WHERE id = ANY($1)", [pending, both]
    )
    assert dict((r["id"], r["status"]) for r in statuses) == {pending: "expired", both: "active"}


async def _follow_up(pool, now):
    async with transaction(pool) as conn:
        return await follow_up(conn, now)
