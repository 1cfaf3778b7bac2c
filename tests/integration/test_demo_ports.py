"""``kickoff demo`` on a busy machine: another port, its own mail sink port, links that follow.

Real processes on a fresh KICKOFF_HOME (see test_embedded.py), with their own temporary folder
(TMPDIR) so that what a run leaves behind there can be counted.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from service.demo.seed import DEMO_PASSWORD
from tests.conftest import ROOT, free_port
from tests.integration import test_embedded as embedded
from tests.integration.conftest import running_harness
from tests.integration.test_embedded import Harness

# The only test holding the machine's default mail port (8025); any other demo started in a
# test sets its own SMTP_URL, and the group keeps demo tests in one process under make test.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("default_ports")]

T = TypeVar("T")
SMTP_DEFAULT_PORT = 8025
MAIL_TIMEOUT = 90.0


@pytest.fixture
def base() -> Iterator[Path]:
    """A new folder outside pytest's: every pytest session on the machine makes that one
    private again (0700), and pgserver's own user would lose its way to the data."""
    folder = Path(tempfile.mkdtemp(prefix="kickoff-demo-test-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def harness(base: Path, tmp_path: Path) -> Iterator[Harness]:
    with running_harness(base / "home", tmp_path) as h:
        yield h


@contextlib.contextmanager
def occupied(port: int) -> Iterator[None]:
    """Something listening on 127.0.0.1:``port`` (already so when another process holds it)."""
    try:
        sock = socket.create_server(("127.0.0.1", port))
    except OSError:  # taken already: busy either way
        yield
        return
    with sock:
        yield


def _until(
    what: str, check: Callable[[], T | None], timeout: float, output: Callable[[], str]
) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.25)
    pytest.fail(f"no {what} after {timeout} s:\n{output()}")


def test_demo_moves_off_taken_ports_and_its_links_follow(harness: Harness, base: Path) -> None:
    temp = base / "t"
    temp.mkdir()
    # pgserver keeps a lock file in the per-user runtime folder (XDG_RUNTIME_DIR, else one in
    # TMPDIR) that every embedded PostgreSQL on the machine shares: not this run's to remove.
    harness.env.update(TMPDIR=str(temp), XDG_RUNTIME_DIR=str(base / "run"))
    with occupied(SMTP_DEFAULT_PORT):
        demo = harness.serve("demo")
        port = int(demo.url.rsplit(":", 1)[1])
        pg_pid, rd_pid = embedded.postgres_pid(harness.home), embedded.redis_pid(harness.home)
        assert any(temp.iterdir()), "embedded Redis's socket folder is expected in TMPDIR"

        # The banner (printed just after ready) says where mail goes and where its links point.
        sink = _until(
            "banner",
            lambda: re.search(r"mail sink smtp://127\.0\.0\.1:(\d+)", demo.output()),
            10,
            demo.output,
        )
        assert int(sink.group(1)) != SMTP_DEFAULT_PORT
        assert f"links in them start with http://127.0.0.1:{port}" in demo.output()

        # A published round's introductions reach the sink, with links to this port.
        mentor = re.search(r"a demo mentor: (\S+)", demo.output())
        programme = re.search(r"organises the programme ([0-9a-f-]{36})", demo.output())
        assert mentor and programme, demo.output()
        with httpx.Client(base_url=demo.url, timeout=30) as client:
            login = {"email": mentor.group(1), "password": DEMO_PASSWORD}
            assert client.post("/api/v1/auth/login", json=login).status_code == 200
            started = client.post(f"/api/v1/programmes/{programme.group(1)}/rounds", json={})
            assert started.status_code == 202, started.text
            round_url = f"/api/v1/rounds/{started.json()['id']}"
            _until(
                "draft round",
                lambda: client.get(round_url).json()["status"] == "draft",
                MAIL_TIMEOUT,
                demo.output,
            )
            published = client.post(round_url + "/publish")
            assert published.status_code == 200, published.text
            assert published.json()["published"] > 0

        mailbox = harness.home / "mailbox"

        def a_link() -> str | None:
            for path in sorted(mailbox.glob("*.eml")):
                msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                body = msg.get_body(preferencelist=("plain",))
                text = body.get_content() if body is not None else ""
                if found := re.search(r"http://[^/\s]+/introductions/", text):
                    return found.group(0)
            return None

        link = _until("introduction email", a_link, MAIL_TIMEOUT, demo.output)
        assert link == f"http://127.0.0.1:{port}/introductions/"

        # Ctrl-C: a clean stop that leaves no temporary folder behind.
        assert harness.interrupt(demo) == 0, demo.output()
    assert embedded.wait_until_gone(pg_pid), "embedded PostgreSQL left running after demo exited"
    assert embedded.wait_until_gone(rd_pid), "embedded Redis left running after demo exited"
    assert sorted(temp.iterdir()) == [], "left behind in TMPDIR"


def test_a_taken_web_port_is_a_one_line_error_and_starts_nothing(harness: Harness) -> None:
    port = free_port()
    with occupied(port):
        done = subprocess.run(
            [str(embedded.KICKOFF), "demo", "--port", str(port)],
            cwd=ROOT,
            env=harness.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1, done
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"kickoff: port {port} is in use:")
    assert "PORT=" in lines[0] and "--port" in lines[0]
    assert not (harness.home / "pgdata").exists()
    assert embedded.postmasters(harness.home) == [] and embedded.redis_servers(harness.home) == []
