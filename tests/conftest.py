"""Shared fixtures: real PostgreSQL and Redis (embedded unless DATABASE_URL/REDIS_URL are set).

Each test gets its own database cloned from a migrated template (CREATE DATABASE ... TEMPLATE),
so tests are isolated without mocking the pool, and a fresh arq queue name on the shared Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import hypothesis
import pytest

from service import db, embedded
from service.settings import Settings

# No time limit per example: a deadline is a timed assertion, and on a loaded 2-core machine a
# slow example would fail a correct test (examples still stop at their usual counts).
hypothesis.settings.register_profile("kickoff", deadline=None)
hypothesis.settings.load_profile("kickoff")

ROOT = Path(__file__).resolve().parent.parent
TEST_HOME = Path(os.environ.get("KICKOFF_TEST_HOME", ROOT / ".kickoff-test"))


def with_database(dsn: str, name: str) -> str:
    """The same server DSN pointing at database ``name``."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + name))


@dataclass(frozen=True)
class Servers:
    """Where the test PostgreSQL and Redis are."""

    admin_dsn: str
    template: str
    redis_url: str


def _template_name() -> str:
    digest = hashlib.sha256()
    for m in db.load_migrations():
        digest.update(m.checksum.encode())
    return "kickoff_tpl_" + digest.hexdigest()[:12]


async def _prepare_template(admin_dsn: str, name: str) -> None:
    admin = await asyncpg.connect(admin_dsn)
    try:
        # Serialise template creation across concurrent test runs against one server.
        await admin.execute("SELECT pg_advisory_lock(7212604100)")
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            building = name + "_build"
            await admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{building}"')
            conn = await db.connect(with_database(admin_dsn, building))
            try:
                await db.migrate(conn)
            finally:
                await conn.close()
            await admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        await admin.execute("SELECT pg_advisory_unlock(7212604100)")
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    """Start (or reach) PostgreSQL and Redis once per test session; build the template DB."""
    TEST_HOME.mkdir(parents=True, exist_ok=True)
    admin_dsn = os.environ.get("DATABASE_URL") or embedded.start_postgres(TEST_HOME.resolve())
    redis_url = os.environ.get("REDIS_URL") or embedded.start_redis(TEST_HOME.resolve())
    template = _template_name()
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(_prepare_template(admin_dsn, template))
    finally:
        loop.close()
    yield Servers(admin_dsn, template, redis_url)


@contextlib.asynccontextmanager
async def scratch_database(
    servers: Servers, prefix: str, template: str | None = None
) -> AsyncIterator[str]:
    """A new database (empty, or cloned from ``template``), dropped on exit; yields its DSN."""
    name = prefix + uuid.uuid4().hex[:12]
    clause = f' TEMPLATE "{template}"' if template else ""
    admin = await asyncpg.connect(servers.admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"{clause}')
    finally:
        await admin.close()
    try:
        yield with_database(servers.admin_dsn, name)
    finally:
        admin = await asyncpg.connect(servers.admin_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def database(servers: Servers) -> AsyncIterator[str]:
    """DSN of a fresh, migrated database for this test only."""
    async with scratch_database(servers, "kickoff_t_", servers.template) as dsn:
        yield dsn


@pytest.fixture
def settings(servers: Servers, database: str, tmp_path: Path) -> Settings:
    """Settings for one test: its own database and queue, cheap password hashing."""
    return Settings(
        DATABASE_URL=database,
        REDIS_URL=servers.redis_url,
        SECRET_KEY="test-secret-key-not-for-production",
        KICKOFF_HOME=tmp_path / "home",
        BASE_URL="http://testserver",
        PASSWORD_MEMORY_KIB=1024,
        PASSWORD_TIME_COST=1,
        ARQ_QUEUE_NAME="kickoff:test:" + uuid.uuid4().hex[:12],
    )


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    """A pool on this test's database."""
    assert settings.database_url
    p = await db.create_pool(settings.database_url, 4)
    yield p
    await p.close()


@pytest.fixture
async def app(settings: Settings):  # type: ignore[no-untyped-def]
    """The ASGI app with its lifespan running."""
    from service.app import create_app

    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """An httpx client talking to the app in-process (cookies kept between calls)."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def signup_body(**overrides: object) -> dict[str, object]:
    """A valid sign-up body; override any field."""
    body: dict[str, object] = {
        "email": f"ana.{uuid.uuid4().hex[:8]}@example.org",
        "password": "correct horse battery staple",
        "display_name": "Ana Silva",
        "roles": ["mentee"],
        "headline": "QA engineer moving into project management",
        "bio": "Five years testing banking software; I want to run projects.",
        "years_experience": 1,
        "current_role": "QA engineer",
        "employer": "Banco Exemplo",
        "city": "Lisbon",
        "country": "PT",
        "timezone": "Europe/Lisbon",
        "languages": ["pt", "en"],
        "skills": ["Risk management", "stakeholder communication"],
        "goals": ["Earn PMP", "first PM job"],
        "certifications_held": [],
        "certifications_target": ["Project Management Professional"],
        "tools": ["Jira", "Microsoft Project"],
        "industries": ["fintech"],
        "meeting_modes": ["remote"],
        "availability": [{"day": "tue", "start": "18:00", "end": "20:00"}, "Sat 10:00-12:00"],
        "consent_to_match": True,
    }
    body.update(overrides)
    return body


async def sign_up_and_login(client: httpx.AsyncClient, **overrides: object) -> dict[str, Any]:
    """Create an account through the API and log the client in; returns the profile."""
    body = signup_body(**overrides)
    created = await client.post("/api/v1/people", json=body)
    assert created.status_code == 201, created.text
    login = await client.post(
        "/api/v1/auth/login", json={"email": body["email"], "password": body["password"]}
    )
    assert login.status_code == 200, login.text
    return created.json()


async def settle_email(pool: asyncpg.Pool, person_id: object) -> None:
    """Test setup for tests of other rules: the person verified their address long ago (rounds
    take only verified people), and their verification email is no longer in the outbox.

    The verification itself (the emailed link, working once) is tested in test_accounts.py and
    tests/workers/test_account_emails.py.
    """
    await pool.execute(
        "UPDATE people SET email_verified_at = now() WHERE id = $1::text::uuid", str(person_id)
    )
    await pool.execute(
        "DELETE FROM outbox WHERE recipient_id = $1::text::uuid AND kind = 'verify_email'",
        str(person_id),
    )


async def account(
    client: httpx.AsyncClient, **overrides: object
) -> tuple[dict[str, Any], dict[str, str]]:
    """Sign up and log in; returns the profile and Bearer headers (no cookie is kept)."""
    profile = await sign_up_and_login(client, **overrides)
    token = client.cookies.get("kickoff_session")
    client.cookies.clear()
    return profile, {"Authorization": f"Bearer {token}"}


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token embedded in a rendered form."""
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in page"
    return match.group(1)
