"""No enumeration: for a known and an unknown email address, logging in with a wrong password
and asking for a password reset answer with the same status and body, and take time of the same
class (both run argon2, or neither does; neither writes and sends for one address only while
the client waits).

The timing check compares medians of interleaved requests with a wide margin: it tells apart
work done for one address only (argon2's ~0.1 s, an email written and queued), not
microseconds, so it holds on a busy machine.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable

import httpx
import pytest

from service.accounts.service import RESET_LIMIT
from service.settings import Settings
from tests.api.test_passwords import client_at
from tests.conftest import sign_up_and_login

ROUNDS = RESET_LIMIT  # the per-address reset limit: one request per round each
#: The slower of the two medians may be at most this many times the faster one.
SAME_CLASS = 3.0


async def _medians(
    send: Callable[[str], Awaitable[httpx.Response]], known: str, unknown: str
) -> tuple[float, float, list[tuple[int, bytes]]]:
    """Median seconds for the known and the unknown address, and every (status, body) seen."""
    times: dict[str, list[float]] = {known: [], unknown: []}
    answers: list[tuple[int, bytes]] = []
    for _ in range(ROUNDS):
        for email in (known, unknown):  # interleaved, so load on the machine hits both alike
            start = time.perf_counter()
            r = await send(email)
            times[email].append(time.perf_counter() - start)
            answers.append((r.status_code, r.content))
    return statistics.median(times[known]), statistics.median(times[unknown]), answers


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The production argon2 cost (64 MiB, t=3): with the tests' cheap one, a hash takes about
    as long as a database round trip, and skipping it for unknown addresses would not show."""
    return settings.model_copy(update={"password_memory_kib": 65536, "password_time_cost": 3})


def _same_class(a: float, b: float) -> bool:
    return max(a, b) <= SAME_CLASS * min(a, b)


async def test_a_wrong_password_takes_as_long_for_known_and_unknown_addresses(app, client):
    await sign_up_and_login(client, email="ana@example.org")
    client.cookies.clear()
    counter = iter(range(1000))

    async def send(email: str) -> httpx.Response:
        # A new address each time from the client's side would change the throttle keys; a
        # new IP per request keeps the per-IP throttle out of the way instead.
        async with client_at(app, f"203.0.113.{next(counter) % 250 + 1}") as c:
            return await c.post(
                "/api/v1/auth/login", json={"email": email, "password": "not the password"}
            )

    # Below the per-email failure limit for both addresses.
    known, unknown, answers = await _medians(send, "ana@example.org", "nobody@example.org")
    assert {a for a in answers} == {answers[0]} and answers[0][0] == 401
    assert _same_class(known, unknown), (known, unknown)


async def test_a_reset_request_takes_as_long_for_known_and_unknown_addresses(app, pool):
    async with client_at(app, "198.51.100.1") as c:
        await sign_up_and_login(c, email="ana@example.org")
    counter = iter(range(1000))

    async def send(email: str) -> httpx.Response:
        async with client_at(app, f"203.0.113.{next(counter) % 250 + 1}") as c:
            return await c.post("/api/v1/auth/password-reset", json={"email": email})

    # Under the per-address limit: one request per round for each address.
    assert ROUNDS <= RESET_LIMIT
    known, unknown, answers = await _medians(send, "ana@example.org", "nobody@example.org")
    assert {a for a in answers} == {answers[0]} and answers[0][0] == 202
    assert _same_class(known, unknown), (known, unknown)
    sent = await pool.fetchval("SELECT count(*) FROM email_links WHERE purpose = 'password_reset'")
    assert sent == ROUNDS  # the known address was sent its links all the same
