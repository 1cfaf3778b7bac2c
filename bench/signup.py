"""Sign-up and login throughput through the real ASGI app on real PostgreSQL.

Passwords are hashed with the production argon2id cost (64 MiB, t=3), which dominates.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from service.app import create_app
from service.settings import Settings


def _body(i: int) -> dict[str, Any]:
    return {
        "email": f"bench.{i}.{uuid.uuid4().hex[:6]}@example.org",
        "password": "correct horse battery staple",
        "display_name": f"Bench Person {i}",
        "roles": ["mentee"],
        "timezone": "Europe/Lisbon",
        "languages": ["en", "pt"],
        "skills": ["Risk management", "Scrum", "stakeholder communication"],
        "tools": ["Jira", "MS Project"],
        "goals": ["earn PMP", "first PM job"],
        "availability": ["Tue 18:00-20:00", "Sat 10:00-12:00"],
        "consent_to_match": True,
    }


async def _run(n: int, concurrency: int) -> dict[str, Any]:
    home = Path(os.environ.get("KICKOFF_BENCH_HOME", tempfile.mkdtemp(prefix="kickoff-bench-")))
    settings = Settings(KICKOFF_HOME=home, LOG_LEVEL="WARNING")
    app = create_app(settings)
    latencies: list[float] = []
    logins: list[float] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            sem = asyncio.Semaphore(concurrency)

            async def one(i: int) -> None:
                body = _body(i)
                async with sem:
                    t0 = time.perf_counter()
                    r = await client.post("/api/v1/people", json=body)
                    latencies.append(time.perf_counter() - t0)
                    assert r.status_code == 201, r.text
                    t0 = time.perf_counter()
                    r = await client.post(
                        "/api/v1/auth/login",
                        json={"email": body["email"], "password": body["password"]},
                    )
                    logins.append(time.perf_counter() - t0)
                    assert r.status_code == 200, r.text

            started = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(n)))
            wall = time.perf_counter() - started
    q = statistics.quantiles
    return {
        "sign-ups": n,
        "concurrency": concurrency,
        "wall_s": round(wall, 2),
        "signup_login_pairs_per_s": round(n / wall, 1),
        "signup_p50_ms": round(q(latencies, n=100)[49] * 1000, 1),
        "signup_p95_ms": round(q(latencies, n=100)[94] * 1000, 1),
        "login_p50_ms": round(q(logins, n=100)[49] * 1000, 1),
        "login_p95_ms": round(q(logins, n=100)[94] * 1000, 1),
    }


def main(n: int = 200, concurrency: int = 8) -> dict[str, Any]:
    """Run the benchmark and return its figures."""
    result = asyncio.run(_run(n, concurrency))
    result["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    return result
