"""Round operations shared by the API, the CLI and the worker."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import fields
from typing import Any
from uuid import UUID

import asyncpg
from arq import ArqRedis
from redis.exceptions import RedisError

from matching.metrics import RoundMetrics
from matching.pipeline import solve_and_explain
from service.errors import Conflict, NotFound, ValidationFailed
from service.introductions.service import INTRODUCE_JOB
from service.kit.db import Conn
from service.kit.processes import ProcessPool
from service.people.availability import now_week
from service.programmes import repository as programmes
from service.programmes.schemas import ProgrammeSettings
from service.queue import job_id
from service.rounds import repository as repo
from service.rounds.entry import enter
from service.rounds.participants import Participants, custom_tag_texts, load_members
from service.rounds.problem import build_problem, match_rows, unmatched_rows
from service.rounds.schemas import (
    Headcount,
    MatchPage,
    NotEnteredPage,
    OverrideIn,
    PublishOut,
    RoleCount,
    RoundList,
    RoundOut,
    RoundReport,
)
from service.taxonomy.repository import load_taxonomy

log = logging.getLogger(__name__)
JOB_NAME = "run_round"


async def enqueue_round(arq: ArqRedis, round_id: UUID) -> None:
    """After the commit that queued it, the job that runs the round (by name: the web side
    never imports the worker)."""
    await arq.enqueue_job(
        JOB_NAME, str(round_id), _job_id=job_id(arq.default_queue_name, "round", round_id)
    )


async def enqueue_introductions(arq: ArqRedis, round_id: UUID) -> None:
    """After the commit that published it, the job that queues and sends the round's
    introductions (should it be lost, the follow-up cron introduces the round within a
    minute, so Redis being away is no error here)."""
    with contextlib.suppress(RedisError, OSError):
        await arq.enqueue_job(
            INTRODUCE_JOB,
            str(round_id),
            _job_id=job_id(arq.default_queue_name, "introduce", round_id),
        )


def round_out(row: repo.RoundRow) -> RoundOut:
    """API view of a round."""
    return RoundOut(**row.__dict__)


async def queue_round(
    conn: Conn,
    programme_id: UUID,
    overrides: dict[str, Any],
    created_by: UUID | None,
) -> UUID:
    """Queue a round with the programme's settings overlaid by ``overrides`` (409 if busy)."""
    programme = await programmes.get_programme(conn, programme_id)
    if programme is None:
        raise NotFound("no such programme")
    settings = ProgrammeSettings.model_validate(programme.settings or {}).model_dump()
    settings.update(overrides)
    try:
        async with conn.transaction():  # a savepoint: the caller's transaction stays usable
            return await repo.insert_round(conn, programme_id, settings, created_by)
    except asyncpg.UniqueViolationError:
        raise Conflict("a round of this programme is already queued or running") from None


async def get_round(conn: Conn, round_id: UUID) -> repo.RoundRow:
    """The round (404 when there is none)."""
    row = await repo.get_round(conn, round_id)
    if row is None:
        raise NotFound("no such round")
    return row


async def list_rounds(conn: Conn, programme_id: UUID, limit: int, offset: int) -> RoundList:
    """A page of the programme's rounds, newest first."""
    rows, total = await repo.list_rounds(conn, programme_id, limit, offset)
    return RoundList(rounds=[round_out(r) for r in rows], total=total, limit=limit, offset=offset)


async def last_rounds(conn: Conn, programme_ids: list[UUID]) -> dict[UUID, RoundOut]:
    """The newest round of each of the programmes that has one."""
    found = await repo.last_rounds(conn, programme_ids)
    return {pid: round_out(row) for pid, row in found.items()}


async def match_page(
    conn: Conn, round_id: UUID, limit: int, offset: int, unmatched_offset: int | None = None
) -> MatchPage:
    """A page of matches and one of unmatched mentees (from ``offset`` too, unless
    ``unmatched_offset`` says where; the page reports ``offset``)."""
    await get_round(conn, round_id)
    matches, total = await repo.list_matches(conn, round_id, limit, offset)
    unmatched, unmatched_total = await repo.list_unmatched(
        conn, round_id, limit, offset if unmatched_offset is None else unmatched_offset
    )
    return MatchPage.model_validate(
        {
            "total": total,
            "limit": limit,
            "offset": offset,
            "matches": matches,
            "unmatched_total": unmatched_total,
            "unmatched": unmatched,
        }
    )


