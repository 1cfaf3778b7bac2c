"""`kickoff import --association ID FILE` imports through the same code as the API, here and
now, with a progress bar on standard error, and prints the counts."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from kickoff.cli import main
from service.imports import service as imports
from tests.workers.test_imports import MEMBERS, association


@pytest.fixture
def cli_env(settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command reads its settings from the environment: this test's servers and home."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("KICKOFF_HOME", str(settings.kickoff_home))
    monkeypatch.setenv("SECRET_KEY", str(settings.secret_key))
    monkeypatch.setenv("ARQ_QUEUE_NAME", settings.arq_queue_name)


async def test_import_prints_progress_and_counts(pool, settings, cli_env, tmp_path, capsys):
    aid = await association(pool)
    path = tmp_path / "chapter members.csv"
    path.write_bytes(MEMBERS.encode("cp1252"))
    code = await asyncio.to_thread(main, ["import", "--association", aid, str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "100%" in err and "reading rows" in err and "applying" in err
    assert "file: csv, windows-1252, delimiter ';'" in out
    for line in (
        "rows read: 7",
        "created (invited): 4",
        "linked (already in Kickoff): 0",
        "rejected: 2",
        "duplicates merged: 1",
        "invitations queued: 4",
    ):
        assert line in out.splitlines()
    assert "rejected rows, with why: GET /api/v1/imports/" in out
    assert await pool.fetchval("SELECT count(*) FROM people WHERE claimed_at IS NULL") == 4
    assert await pool.fetchval("SELECT created_by FROM imports") is None
    assert list(imports.upload_dir(settings.home).iterdir()) == []

    # Again, with a full sync and the mapping as JSON: nothing new, nothing ended.
    code = await asyncio.to_thread(
        main,
        ["import", "--association", aid, str(path), "--full-sync", "--mapping", '{"Mentor?": ""}'],
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "created (invited): 0" in out and "memberships ended (full sync): 0" in out


async def test_import_refuses_what_it_cannot_import(pool, settings, cli_env, tmp_path, capsys):
    aid = await association(pool)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    good = tmp_path / "members.csv"
    good.write_text(MEMBERS)
    cases = [
        (["import", "--association", aid, str(empty)], 1, "The file is empty."),
        (["import", "--association", aid, str(tmp_path / "nope.csv")], 2, "there is no file"),
        (["import", "--association", "x", str(good)], 2, "is not an association id"),
        (["import", "--association", str(uuid.uuid4()), str(good)], 1, "no such association"),
        (["import", "--association", aid, str(good), "--mapping", "[1]"], 2, "--mapping"),
        (
            ["import", "--association", aid, str(good), "--mapping", '{"Nope": "email"}'],
            1,
            "The file has no column named 'Nope'.",
        ),
    ]
    for argv, expected, message in cases:
        assert await asyncio.to_thread(main, argv) == expected, argv
        assert message in capsys.readouterr().err, argv
    assert await pool.fetchval("SELECT count(*) FROM imports") == 0
