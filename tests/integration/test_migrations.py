"""The SQL migration runner against a real PostgreSQL, on scratch databases."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import pytest

from service import db
from service.auth import repository as auth_repo
from service.db import MigrationError
from service.introductions import repository as outbox_repo
from tests.conftest import ROOT, Servers, scratch_database

KICKOFF = Path(sys.executable).with_name("kickoff")


@pytest.fixture
async def scratch(servers: Servers) -> AsyncIterator[str]:
    """DSN of a new, empty database (not the migrated template), dropped afterwards."""
    async with scratch_database(servers, "kickoff_m_") as dsn:
        yield dsn


@pytest.fixture
async def conn(scratch: str) -> AsyncIterator[asyncpg.Connection]:
    c = await db.connect(scratch)
    yield c
    await c.close()


Write = Callable[[str, str], Path]


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    path = tmp_path / "sql"
    path.mkdir()
    return path


@pytest.fixture
def write(migrations_dir: Path) -> Write:
    """Write one migration file into the temporary directory."""

    def _write(name: str, sql: str) -> Path:
        path = migrations_dir / name
        path.write_text(sql)
        return path

    return _write


async def recorded(conn: asyncpg.Connection) -> list[tuple[int, str, str]]:
    rows = await conn.fetch(
        "SELECT version, name, checksum FROM schema_migrations ORDER BY version"
    )
    return [(r["version"], r["name"], r["checksum"]) for r in rows]


async def table_exists(conn: asyncpg.Connection, name: str) -> bool:
    return bool(await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", name))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_applies_in_numeric_order_and_records_checksums(
    conn: asyncpg.Connection, write: Write, migrations_dir: Path
) -> None:
    # Written out of order on purpose; 0010 must run after 0002.
    files = [
        write("0010_third.sql", "INSERT INTO trail (version) VALUES (10);"),
        write("0002_second.sql", "INSERT INTO trail (version) VALUES (2);"),
        write(
            "0001_first.sql",
            "CREATE TABLE trail (seq serial PRIMARY KEY, version int NOT NULL);\n"
            "INSERT INTO trail (version) VALUES (1);",
        ),
    ]
    applied = await db.migrate(conn, directory=migrations_dir)
    assert applied == [1, 2, 10]
    assert [r["version"] for r in await conn.fetch("SELECT version FROM trail ORDER BY seq")] == [
        1,
        2,
        10,
    ]
    expected = sorted((int(p.name[:4]), p.stem[5:], sha256_of(p)) for p in files)
    assert await recorded(conn) == expected


async def test_rerun_applies_nothing_and_new_files_only_once(
    conn: asyncpg.Connection, write: Write, migrations_dir: Path
) -> None:
    write("0001_trail.sql", "CREATE TABLE trail (version int NOT NULL);")
    write("0002_one.sql", "INSERT INTO trail VALUES (2);")
    assert await db.migrate(conn, directory=migrations_dir) == [1, 2]
    before = await recorded(conn)

    assert await db.migrate(conn, directory=migrations_dir) == []
    assert await recorded(conn) == before
    assert await conn.fetchval("SELECT count(*) FROM trail") == 1

    write("0003_two.sql", "INSERT INTO trail VALUES (3);")
    assert await db.migrate(conn, directory=migrations_dir) == [3]
    assert await db.migrate(conn, directory=migrations_dir) == []
    assert await conn.fetchval("SELECT array_agg(version ORDER BY version) FROM trail") == [2, 3]
    assert [v for v, _, _ in await recorded(conn)] == [1, 2, 3]


@pytest.mark.parametrize(
    "bad_statement",
    [
        pytest.param("SELECT 1 / 0;", id="runtime-error"),
        pytest.param("INSERT INTO no_such_table VALUES (1);", id="missing-table"),
        pytest.param("SELEC oops;", id="syntax-error"),
    ],
)
async def test_failing_migration_is_rolled_back_and_named(
    scratch: str,
    conn: asyncpg.Connection,
    write: Write,
    migrations_dir: Path,
    bad_statement: str,
) -> None:
    write("0001_good.sql", "CREATE TABLE kept (id int);\nINSERT INTO kept VALUES (1);")
    bad = write(
        "0002_broken.sql",
        "CREATE TABLE half_done (id int);\n"
        "INSERT INTO kept VALUES (2);\n"
        "ALTER TABLE kept ADD COLUMN extra text;\n" + bad_statement + "\n",
    )
    write("0003_after.sql", "CREATE TABLE after_broken (id int);")

    with pytest.raises(MigrationError) as failed:
        await db.migrate(conn, directory=migrations_dir)
    assert "0002_broken.sql" in str(failed.value)
    assert isinstance(failed.value.__cause__, asyncpg.PostgresError)

    # The earlier migration stays; nothing of the failing one (or any later one) is left.
    assert [v for v, _, _ in await recorded(conn)] == [1]
    assert await table_exists(conn, "kept")
    assert await conn.fetchval("SELECT array_agg(id) FROM kept") == [1]
    assert not await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM information_schema.columns"
        " WHERE table_name = 'kept' AND column_name = 'extra')"
    )
    assert not await table_exists(conn, "half_done")
    assert not await table_exists(conn, "after_broken")
    # The connection is usable, not stuck in an aborted transaction.
    assert await conn.fetchval("SELECT 42") == 42

    # The advisory lock was released: another session can migrate (no hang), and after
    # fixing the never-applied file the rest goes through.
    bad.write_text("CREATE TABLE half_done (id int);\nINSERT INTO kept VALUES (2);\n")
    other = await db.connect(scratch)
    try:
        applied = await asyncio.wait_for(db.migrate(other, directory=migrations_dir), 10)
    finally:
        await other.close()
    assert applied == [2, 3]
    assert await conn.fetchval("SELECT array_agg(id ORDER BY id) FROM kept") == [1, 2]


async def test_changed_applied_migration_is_refused(
    conn: asyncpg.Connection, write: Write, migrations_dir: Path
) -> None:
    first = write("0001_people.sql", "CREATE TABLE people (id int);")
    assert await db.migrate(conn, directory=migrations_dir) == [1]
    recorded_before = await recorded(conn)

    first.write_text("CREATE TABLE people (id int, email text);")
    write("0002_more.sql", "CREATE TABLE more (id int);")
    with pytest.raises(MigrationError) as refused:
        await db.migrate(conn, directory=migrations_dir)
    message = str(refused.value)
    assert "0001_people.sql" in message
    assert "changed" in message
    # Nothing ran: neither the edited file nor the new one.
    assert await recorded(conn) == recorded_before
    assert not await table_exists(conn, "more")

    # Restoring the original text makes it acceptable again.
    first.write_text("CREATE TABLE people (id int);")
    assert await db.migrate(conn, directory=migrations_dir) == [2]


@pytest.mark.parametrize(
    "name",
    [
        "1_init.sql",
        "001_init.sql",
        "00001_init.sql",
        "0001-init.sql",
        "0001_Init.sql",
        "0001_.sql",
        "0001_init thing.sql",
        "init.sql",
    ],
)
async def test_badly_named_file_is_refused(
    conn: asyncpg.Connection, write: Write, migrations_dir: Path, name: str
) -> None:
    write("0001_fine.sql", "CREATE TABLE fine (id int);")
    write(name, "CREATE TABLE wrong (id int);")
    with pytest.raises(MigrationError) as refused:
        db.load_migrations(migrations_dir)
    assert name in str(refused.value)
    with pytest.raises(MigrationError):
        await db.migrate(conn, directory=migrations_dir)
    # Refused before touching the database at all.
    assert not await table_exists(conn, "schema_migrations")
    assert not await table_exists(conn, "fine")


async def test_duplicate_version_is_refused(
    conn: asyncpg.Connection, write: Write, migrations_dir: Path
) -> None:
    write("0001_alpha.sql", "CREATE TABLE alpha (id int);")
    write("0001_beta.sql", "CREATE TABLE beta (id int);")
    with pytest.raises(MigrationError) as refused:
        await db.migrate(conn, directory=migrations_dir)
    message = str(refused.value)
    assert "0001_alpha.sql" in message or "0001_beta.sql" in message
    assert "twice" in message
    assert not await table_exists(conn, "schema_migrations")


async def test_files_other_than_sql_are_ignored(write: Write, migrations_dir: Path) -> None:
    write("0001_only.sql", "SELECT 1;")
    (migrations_dir / "README.md").write_text("notes")
    (migrations_dir / "0002_draft.sql.bak").write_text("SELECT 2;")
    assert [m.version for m in db.load_migrations(migrations_dir)] == [1]


async def test_concurrent_migrations_apply_each_file_once(
    scratch: str, write: Write, migrations_dir: Path
) -> None:
    write(
        "0001_slow_table.sql",
        "SELECT pg_sleep(0.3);\nCREATE TABLE counter (n int NOT NULL);",
    )
    write("0002_slow_insert.sql", "SELECT pg_sleep(0.3);\nINSERT INTO counter VALUES (1);")
    first, second, watcher = (
        await db.connect(scratch),
        await db.connect(scratch),
        await db.connect(scratch),
    )
    try:
        both = asyncio.gather(
            db.migrate(first, directory=migrations_dir),
            db.migrate(second, directory=migrations_dir),
        )
        # Prove they overlap: one session is seen waiting on the migration advisory lock.
        saw_waiter = False
        deadline = time.monotonic() + 5
        while not both.done() and time.monotonic() < deadline:
            saw_waiter = await watcher.fetchval(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                " AND NOT granted AND database = (SELECT oid FROM pg_database"
                " WHERE datname = current_database()))"
            )
            if saw_waiter:
                break
            await asyncio.sleep(0.02)
        results = await asyncio.wait_for(both, 30)
        assert saw_waiter, "the two migrations never overlapped"

        assert sorted(results, key=len) == [[], [1, 2]]
        assert [v for v, _, _ in await recorded(watcher)] == [1, 2]
        assert await watcher.fetchval("SELECT count(*) FROM counter") == 1
        assert not await watcher.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database ="
            " (SELECT oid FROM pg_database WHERE datname = current_database()))"
        )
    finally:
        for c in (first, second, watcher):
            await c.close()


async def test_real_migrations_build_a_fresh_database(conn: asyncpg.Connection) -> None:
    expected = db.load_migrations()
    assert expected, "no migrations in sql/"
    assert [m.version for m in expected] == sorted({m.version for m in expected})
    assert await db.migrate(conn) == [m.version for m in expected]
    assert await recorded(conn) == [(m.version, m.name, m.checksum) for m in expected]
    assert await conn.fetchval("SELECT count(*) FROM taxonomy_terms") > 0
    assert await db.migrate(conn) == []


async def _migrate_up_to(conn: asyncpg.Connection, directory: Path, last: int) -> None:
    """Apply the real migrations up to ``last`` only: a database as that release left it."""
    for m in db.load_migrations():
        if m.version <= last:
            (directory / f"{m.version:04d}_{m.name}.sql").write_text(m.sql)
    await db.migrate(conn, directory=directory)


async def test_outbox_rows_from_before_subjects_keep_their_message_ids(
    conn: asyncpg.Connection, migrations_dir: Path
) -> None:
    await _migrate_up_to(conn, migrations_dir, 9)
    mentee, mentor = [
        await conn.fetchval(
            "INSERT INTO people (email, password_hash, display_name, is_mentee, is_mentor,"
            " mentor_capacity, timezone) VALUES ($1, 'x', $1, NOT $2, $2,"
            " CASE WHEN $2 THEN 2 END, 'UTC') RETURNING id",
            f"{name}@example.org",
            name == "mentor",
        )
        for name in ("mentee", "mentor")
    ]
    programme = await conn.fetchval("INSERT INTO programmes (name) VALUES ('P') RETURNING id")
    mid = await conn.fetchval(
        "INSERT INTO mentorships (programme_id, mentee_id, mentor_id, source)"
        " VALUES ($1, $2, $3, 'round') RETURNING id",
        programme,
        mentee,
        mentor,
    )
    # Queued the way the code before 0010 did: in SQL for a mentorship's emails, and by the
    # Python message_id() for a direct call (which wrote "none" for no mentorship).
    await conn.execute(
        "INSERT INTO outbox (kind, mentorship_id, recipient_id, message_id)"
        " SELECT k, $1::uuid, side, format('<%s.%s.%s@kickoff>', k, $1::uuid, side)"
        " FROM unnest(ARRAY['introduction', 'reminder']) AS k"
        " CROSS JOIN unnest(ARRAY[$2, $3]::uuid[]) AS side",
        mid,
        mentee,
        mentor,
    )
    await conn.execute(
        "INSERT INTO outbox (kind, mentorship_id, recipient_id, message_id)"
        " VALUES ('declined', NULL, $1, $2)",
        mentee,
        f"<declined.none.{mentee}@kickoff>",
    )
    before = dict(await conn.fetch("SELECT id, message_id FROM outbox"))

    assert (await db.migrate(conn))[0] == 10
    rows = await conn.fetch(
        "SELECT id, kind, subject_kind, subject_id, mentorship_id, message_id,"
        " outbox_message_id(kind, subject_id, recipient_id) AS formatted FROM outbox"
    )
    assert {r["id"]: r["message_id"] for r in rows} == before
    assert f"<introduction.{mid}.{mentee}@kickoff>" in before.values()
    assert all(r["formatted"] == r["message_id"] for r in rows)
    assert sorted((r["kind"], r["subject_kind"], r["subject_id"]) for r in rows) == [
        ("declined", "none", "none"),
        *[(k, "mentorship", str(mid)) for k in ("introduction",) * 2 + ("reminder",) * 2],
    ]
    # The same email again is refused by the new uniqueness, whatever its Message-ID says...
    with pytest.raises(asyncpg.UniqueViolationError):
        await conn.execute(
            "INSERT INTO outbox (kind, subject_kind, subject_id, mentorship_id, recipient_id,"
            " message_id) VALUES ('reminder', 'mentorship', $1::uuid::text, $1, $2, '<x@kickoff>')",
            mid,
            mentee,
        )
    # ... and queuing it again through the code is a no-op; a new email is queued as ever.
    assert await outbox_repo.queue_introductions(conn, [mid]) == []
    assert await outbox_repo.queue_email(conn, "reminder", mid, mentor) is None
    contacts = await outbox_repo.queue_email(conn, "contacts", mid, mentee)
    assert contacts is not None
    assert await conn.fetchval("SELECT message_id FROM outbox WHERE id = $1", contacts) == (
        f"<contacts.{mid}.{mentee}@kickoff>"
    )


async def test_people_from_before_unclaimed_people_have_signed_up(
    conn: asyncpg.Connection, migrations_dir: Path
) -> None:
    await _migrate_up_to(conn, migrations_dir, 10)
    person = await conn.fetchval(
        "INSERT INTO people (email, password_hash, display_name, is_mentee, timezone,"
        " created_at) VALUES ('ana@example.org', 'hash', 'Ana', true, 'UTC',"
        " now() - interval '1 year') RETURNING id"
    )
    assert 11 in await db.migrate(conn)
    row = await conn.fetchrow("SELECT created_at, claimed_at FROM people WHERE id = $1", person)
    assert row["claimed_at"] == row["created_at"]
    assert await auth_repo.find_credentials(conn, "ANA@example.org") == (person, "hash")
    # Their rules are the ones they had: a password and a role.
    with pytest.raises(asyncpg.CheckViolationError):
        await conn.execute("UPDATE people SET is_mentee = false WHERE id = $1", person)
    with pytest.raises(asyncpg.CheckViolationError):
        await conn.execute("UPDATE people SET password_hash = NULL WHERE id = $1", person)


async def test_people_from_before_verification_are_verified(
    conn: asyncpg.Connection, migrations_dir: Path
) -> None:
    await _migrate_up_to(conn, migrations_dir, 12)
    ana = await conn.fetchval(
        "INSERT INTO people (email, password_hash, display_name, is_mentee, timezone,"
        " created_at, claimed_at) VALUES ('ana@example.org', 'hash', 'Ana', true, 'UTC',"
        " now() - interval '1 year', now() - interval '1 month') RETURNING id"
    )
    uma = await conn.fetchval(
        "INSERT INTO people (email, claimed_at) VALUES ('uma@example.org', NULL) RETURNING id"
    )
    assert 13 in await db.migrate(conn)
    verified = dict(await conn.fetch("SELECT id, email_verified_at FROM people"))
    assert verified[ana] == await conn.fetchval("SELECT claimed_at FROM people WHERE id = $1", ana)
    # Someone not signed up is not verified, and cannot be.
    assert verified[uma] is None
    with pytest.raises(asyncpg.CheckViolationError):
        await conn.execute("UPDATE people SET email_verified_at = now() WHERE id = $1", uma)
    # Whoever is inserted from now on starts unverified.
    new = await conn.fetchval(
        "INSERT INTO people (email, password_hash, display_name, is_mentee, timezone)"
        " VALUES ('new@example.org', 'hash', 'New', true, 'UTC') RETURNING email_verified_at"
    )
    assert new is None


@pytest.mark.slow
async def test_two_migrate_processes_at_once(
    scratch: str, servers: Servers, tmp_path: Path, conn: asyncpg.Connection
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": scratch,
        "REDIS_URL": servers.redis_url,
        "KICKOFF_HOME": str(tmp_path / "home"),
        "LOG_LEVEL": "WARNING",
    }
    # Hold the migration lock so both processes are surely queued on it before either runs.
    await conn.execute("SELECT pg_advisory_lock($1)", db.MIGRATION_LOCK_ID)
    procs = [
        await asyncio.create_subprocess_exec(
            str(KICKOFF),
            "migrate",
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        waiting = 0
        while waiting < 2 and time.monotonic() < deadline:
            assert all(p.returncode is None for p in procs), "a migrate process exited early"
            waiting = await conn.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
            await asyncio.sleep(0.05)
        assert waiting == 2, "both migrate processes should be waiting for the lock"
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", db.MIGRATION_LOCK_ID)
    outputs = []
    for proc in procs:
        out, err = await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode == 0, err.decode()
        outputs.append(out.decode().strip())

    versions = [m.version for m in db.load_migrations()]
    rows = await conn.fetch("SELECT version, count(*) AS n FROM schema_migrations GROUP BY version")
    assert sorted(r["version"] for r in rows) == versions
    assert all(r["n"] == 1 for r in rows)
    # Whoever got the lock first applied everything; the other found it done.
    assert sorted(outputs) == [
        "applied 0 migration(s); up to date",
        f"applied {len(versions)} migration(s): {versions}",
    ]
