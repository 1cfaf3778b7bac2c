"""Solves in a process pool, their progress carried back to the round over a queue.

A round's CPU work runs in a spawn process (never on the event loop); the pool's processes
share one multiprocessing queue, inherited when they start, on which a solve reports
``(round id, fraction, message)``. The waiting coroutine drains it and passes on every report
of its round, in order.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from matching.explain import PairReasons
from matching.pipeline import RoundProblem, RoundResult, solve_and_explain

#: The queue of the pool this process belongs to (set when a pool process starts).
_reports: Any = None
#: How often the waiting side looks for progress, in seconds.
POLL_S = 0.25


def _init_process(reports: Any) -> None:
    # The pool's initializer: the queue arrives once, when the process starts.
    global _reports
    _reports = reports


@dataclass(frozen=True)
class _Report:
    """A picklable progress callback: puts (round id, fraction, message) on the queue."""

    round_id: str

    def __call__(self, fraction: float, message: str) -> None:
        if _reports is not None:
            _reports.put((self.round_id, fraction, message))


class SolverPool:
    """A spawn process pool for round solves, with their progress reports."""

    def __init__(self, max_workers: int = 1) -> None:
        context = multiprocessing.get_context("spawn")
        # A SimpleQueue writes each report to its pipe before put() returns (a Queue hands it
        # to a feeder thread), so every report of a solve is readable once its result is.
        self._reports = context.SimpleQueue()
        self._pending: dict[str, list[tuple[float, str]]] = {}
        self.executor = ProcessPoolExecutor(
            max_workers=max_workers,
            mp_context=context,
            initializer=_init_process,
            initargs=(self._reports,),
        )

    def _drain(self, round_id: str) -> list[tuple[float, str]]:
        # Reports of other rounds solved side by side are kept for their own waiters.
        while not self._reports.empty():
            rid, fraction, message = self._reports.get()
            self._pending.setdefault(rid, []).append((fraction, message))
        return self._pending.pop(round_id, [])

    async def solve(
        self,
        round_id: str,
        problem: RoundProblem,
        labels: Mapping[str, str],
        on_progress: Callable[[float, str], Awaitable[None]],
    ) -> tuple[RoundResult, list[PairReasons]]:
        """Solve and explain in the pool, awaiting ``on_progress`` for each of its reports."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(
            self.executor, solve_and_explain, problem, labels, _Report(round_id)
        )
        try:
            while True:
                done, _ = await asyncio.wait({future}, timeout=POLL_S)
                for fraction, message in self._drain(round_id):
                    await on_progress(fraction, message)
                if done:
                    return future.result()
        finally:
            self._pending.pop(round_id, None)

    def shutdown(self) -> None:
        """Stop the pool's processes (waiting for a solve in hand) and close the queue."""
        self.executor.shutdown(wait=True, cancel_futures=True)
        self._reports.close()
