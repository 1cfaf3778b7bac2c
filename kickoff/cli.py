"""The ``kickoff`` command: serve, worker, migrate, seed, demo, match, import, events, admin."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import getpass
import logging
import signal
import socket
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kickoff import calendars, imports, match
from service.errors import DomainError, ValidationFailed
from service.settings import Settings, local_url

if TYPE_CHECKING:  # imported where used: `kickoff --help` stays quick
    from arq.worker import Worker

log = logging.getLogger("kickoff")


def _setup_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # pgserver narrates every pg_ctl call at INFO.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    # The outbox sweep runs every few seconds: two INFO lines each time would bury the rest.
    # Its failures (WARNING and up) still show; so does every email job it enqueues.
    logging.getLogger("arq.worker").addFilter(_quiet_sweeps)


def _quiet_sweeps(record: logging.LogRecord) -> bool:
    """Whether to keep an arq.worker record: not the outbox sweep's routine start and end."""
    return record.levelno > logging.INFO or ":cron:sweep_outbox" not in record.getMessage()


async def _migrate(settings: Settings) -> list[int]:
    from service import db, embedded

    conn = await db.connect(embedded.database_url(settings))
    try:
        return await db.migrate(conn)
    finally:
        await conn.close()


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Apply pending SQL migrations."""
    applied = asyncio.run(_migrate(settings))
    print(f"applied {len(applied)} migration(s)" + (f": {applied}" if applied else "; up to date"))
    return 0


async def _seed(settings: Settings, mentees: int, mentors: int, reset: bool) -> str:
    from service import db, embedded
    from service.demo.repository import demo_association, demo_examples, demo_programme_id
    from service.demo.seed import DEMO_PASSWORD, seed_demo, top_up_events
    from service.kit.db import transaction
    from service.security import Passwords
    from service.taxonomy.repository import load_taxonomy

    pool = await db.create_pool(embedded.database_url(settings), 2)
    try:
        async with pool.acquire() as raw:
            await db.migrate(raw)
        async with transaction(pool, readonly=True) as conn:
            taxonomy = await load_taxonomy(conn)
        passwords = Passwords(settings.password_memory_kib, settings.password_time_cost)
        result = await seed_demo(
            pool, taxonomy, passwords, mentees=mentees, mentors=mentors, reset=reset
        )
        # A demo loaded weeks ago has seen its events pass: new ones keep it worth opening.
        added = await top_up_events(pool, taxonomy) if result.skipped else 0
        async with transaction(pool, readonly=True) as conn:
            examples = await demo_examples(conn)
            programme = await demo_programme_id(conn)
            association = await demo_association(conn)
    finally:
        await pool.close()
    if result.skipped:
        head = (
            f"demo data already present ({result.mentees} mentees, {result.mentors} mentors);"
            " use --reset to replace it"
        )
    else:
        head = f"loaded {result.mentees} demo mentees and {result.mentors} demo mentors"
    lines = [head]
    if added:
        lines.append(f"{added} new demo events in the coming 90 days (earlier ones have passed)")
    lines.append(f"every demo account's password: {DEMO_PASSWORD}")
    lines += [f"  a demo {role}: {email}" for role, email in examples]
    if programme and examples:
        lines.append(
            f"the demo mentor above organises the programme {programme} (and is a site admin):"
            " log in as them and open Organise to run a round, review it and publish it, or try"
            f" `kickoff match --programme {programme}`"
        )
    if association and examples:
        association_id, name = association
        lines.append(
            f"the demo mentor above also runs the association {name!r} ({association_id}):"
            f" its members, API keys and member imports at /associations/{association_id}"
        )
    return "\n".join(lines)


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    """Load the demo population."""
    print(asyncio.run(_seed(settings, args.mentees, args.mentors, args.reset)))
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password for the new account: ")
    if getpass.getpass("Repeat the password: ") != password:
        raise ValidationFailed("the passwords do not match")
    return password


async def _admin_create(
    settings: Settings, email: str, name: str | None, password_stdin: bool
) -> str:
    from service import db, embedded
    from service.kit.db import transaction
    from service.programmes import repository as programmes_repo
    from service.programmes.service import admin_account, create_admin
    from service.security import Passwords

    # Read before connecting so a piped password is consumed whether or not it is needed.
    password = _read_password(True) if password_stdin else None
    pool = await db.create_pool(embedded.database_url(settings), 2)
    try:
        async with pool.acquire() as raw:
            await db.migrate(raw)
        async with transaction(pool, readonly=True) as conn:
            exists = await programmes_repo.find_person_id(conn, email) is not None
        account = None
        if not exists:
            if password is None:
                password = await asyncio.to_thread(_read_password, False)
            body = admin_account(email, name, password)
            passwords = Passwords(settings.password_memory_kib, settings.password_time_cost)
            # argon2 before the transaction: no connection is held while it computes.
            account = (body, await asyncio.to_thread(passwords.hash, body.password))
        async with transaction(pool) as conn:
            person_id, outcome = await create_admin(conn, email, account)
    finally:
        await pool.close()
    return {
        "created": f"created an account for {email} (id {person_id}) and made it a site admin;"
        " log in to complete the profile",
        "promoted": f"made {email} (id {person_id}) a site admin",
        "already": f"{email} (id {person_id}) is already a site admin; nothing changed",
    }[outcome]


def cmd_admin_create(args: argparse.Namespace, settings: Settings) -> int:
    """Make a person a site admin, creating a mentee account for a new email."""
    try:
        print(asyncio.run(_admin_create(settings, args.email, args.name, args.password_stdin)))
    except DomainError as exc:
        details = "; ".join(f"{f['field']}: {f['message']}" for f in exc.fields)
        print(f"kickoff: {details or exc.message}", file=sys.stderr)
        return 1
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the web app with uvicorn."""
    import uvicorn

    from service.app import create_app

    # uvicorn shuts down gracefully on SIGINT/SIGTERM and then re-raises the signal under the
    # previous handler. For SIGINT that is a KeyboardInterrupt, which uvicorn.run swallows;
    # give SIGTERM the same handler so `kill`/`docker stop` also end in a normal exit whose
    # atexit hooks stop the embedded PostgreSQL/Redis (SIGTERM's default action would kill
    # the process outright and leave them running).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
    )
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Run the arq worker until SIGINT/SIGTERM (or the queue is empty, with --burst)."""
    from workers.settings import build_worker

    worker = build_worker(settings, burst=args.burst)
    worker.run()
    return 0


def _listen(host: str, port: int) -> socket.socket:
    """The web server's listening socket, bound now: a taken port fails before anything starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=2048)


