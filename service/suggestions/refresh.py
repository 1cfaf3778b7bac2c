"""Keeping everyone's suggestions fresh: the worker's job body (the web side never computes).

One refresh at a time (a session advisory lock: a second run at once returns "busy"):

- **everyone**, when no recomputation of everyone is on record, the catalogue changed since
  the last one (the value of ``catalogue_changed_at`` it saw is compared, not times; after a
  long one, not before as long again has passed), or the last one is a day old: load
  everything in one snapshot, fit in the process pool, suggest for everyone in batches, each
  written as it comes, then record ``everyone_at``;
- otherwise, when this worker's pool holds no fitted model (a restart), fit only: the stored
  suggestions are current, and the people changed since are marked stale;
- then **the stale people** (``suggestions_stale``, filled by triggers, sql/0028): claimed in
  bounded batches (marks removed as they are taken, in their own short transaction so that
  the statements marking people never wait on a refresh), loaded as they are now and ranked
  with the fitted model, written. A failed batch marks its people again.

Marks the snapshot of a recomputation of everyone saw are removed when it ends, each only if
it has not moved since (sql/0030: marking again moves the mark's time); people marked while
it runs stay marked and are refreshed right after.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from service.kit.db import Conn
from service.kit.processes import ProcessPool
from service.suggestions import compute
from service.suggestions import repository as repo
from service.suggestions.load import WorldRows, load_people, load_world

log = logging.getLogger(__name__)

#: Suggestions kept per person: enough that what became full, past or chosen since is left
#: out when read and a page of 10 (and most of a second) remains.
KEEP = 30
#: People per call to the process pool in a recomputation of everyone (a few seconds each,
#: so a round waiting for the pool does not wait long), and per write.
BATCH = 256
#: Stale people claimed at once, and batches of them one run takes at most (the next run,
#: a minute later, takes the rest).
STALE_BATCH = 500
STALE_BATCHES = 4
#: Everyone is recomputed at least this often (other people's choices move the graph).
FULL_EVERY = timedelta(days=1)
#: A recomputation of everyone that took longer than this paces the next one a catalogue
#: change asks for: not before as long again has passed since it ended (at 50,000 people one
#: takes 13-27 minutes; without a pause, an association editing its events every few minutes
#: would keep the pool process recomputing everyone, and people marked stale waiting).
PACE_AFTER = timedelta(minutes=1)


@dataclass
class Fitted:
    """What this worker's pool process holds, as the worker knows it (kept in the job's ctx)."""

    fit_id: str | None = None


async def _nothing(*_: Any) -> None:
    return None


def needs_everyone(state: repo.RefreshState) -> bool:
    """Whether this run recomputes everyone: none on record, a day since the last, or a
    catalogue change since it (paced after a long one: see :data:`PACE_AFTER`)."""
    if state.everyone_at is None or state.now - state.everyone_at >= FULL_EVERY:
        return True
    if state.everyone_catalogue == state.catalogue_changed_at:
        return False
    took = state.everyone_took or timedelta(0)
    return took <= PACE_AFTER or state.now - state.everyone_at >= 2 * took


async def refresh(
    pool: asyncpg.Pool, cpu: ProcessPool, fitted: Fitted, now: datetime
) -> dict[str, Any]:
    """One refresh run (see the module docstring); figures of what it did."""
    async with pool.acquire() as conn:
        if not await repo.try_lock_refresh(conn):
            return {"status": "busy"}
        try:
            return await _refresh_locked(conn, cpu, fitted, now)
        finally:
            await repo.unlock_refresh(conn)


@dataclass(frozen=True)
class Snapshot:
    """Everything as one repeatable-read transaction saw it."""

    rows: WorldRows
    state: repo.RefreshState
    #: The stale marks it saw: a recomputation of everyone from it settles them.
    marks: list[tuple[UUID, datetime]]


async def _snapshot(conn: Conn, now: datetime) -> Snapshot:
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        state = await repo.refresh_state(conn)
        return Snapshot(await load_world(conn, now), state, await repo.stale_marks(conn))


async def _fit(cpu: ProcessPool, fitted: Fitted, rows: WorldRows) -> None:
    fit_id = uuid.uuid4().hex
    fitted.fit_id = None  # until the pool holds it
    await cpu.run(f"suggestions-fit-{fit_id}", _nothing, compute.fit, fit_id, rows)
    fitted.fit_id = fit_id


async def _refresh_locked(
    conn: Conn, cpu: ProcessPool, fitted: Fitted, now: datetime
) -> dict[str, Any]:
    out: dict[str, Any] = {"status": "done", "everyone": 0, "fitted": False, "stale": 0}
    state = await repo.refresh_state(conn)
    if needs_everyone(state) or fitted.fit_id is None:
        snap = await _snapshot(conn, now)
        rows, state = snap.rows, snap.state
        if not rows.people:  # nobody to suggest to: no model (the pool process stays idle)
            async with conn.transaction():
                await repo.set_everyone(conn, state.now, state.catalogue_changed_at)
            return out
        await _fit(cpu, fitted, rows)
        out["fitted"] = True
        if needs_everyone(state):
            out["everyone"] = await _everyone(conn, cpu, fitted, snap)
    for _ in range(STALE_BATCHES):
        async with conn.transaction():
            claimed = await repo.claim_stale(conn, STALE_BATCH)
        if not claimed:
            break
        try:
            out["stale"] += await _refresh_people(conn, cpu, fitted, claimed, now)
        except BaseException:
            async with conn.transaction():
                await repo.mark_stale(conn, claimed)
            raise
    return out


async def _everyone(conn: Conn, cpu: ProcessPool, fitted: Fitted, snap: Snapshot) -> int:
    """Suggest for everyone of the snapshot, writing each batch as it comes; then settle the
    marks the snapshot saw (those moved since stay, for the stale refresh that follows)."""
    rows = snap.rows

    async def refit() -> None:
        await _fit(cpu, fitted, rows)

    keys = [str(p.id) for p in rows.people]
    for start in range(0, len(keys), BATCH):
        batch = keys[start : start + BATCH]
        found = await _in_pool(cpu, fitted, refit, compute.suggest_fitted, batch, rows.now, KEEP)
        async with conn.transaction():
            await repo.replace_suggestions(conn, [UUID(k) for k in batch], found)
    async with conn.transaction():
        await repo.set_everyone(conn, snap.state.now, snap.state.catalogue_changed_at)
        await repo.clear_marks(conn, snap.marks)
    log.info("suggestions recomputed for everyone: %d people", len(keys))
    return len(keys)


async def _in_pool(
    cpu: ProcessPool,
    fitted: Fitted,
    refit: Callable[[], Awaitable[None]],
    fn: Callable[..., list[repo.StoredSuggestion] | None],
    *args: Any,
) -> list[repo.StoredSuggestion]:
    """``fn(fit_id, *args)`` in the pool; when the pool process does not hold the model (it
    was restarted, or is another process of the pool), ``refit`` and retry once."""
    for attempt in range(2):
        if fitted.fit_id is not None:
            found = await cpu.run(
                f"suggestions-{uuid.uuid4().hex}", _nothing, fn, fitted.fit_id, *args
            )
            if found is not None:
                return found
        if attempt == 0:
            log.info("the pool process does not hold the suggestion model: fitting again")
            await refit()
    raise RuntimeError("the process pool keeps losing the suggestion model")


async def _refresh_people(
    conn: Conn, cpu: ProcessPool, fitted: Fitted, people: Sequence[UUID], now: datetime
) -> int:
    """Suggest for these people as they are now with the fitted model, and store."""

    async def refit() -> None:
        await _fit(cpu, fitted, (await _snapshot(conn, now)).rows)

    async with conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await load_people(conn, people, now)
    found = await _in_pool(cpu, fitted, refit, compute.suggest_people, rows, KEEP)
    async with conn.transaction():
        await repo.replace_suggestions(conn, people, found)
    return len(people)