async def not_entered_page(
    conn: Conn, round_id: UUID, role: str | None, limit: int, offset: int
) -> NotEnteredPage:
    """A page of the members the round did not enter, with why."""
    await get_round(conn, round_id)
    rows, total = await repo.list_not_entered(conn, round_id, role, limit, offset)
    return NotEnteredPage.model_validate(
        {"total": total, "limit": limit, "offset": offset, "not_entered": rows}
    )


async def participants(conn: Conn, programme_id: UUID, settings: ProgrammeSettings) -> Participants:
    """Who a round of the programme with these settings takes, and who it does not."""
    return enter(await load_members(conn, programme_id), settings)


def headcount(data: Participants) -> Headcount:
    """Every member by role: entered, or not and why (members = entered + not entered)."""

    def count(role: str, entered: int) -> RoleCount:
        reasons: dict[str, int] = {}
        for x in data.not_entered:
            if x.role == role:
                reasons[x.code] = reasons.get(x.code, 0) + 1
        return RoleCount(entered + sum(reasons.values()), entered, reasons)

    return Headcount(count("mentee", len(data.mentees)), count("mentor", len(data.mentors)))


async def add_override(conn: Conn, caller: UUID, round_id: UUID, body: OverrideIn) -> None:
    """Pin or forbid a pair of the round's programme (used by its next rounds)."""
    row = await get_round(conn, round_id)
    fields = []
    for field, person, role in (
        ("mentee_id", body.mentee_id, "mentee"),
        ("mentor_id", body.mentor_id, "mentor"),
    ):
        if not await repo.member_has_role(conn, row.programme_id, person, role):
            fields.append({"field": field, "message": f"not a {role} member of this programme"})
    if body.mentee_id == body.mentor_id:
        fields.append({"field": "mentor_id", "message": "a person cannot mentor themselves"})
    if fields:
        raise ValidationFailed("some fields are invalid", fields=fields)
    await repo.upsert_override(
        conn, row.programme_id, body.mentee_id, body.mentor_id, body.kind, caller
    )


async def introduced(conn: Conn, round_id: UUID) -> int:
    """How many introductions publishing the round made."""
    return await repo.introduced_count(conn, round_id)


#: Introduction emails per published pair: one to the mentee, one to the mentor.
EMAILS_PER_PAIR = 2


async def _publishable(conn: Conn, row: repo.RoundRow) -> None:
    """Raise Conflict unless ``row`` is a draft that no later publish has made stale.

    A draft computed before another round of its programme was published is refused: its
    pairs were chosen among people that publish has since matched.
    """
    if row.status == "published":
        raise Conflict("this round is already published")
    if row.status != "draft":
        raise Conflict(f"only a finished draft can be published (this round is {row.status})")
    # A draft's participants are loaded as its run starts: compare with that, not its end.
    computed = row.started_at or row.created_at
    if later := await repo.published_since(conn, row.programme_id, row.id, computed):
        raise Conflict(
            f"round {later[0]} of this programme was published after this draft was computed,"
            " so its pairs may no longer be free; run a new round"
        )


async def _plan(
    conn: Conn, row: repo.RoundRow, *, lock: bool
) -> tuple[list[tuple[UUID, UUID]], list[dict[str, str]]]:
    """The pairs publishing makes now and those it skips (and why): requests may have taken
    places or mentees since the round ran. ``lock``: under the mentors' locks (publishing)."""
    pairs = await repo.round_pairs(conn, row.id)
    places = await repo.lock_mentors(conn, sorted({o for _, o, _ in pairs}), lock=lock)
    busy = await repo.open_mentees(conn, row.programme_id, [e for e, _, _ in pairs])
    keep, skipped = [], []
    for mentee, mentor, _score in pairs:
        why = (
            "mentee already has a mentor"
            if mentee in busy
            else "mentor is now full"
            if places.get(mentor, 0) <= 0
            else ""
        )
        if why:
            skipped.append({"mentee_id": str(mentee), "mentor_id": str(mentor), "why": why})
        else:
            places[mentor] -= 1
            keep.append((mentee, mentor))
    return keep, skipped


async def publish_preview(conn: Conn, round_id: UUID) -> PublishOut:
    """What publishing the round would do now, changing nothing (409 as publishing would be
    refused: not a draft, or made stale by a later publish)."""
    row = await get_round(conn, round_id)
    await _publishable(conn, row)
    keep, skipped = await _plan(conn, row, lock=False)
    return PublishOut(published=len(keep), skipped=skipped, emails=EMAILS_PER_PAIR * len(keep))