def _port_taken(host: str, port: int, exc: OSError) -> str:
    """The one line that says why the demo cannot listen, and what to do."""
    if exc.errno != errno.EADDRINUSE:
        return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    free = next((str(p) for p in range(port + 1, min(port + 100, 65536)) if _free(host, p)), "")
    return (
        f"port {port} is in use: choose another with PORT (make demo PORT={free or '...'})"
        f" or --port (kickoff demo --port {free or '...'})"
    )


def _free(host: str, port: int) -> bool:
    try:
        _listen(host, port).close()
    except OSError:
        return False
    return True


async def _close_worker(worker: Worker) -> None:
    """Stop the demo's worker, jobs in hand and all, and close its pools.

    arq's close() cancels the jobs still running, then gathers them: the first one cancelled
    ends it with a CancelledError, its pools left open (and embedded Redis, which stops only
    without clients, left running). Wait for the cancelled jobs, then close again.
    """
    try:
        await worker.close()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise  # this coroutine is cancelled, not just the jobs
        await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
        worker.tasks.clear()
        await worker.close()


async def _enqueue_suggestions(settings: Settings) -> None:
    """The demo's suggestions at once: the worker starting below takes this refresh first (a
    few seconds for 400 people; the page says they are being prepared meanwhile)."""
    from service import embedded, queue
    from service.suggestions.service import enqueue_refresh

    arq = await queue.connect(embedded.redis_url(settings), settings.arq_queue_name)
    try:
        await enqueue_refresh(arq, f"demo-{time.time_ns()}")
    finally:
        await arq.aclose()


