"""Connection types and the transaction that a request or a job opens at its boundary."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

#: What repository functions take: one connection (from a pool or not), inside the caller's
#: transaction. Never a pool: a pool runs each statement on whichever connection is free, so
#: statements of one operation would not share a transaction. mypy checks this (asyncpg-stubs).
Conn: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"

#: Mentorship statuses that take one of the mentor's places (SQL in several domains uses them).
OPEN = ("pending", "active")


async def deleted(conn: Conn, delete: str, *args: object) -> int:
    """Run ``delete`` (a DELETE statement of a repository, with $n parameters); how many rows
    it removed."""
    count: int = await conn.fetchval(
        f"WITH d AS ({delete} RETURNING 1) SELECT count(*) FROM d",  # noqa: S608 - our SQL
        *args,
    )
    return count


@asynccontextmanager
async def transaction(pool: asyncpg.Pool, *, readonly: bool = False) -> AsyncIterator[Conn]:
    """A connection in a transaction, committed when the block ends without an exception.

    Opened by the boundary only (a request handler, a job, a command), never below it, so that
    every domain operation called inside composes into one transaction.
    """
    async with pool.acquire() as conn:
        if readonly:
            # One snapshot for every query of a read, so counts and pages agree.
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                yield conn
        else:
            async with conn.transaction():
                yield conn
