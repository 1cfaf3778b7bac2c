"""Job functions: plain ``async def job(ctx, ...)`` taking ids, idempotent."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from service.auth import repository as auth_repo

log = logging.getLogger(__name__)

# Login failures are only needed for the 15-minute throttle; a day's worth helps investigations.
KEEP_FAILURES = timedelta(days=1)


async def purge_expired(ctx: dict[str, Any]) -> dict[str, int]:
    """Delete expired sessions and old login failures (safe to run any number of times)."""
    async with ctx["pool"].acquire() as conn, conn.transaction():
        sessions, failures = await auth_repo.purge_expired(conn, KEEP_FAILURES)
    if sessions or failures:
        log.info("purged %d expired sessions and %d old login failures", sessions, failures)
    return {"sessions": sessions, "login_failures": failures}
