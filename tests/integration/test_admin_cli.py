"""``kickoff admin create`` against the test database."""

from __future__ import annotations

import asyncio
import io
import uuid

import pytest

from kickoff.cli import main
from tests.conftest import signup_body


@pytest.fixture
def cli_env(settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point ``kickoff`` at this test's database, Redis and state directory."""
    assert settings.database_url and settings.redis_url
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("KICKOFF_HOME", str(settings.kickoff_home))
    monkeypatch.setenv("PASSWORD_MEMORY_KIB", "1024")
    monkeypatch.setenv("PASSWORD_TIME_COST", "1")


async def kickoff(monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = "") -> int:
    """Run ``kickoff argv...`` in a thread (it runs its own event loop) with ``stdin``."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return await asyncio.to_thread(main, list(argv))


async def test_admin_create_promotes_an_existing_person(client, pool, cli_env, monkeypatch, capsys):
    body = signup_body()
    created = await client.post("/api/v1/people", json=body)
    person_id = uuid.UUID(created.json()["id"])
    email = str(body["email"])

    assert await kickoff(monkeypatch, "admin", "create", "--email", email.upper()) == 0
    assert f"made {email.upper()} (id {person_id}) a site admin" in capsys.readouterr().out
    assert await pool.fetchval("SELECT is_admin FROM people WHERE id = $1", person_id)
    # Nothing else about the person changed.
    assert await pool.fetchval("SELECT count(*) FROM people") == 1

    assert await kickoff(monkeypatch, "admin", "create", "--email", email) == 0
    assert "already a site admin" in capsys.readouterr().out

    # The new admin can now create programmes.
    login = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": body["password"]}
    )
    r = await client.post("/api/v1/programmes", json={"name": "First cohort"})
    assert login.status_code == 200 and r.status_code == 201, r.text


async def test_admin_create_makes_an_account_with_a_password_from_stdin(
    client, pool, cli_env, monkeypatch, capsys
):
    password = "a long admin password"
    code = await kickoff(
        monkeypatch,
        "admin",
        "create",
        "--email",
        "boss@example.org",
        "--name",
        "The Boss",
        "--password-stdin",
        stdin=password + "\n",
    )
    assert code == 0
    assert "created an account for boss@example.org" in capsys.readouterr().out
    row = await pool.fetchrow(
        "SELECT display_name, is_admin, is_mentee, is_mentor, timezone, languages,"
        " consent_to_match FROM people WHERE email = 'boss@example.org'"
    )
    assert dict(row) == {
        "display_name": "The Boss",
        "is_admin": True,
        "is_mentee": True,
        "is_mentor": False,
        "timezone": "UTC",
        "languages": ["en"],
        "consent_to_match": False,
    }
    login = await client.post(
        "/api/v1/auth/login", json={"email": "boss@example.org", "password": password}
    )
    assert login.status_code == 200, login.text


async def test_admin_create_refuses_a_bad_new_account(pool, cli_env, monkeypatch, capsys):
    argv = ("admin", "create", "--email", "boss@example.org", "--password-stdin")
    assert await kickoff(monkeypatch, *argv, stdin="short\n") == 1
    assert "password" in capsys.readouterr().err
    bad_email = ("admin", "create", "--email", "not-an-email", "--password-stdin")
    assert await kickoff(monkeypatch, *bad_email, stdin="a long admin password\n") == 1
    assert "email" in capsys.readouterr().err
    assert await pool.fetchval("SELECT count(*) FROM people") == 0
