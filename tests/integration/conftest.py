"""The harness of the tests that run real ``kickoff`` processes on a fresh KICKOFF_HOME."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_embedded import Harness, postmasters, redis_servers


@contextlib.contextmanager
def running_harness(home: Path, logs: Path) -> Iterator[Harness]:
    """A :class:`Harness` on the new folder ``home``, and afterwards whatever it left stopped."""
    home.mkdir()
    h = Harness(home, logs)
    try:
        yield h
    finally:
        # Servers a racing process started beside the registered ones are not in the
        # registries the harness reads: stop those too.
        h.backing_pids |= {p.pid for p in redis_servers(home) + postmasters(home)}
        h.cleanup()


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    with running_harness(tmp_path / "home", tmp_path) as h:
        yield h
