"""A spawn process pool for CPU work: its processes end with their parent, and report progress.

CPU-heavy calls run in spawn processes (never on the event loop; not fork: the parent's event
loop and pools must not be copied). A call can report back while it runs: it receives a
``report`` callable as its last argument, and each ``report(*values)`` is awaited by the
caller as ``on_report(*values)``, in order. The pool's processes share one multiprocessing
queue, inherited when they start, on which a report travels as ``(key, values)``; the key
tells the reports of calls running side by side apart.

A process of the pool never outlives the process that owns the pool: if the owner is killed
(SIGKILL, the OOM killer) no shutdown runs, and the pool's processes, each holding a copy of
the queues it would have read from, would wait for work forever; so would multiprocessing's
resource tracker, whose pipe they keep open. A watchdog thread in each pool process ends it
once its parent is gone, and the tracker then sees its pipe close and ends too.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import os
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

R = TypeVar("R")

#: The report queue of the pool this process belongs to (set when a pool process starts).
_reports: Any = None
#: How often the waiting side looks for reports, in seconds.
POLL_S = 0.25
#: How often a pool process checks that its parent is alive, in seconds.
WATCH_S = 0.5


def watch_parent(parent: int, every: float = WATCH_S) -> threading.Thread:
    """End this process (``os._exit``) once its parent ``parent`` is gone; returns the watcher.

    An orphan is adopted by init or a subreaper, so its parent pid changes; polling that works
    on every POSIX system. (Linux's PR_SET_PDEATHSIG would be immediate, but it fires when
    the *thread* that started the process exits, and a pool starts its processes from
    whichever thread first submits to it.) ``os._exit``: nobody is left to read a result, and
    the shared queue's lock may be held by a sibling that died mid-write.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    thread = threading.Thread(target=watch, name="watch-parent", daemon=True)
    thread.start()
    return thread


def _init_process(parent: int, reports: Any) -> None:
    # The pool's initializer, run once in each process as it starts.
    global _reports
    watch_parent(parent)
    _reports = reports


@dataclass(frozen=True)
class Reporter:
    """The picklable ``report`` a call receives: puts ``(key, values)`` on the pool's queue."""

    key: str

    def __call__(self, *values: Any) -> None:
        if _reports is not None:
            _reports.put((self.key, values))


class ProcessPool:
    """Spawn processes for CPU-heavy calls that report back while they run."""

    def __init__(self, max_workers: int = 1) -> None:
        context = multiprocessing.get_context("spawn")
        # A SimpleQueue writes each report to its pipe before put() returns (a Queue hands it
        # to a feeder thread), so every report of a call is readable once its result is.
        self._reports = context.SimpleQueue()
        self._pending: dict[str, list[tuple[Any, ...]]] = {}
        self.executor = ProcessPoolExecutor(
            max_workers=max_workers,
            mp_context=context,
            initializer=_init_process,
            initargs=(os.getpid(), self._reports),
        )

    def _drain(self, key: str) -> list[tuple[Any, ...]]:
        # Reports of other calls running side by side are kept for their own waiters.
        while not self._reports.empty():
            other, values = self._reports.get()
            self._pending.setdefault(other, []).append(values)
        return self._pending.pop(key, [])

    async def run(
        self,
        key: str,
        on_report: Callable[..., Awaitable[None]],
        fn: Callable[..., R],
        *args: Any,
    ) -> R:
        """``fn(*args, report)`` in a pool process, awaiting ``on_report`` for each report.

        ``fn`` and its arguments must be picklable (a module-level function); ``key`` must be
        unique among the calls running at once.
        """
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.executor, functools.partial(fn, *args, Reporter(key)))
        try:
            while True:
                done, _ = await asyncio.wait({future}, timeout=POLL_S)
                for values in self._drain(key):
                    await on_report(*values)
                if done:
                    return future.result()
        finally:
            self._pending.pop(key, None)

    def shutdown(self) -> None:
        """Stop the pool's processes (waiting for a call in hand) and close the queue."""
        self.executor.shutdown(wait=True, cancel_futures=True)
        self._reports.close()