async def publish(conn: Conn, round_id: UUID) -> PublishOut:
    """Turn a draft round's pairs into pending mentorships, within every mentor's capacity.

    A draft computed before another round of its programme was published is refused (409).
    """
    programme_id = await repo.programme_of_round(conn, round_id)
    if programme_id is None:
        raise NotFound("no such round")
    # One publish per programme at a time, so each sees what the one before it published.
    await repo.lock_programme_publishing(conn, programme_id)
    row = await repo.get_round(conn, round_id, for_update=True)
    if row is None:
        raise NotFound("no such round")
    await _publishable(conn, row)
    # Requests may have taken places since the round ran: recheck under the mentors' locks.
    keep, skipped = await _plan(conn, row, lock=True)
    await repo.insert_round_mentorships(conn, row.programme_id, round_id, keep)
    await repo.mark_published(conn, round_id)
    # The introductions are queued by a job after the commit (introductions.introduce): the
    # committed pending mentorships are what guarantees them, so the organiser does not wait
    # for 2 outbox rows per pair.
    return PublishOut(published=len(keep), skipped=skipped, emails=EMAILS_PER_PAIR * len(keep))


Progress = Callable[[float, str], None]


async def run_round(
    pool: asyncpg.Pool, round_id: UUID, cpu: ProcessPool, progress: Progress | None = None
) -> str:
    """Run a queued round to a draft (idempotent: a finished round is left alone).

    A job's body, so it owns its connection: the programme's advisory lock lives on it for
    the whole run, progress is written as it goes, and the result is stored in one transaction.
    """
    async with pool.acquire() as conn:
        row = await repo.claim_round(conn, round_id)
        if row is None:
            return "already done"
        # One round per programme at a time, across every worker process.
        if not await repo.try_lock_programme(conn, row.programme_id):
            raise RuntimeError("another worker is running a round of this programme")
        try:
            return await _run_locked(conn, row, cpu, progress)
        except Exception as exc:
            log.exception("round %s failed", round_id)
            await repo.fail_round(conn, round_id, f"failed: {exc!r}")
            return "failed"
        finally:
            await repo.unlock_programme(conn, row.programme_id)


async def _run_locked(
    conn: Conn, row: repo.RoundRow, cpu: ProcessPool, progress: Progress | None
) -> str:
    async def step(fraction: float, message: str) -> None:
        await repo.set_progress(conn, row.id, fraction, message)
        if progress:
            progress(fraction, message)

    settings = ProgrammeSettings.model_validate(row.settings)
    data = await participants(conn, row.programme_id, settings)
    taxonomy = await load_taxonomy(conn)
    built = build_problem(data, settings, taxonomy.goal_needs, now_week())
    n, m = len(built.mentee_ids), len(built.mentor_ids)
    await step(0.2, f"matching {n} mentees with {m} mentors")
    # Custom tags read as their members typed them ("Kanban for NGOs"), not as slugs.
    labels = {
        **await custom_tag_texts(conn, row.programme_id),
        **{slug: t.label for slug, t in taxonomy.terms.items()},
    }

    # CPU-heavy: in the process pool, never on the event loop; shown between 20 % and 90 %.
    async def solving(fraction: float, message: str) -> None:
        if fraction < 1.0:  # the solve's own "done" is not the round's: saving follows
            await step(0.2 + 0.7 * fraction, message)

    result, reasons = await cpu.run(str(row.id), solving, solve_and_explain, built.problem, labels)
    await step(0.9, "saving matches")
    figures = {f.name: getattr(result.metrics, f.name) for f in fields(RoundMetrics)}
    report = RoundReport(
        **figures,
        mentors=m,
        timings={k: round(v, 3) for k, v in result.timings.items()},
        skipped_overrides=built.skipped_overrides,
        unmatched=len(result.unmatched),
        headcount=headcount(data),
        note=(
            "no eligible mentees: no mentee of this programme could enter this round (the"
            " headcount says why)"
            if n == 0
            else "no eligible mentors: no mentor of this programme could enter this round (the"
            " headcount says why)"
            if m == 0
            else None
        ),
    )
    async with conn.transaction():
        await repo.store_result(
            conn,
            row.id,
            match_rows(built, result, reasons),
            unmatched_rows(built, result.unmatched),
            data.not_entered,
            report.as_dict(),
            result.alternative.as_dict(),
        )
    if progress:
        progress(1.0, "done")
    return "draft"
