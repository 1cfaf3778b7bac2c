"""``kickoff match``: run a matching round of a programme now, in this process, and print its
figures (the worker's code path, without the queue)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any

from service.settings import Settings

if TYPE_CHECKING:  # imported where used: `kickoff --help` stays quick
    from matching.metrics import RoundMetrics
    from service.rounds.schemas import RoundReport


async def _match(settings: Settings, programme: str) -> int:
    from uuid import UUID

    from service import db, embedded
    from service.errors import Conflict
    from service.kit.db import transaction
    from service.kit.processes import ProcessPool
    from service.programmes import repository as programmes
    from service.rounds import repository as rounds_repo
    from service.rounds import service as rounds

    try:
        programme_id = UUID(programme)
    except ValueError:
        print(f"kickoff: {programme!r} is not a programme id", file=sys.stderr)
        return 2
    pool = await db.create_pool(embedded.database_url(settings), 2)
    try:
        async with pool.acquire() as raw:
            await db.migrate(raw)
        async with transaction(pool) as conn:
            found = await programmes.get_programme(conn, programme_id)
            if found is None:
                print(f"kickoff: no programme {programme_id}", file=sys.stderr)
                return 1
            try:
                round_id = await rounds.queue_round(conn, programme_id, {}, None)
            except Conflict as exc:
                print(f"kickoff: cannot start a round: {exc.message}", file=sys.stderr)
                return 1
        print(f"round {round_id} of {found.name!r}")

        def bar(fraction: float, message: str) -> None:
            filled = int(fraction * 30)
            print(
                f"\r[{'#' * filled}{' ' * (30 - filled)}] {fraction:4.0%} {message:<50}",
                end="",
                flush=True,
            )

        cpu = ProcessPool()
        try:
            outcome = await rounds.run_round(pool, round_id, cpu, bar)
        finally:
            cpu.shutdown()
        print()
        async with transaction(pool, readonly=True) as conn:
            found_round = await rounds_repo.get_round(conn, round_id)
        assert found_round is not None
        done = rounds.round_out(found_round)
        if outcome != "draft" or done.metrics is None:
            print(f"round {outcome}: {done.message}", file=sys.stderr)
            return 1
        _print_figures(done.metrics, done.alternative)
        print(f"review: GET /api/v1/rounds/{round_id}/matches and .../not-entered")
        print(f"publish: POST /api/v1/rounds/{round_id}/publish")
        return 0
    finally:
        await pool.close()


def _print_figures(m: RoundReport, alt: RoundMetrics | None) -> None:
    """A round's figures beside the other mode's, as ``kickoff match`` shows them."""
    print(f"mode: {m.mode}  mentees: {m.mentees}  mentors: {m.mentors}")
    if alt is not None:
        print(
            f"coverage: {m.coverage:.1%} ({m.matched} matched); {alt.mode} would give"
            f" {alt.coverage:.1%}"
        )
        print(f"score: {m.score}; total {m.total_score} ({alt.mode}: {alt.total_score})")
        print(f"blocking pairs: {m.blocking_pairs} (alternative: {alt.blocking_pairs})")
    print(f"mentor load: {m.mentor_load}")
    if m.headcount is not None:
        for role, count in (("mentees", m.headcount.mentees), ("mentors", m.headcount.mentors)):
            why = ", ".join(f"{n} {code}" for code, n in sorted(count.not_entered.items()))
            print(
                f"{role} of the programme: {count.members} = {count.entered} entered"
                f" + {count.members - count.entered} not entered" + (f" ({why})" if why else "")
            )
    if m.unmatched is not None:
        print(f"entered mentees: {m.mentees} = {m.matched} matched + {m.unmatched} unmatched")
    if m.certificate is not None:
        print(f"optimality certificate: {m.certificate}")
    for name, rows in m.fairness.items():
        groups = "; ".join(f"{r.group} {r.coverage:.0%} ({r.mentees})" for r in rows)
        print(f"fairness by {name}: {groups}")


def cmd_match(args: argparse.Namespace, settings: Settings) -> int:
    """Run a matching round for a programme now, with a progress bar, and print its metrics."""
    return asyncio.run(_match(settings, args.programme))


def add_parser(sub: Any) -> None:
    """Add ``kickoff match`` to the command's subparsers."""
    p = sub.add_parser("match", help="run a matching round now", description=cmd_match.__doc__)
    p.add_argument("--programme", required=True, help="programme id")
    p.set_defaults(func=cmd_match)
