"""Connection pool and the SQL migration runner."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from service.kit.db import Conn

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Arbitrary but fixed: every Kickoff process takes this advisory lock to migrate.
MIGRATION_LOCK_ID = 7_212_604_001


class MigrationError(RuntimeError):
    """A migration file is malformed or was changed after it was applied."""


@dataclass(frozen=True)
class Migration:
    """One ``sql/NNNN_name.sql`` file."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the file's text."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations(directory: Path = SQL_DIR) -> list[Migration]:
    """Read and order the migration files, refusing malformed names and duplicate numbers."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files must be named NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"{path.name}: version {version:04d} is used twice")
        found[version] = Migration(version, match.group(2), path.read_text())
    return [found[v] for v in sorted(found)]


async def migrate(conn: Conn, directory: Path = SQL_DIR) -> list[int]:
    """Apply pending migrations in order, each in its own transaction; return versions applied."""
    migrations = load_migrations(directory)
    applied_now: list[int] = []
    # Session-level lock: concurrent starters queue here, then see the others' work.
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_ID)
    try:
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   version integer PRIMARY KEY,
                   name text NOT NULL,
                   checksum text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        rows = await conn.fetch("SELECT version, name, checksum FROM schema_migrations")
        applied = {r["version"]: r for r in rows}
        for m in migrations:
            if m.version in applied:
                if applied[m.version]["checksum"] != m.checksum:
                    raise MigrationError(
                        f"sql/{m.version:04d}_{m.name}.sql was changed after it was applied "
                        f"(recorded checksum {applied[m.version]['checksum'][:12]}…, file "
                        f"{m.checksum[:12]}…); add a new migration instead of editing this one"
                    )
                continue
            async with conn.transaction():
                try:
                    await conn.execute(m.sql)
                except asyncpg.PostgresError as exc:
                    raise MigrationError(
                        f"sql/{m.version:04d}_{m.name}.sql failed and was rolled back: {exc}"
                    ) from exc
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    m.version,
                    m.name,
                    m.checksum,
                )
            log.info("applied migration %04d_%s", m.version, m.name)
            applied_now.append(m.version)
        unknown = sorted(set(applied) - {m.version for m in migrations})
        if unknown:
            log.warning("database has migrations this code does not know: %s", unknown)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_ID)
    return applied_now


#: jsonb's binary format: a version byte, then the JSON text.
_JSONB_VERSION = b"\x01"


def _jsonb_encode(value: Any) -> bytes:
    return _JSONB_VERSION + json.dumps(value).encode()


def _jsonb_decode(data: bytes) -> Any:
    return json.loads(data[1:])


async def _init_connection(conn: Conn) -> None:
    # jsonb in its binary format, so COPY (binary only) can write it too (member imports).
    await conn.set_type_codec(
        "jsonb",
        encoder=_jsonb_encode,
        decoder=_jsonb_decode,
        schema="pg_catalog",
        format="binary",
    )
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def connect(dsn: str) -> asyncpg.Connection:
    """One connection with Kickoff's type codecs."""
    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    return conn


async def create_pool(dsn: str, max_size: int = 10) -> asyncpg.Pool:
    """A pool with Kickoff's type codecs."""
    pool = await asyncpg.create_pool(
        dsn, min_size=1, max_size=max_size, init=_init_connection, command_timeout=60
    )
    assert pool is not None
    return pool
