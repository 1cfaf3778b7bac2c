"""The harness of the tests that run real ``kickoff`` processes on a fresh KICKOFF_HOME."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_embedded import Harness, postmasters, redis_servers


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    home = tmp_path / "home"
    home.mkdir()
    h = Harness(home, tmp_path)
    try:
        yield h
    finally:
        # Servers a racing process started beside the registered ones are not in the
        # registries the harness reads: stop those too.
        h.backing_pids |= {p.pid for p in redis_servers(home) + postmasters(home)}
        h.cleanup()
