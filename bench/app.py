"""What the benchmarks that go through the app share: its settings and a logged-in organiser."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import httpx

from service.settings import Settings


def bench_settings() -> Settings:
    """Settings for a benchmark's own app: a state directory of its own (or
    ``KICKOFF_BENCH_HOME``), its own queue, quiet logs, cheap password hashing (the benchmarks
    time rounds and pages, not argon2)."""
    home = Path(os.environ.get("KICKOFF_BENCH_HOME", tempfile.mkdtemp(prefix="kickoff-bench-")))
    return Settings(
        KICKOFF_HOME=home,
        LOG_LEVEL="WARNING",
        PASSWORD_MEMORY_KIB=1024,
        PASSWORD_TIME_COST=1,
        ARQ_QUEUE_NAME="kickoff:bench:" + uuid.uuid4().hex[:8],
    )


async def organiser(client: httpx.AsyncClient) -> uuid.UUID:
    """Sign up a person and log ``client`` in as them (the benchmark makes them an organiser)."""
    body = {
        "email": f"organiser.{uuid.uuid4().hex[:6]}@example.org",
        "password": "correct horse battery staple",
        "display_name": "Bench Organiser",
        "roles": ["mentee"],
        "timezone": "Europe/Lisbon",
        "languages": ["en"],
        "consent_to_match": False,
    }
    created = await client.post("/api/v1/people", json=body)
    assert created.status_code == 201, created.text
    login = {"email": body["email"], "password": body["password"]}
    assert (await client.post("/api/v1/auth/login", json=login)).status_code == 200
    return uuid.UUID(created.json()["id"])
