"""The worker's log keeps what matters: the outbox sweep's routine ticks are left out."""

from __future__ import annotations

import logging

from kickoff.cli import _quiet_sweeps


def _record(level: int, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("arq.worker", level, __file__, 1, msg, args, None)


def test_routine_sweeps_are_left_out_and_the_rest_kept():
    sweep = "kickoff:queue:cron:sweep_outbox"
    assert not _quiet_sweeps(_record(logging.INFO, "%6.2fs → %s()", 0.06, sweep))
    assert not _quiet_sweeps(_record(logging.INFO, "%6.2fs ← %s ● %s", 0.01, sweep, 0))
    # A sweep that fails, and every other job, still show.
    assert _quiet_sweeps(_record(logging.ERROR, "%6.2fs ! %s failed", 0.01, sweep))
    assert _quiet_sweeps(_record(logging.INFO, "%6.2fs → %s()", 0.0, "kickoff:queue:email:1"))
    assert _quiet_sweeps(_record(logging.INFO, "%6.2fs → %s()", 0.0, "kickoff:queue:cron:digest"))