async def _demo(settings: Settings, host: str, listener: socket.socket, started: float) -> None:
    import uvicorn

    from service.app import create_app
    from service.demo.mailbox import start_sink
    from workers.settings import build_worker

    port = int(listener.getsockname()[1])  # the one --port asked for, or any with --port 0
    # Links in emails point at this server unless BASE_URL says otherwise.
    settings = settings.serving_at(host, port)
    print(await _seed(settings, 300, 100, reset=False), flush=True)
    await _enqueue_suggestions(settings)
    # Emails go to a local sink that the Mailbox page reads (SMTP_URL, port 8025 by default;
    # when that default is taken, any free port: the worker sends wherever the sink listens).
    sink = start_sink(settings, any_port="smtp_url" not in settings.model_fields_set)
    if sink:
        settings = settings.model_copy(update={"smtp_url": sink.url})
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level=settings.log_level.lower())
    )
    # The worker shares this event loop; uvicorn owns the signals and we stop the worker after it.
    worker = build_worker(settings, handle_signals=False)

    def request_stop(signum: int, frame: object) -> None:
        server.should_exit = True

    # uvicorn handles SIGINT/SIGTERM while it serves, then re-raises them under the previous
    # handlers: asyncio.run's SIGINT handler would cancel this coroutine (skipping the worker
    # close below, so embedded Redis keeps a client and is left running) and SIGTERM's default
    # action would kill the process outright. Make both a plain stop request instead.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, request_stop)
    worker_task = asyncio.create_task(worker.async_run())
    serve_task = asyncio.create_task(server.serve(sockets=[listener]))
    # uvicorn exposes readiness only as a flag, so poll it.
    while not server.started and not serve_task.done():  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    if server.started:
        url = local_url(host, port) + "/"
        print(
            f"\nKickoff is running at {url} (ready in {time.monotonic() - started:.1f} s)."
            "\nSign up, or log in as any demo person with the password shown above."
            f"\nEmails Kickoff sends are at {url}mailbox"
            + (
                f" (mail sink {sink.url}; links in them start with {settings.base_url})."
                if sink
                else " (no local mail sink: SMTP_URL is not a free local port)."
            )
            + "\nPress Ctrl-C to stop.\n",
            flush=True,
        )
    await serve_task
    await _close_worker(worker)
    worker_task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await worker_task
    if sink:
        sink.stop()


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Everything at once: embedded services, migrations, demo data, web and worker."""
    started = time.monotonic()
    # The port first, before any server starts: a taken one is a one-line error, nothing to undo.
    try:
        listener = _listen(args.host, args.port)
    except OSError as exc:
        print(f"kickoff: {_port_taken(args.host, args.port, exc)}", file=sys.stderr)
        return 1
    settings = settings.model_copy(update={"demo_mode": True})
    with listener:
        asyncio.run(_demo(settings, args.host, listener, started))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``kickoff``."""
    parser = argparse.ArgumentParser(
        prog="kickoff",
        description="Kickoff: mentoring matches for people entering IT project management.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def web_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
        )
        p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")

    p = sub.add_parser(
        "demo", help="run the whole product with demo data", description=cmd_demo.__doc__
    )
    web_options(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="serve the web app", description=cmd_serve.__doc__)
    web_options(p)
    p.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        help="proxies whose X-Forwarded-For is trusted (default 127.0.0.1)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run the background worker", description=cmd_worker.__doc__)
    p.add_argument("--burst", action="store_true", help="exit once the queue is empty")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser(
        "migrate", help="apply pending SQL migrations", description=cmd_migrate.__doc__
    )
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("seed", help="load the demo population", description=cmd_seed.__doc__)
    p.add_argument("--mentees", type=int, default=300, help="number of mentees (default 300)")
    p.add_argument("--mentors", type=int, default=100, help="number of mentors (default 100)")
    p.add_argument("--reset", action="store_true", help="replace existing demo people")
    p.set_defaults(func=cmd_seed)

    match.add_parser(sub)

    imports.add_parser(sub)
    calendars.add_parser(sub)

    p = sub.add_parser("admin", help="manage site admins", description="Manage site admins.")
    admin = p.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    p = admin.add_parser(
        "create",
        help="make a person a site admin (creating the account if needed)",
        description=cmd_admin_create.__doc__,
    )
    p.add_argument("--email", required=True, help="the admin's email")
    p.add_argument("--name", help="display name for a new account (default: the email's name)")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read a new account's password from standard input instead of prompting",
    )
    p.set_defaults(func=cmd_admin_create)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kickoff`` console script."""
    args = build_parser().parse_args(argv)
    settings = Settings()
    _setup_logging(settings)
    from service.db import MigrationError

    try:
        return int(args.func(args, settings) or 0)
    except MigrationError as exc:
        print(f"kickoff: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
