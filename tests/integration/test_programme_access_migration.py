"""sql/0014_programme_access.sql on a database with programmes: each stays open and gets its own
random invitation code, made by the same column default that new programmes and new codes use."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from service import db
from tests.conftest import Servers, scratch_database
from tests.integration.test_migrations import _migrate_up_to

CODE = re.compile(r"[A-Za-z0-9_-]{22}")


@pytest.fixture
async def conn(servers: Servers) -> AsyncIterator[asyncpg.Connection]:
    """A connection to a new, empty database (not the migrated template)."""
    async with scratch_database(servers, "kickoff_m_") as dsn:
        c = await db.connect(dsn)
        yield c
        await c.close()


async def test_existing_programmes_stay_open_and_get_their_own_codes(
    conn: asyncpg.Connection, tmp_path: Path
) -> None:
    await _migrate_up_to(conn, tmp_path, 12)
    await conn.execute(
        "INSERT INTO programmes (name) SELECT 'P' || i FROM generate_series(1, 50) i"
    )
    await _migrate_up_to(conn, tmp_path, 14)
    rows = await conn.fetch("SELECT access, invitation_code, next_round_on FROM programmes")
    assert {(r["access"], r["next_round_on"]) for r in rows} == {("open", None)}
    codes = [r["invitation_code"] for r in rows]
    assert all(CODE.fullmatch(c) for c in codes) and len(set(codes)) == 50

    # A new code replaces the old one with another of the same shape.
    old = codes[0]
    new = await conn.fetchval(
        "UPDATE programmes SET invitation_code = DEFAULT WHERE invitation_code = $1"
        " RETURNING invitation_code",
        old,
    )
    assert CODE.fullmatch(new) and new != old
    with pytest.raises(asyncpg.CheckViolationError):
        await conn.execute("UPDATE programmes SET access = 'secret'")
    with pytest.raises(asyncpg.UniqueViolationError):
        await conn.execute("UPDATE programmes SET invitation_code = $1", new)
