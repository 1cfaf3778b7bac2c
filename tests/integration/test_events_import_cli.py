"""`kickoff events import --association ID FILE` imports a calendar through the same code as
the API and prints the report; importing again changes nothing; refusals are one line."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from kickoff.cli import main
from tests.api.test_calendar_import import CALENDAR, ics, vevent
from tests.integration.test_import_cli import cli_env  # noqa: F401
from tests.workers.test_imports import association

pytestmark = pytest.mark.usefixtures("cli_env")


async def test_events_import_prints_the_report(pool, settings, tmp_path, capsys):
    aid = await association(pool)
    path = tmp_path / "chapter.ics"
    path.write_bytes(CALENDAR)
    code = await asyncio.to_thread(main, ["events", "import", "--association", aid, str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.splitlines()[:5] == [
        "events of PMI Portugal Chapter from chapter.ics",
        "new: 5",
        "updated: 0",
        "unchanged: 0",
        "rejected: 0",
    ]
    assert await pool.fetchval("SELECT count(*) FROM events WHERE created_by IS NULL") == 5
    path.write_bytes(
        CALENDAR.replace(
            b"END:VCALENDAR", vevent("past@x", "Old news", -10).encode() + b"\r\nEND:VCALENDAR"
        )
    )
    code = await asyncio.to_thread(main, ["events", "import", "--association", aid, str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "new: 0" in out and "unchanged: 5" in out and "rejected: 1" in out
    assert "  rejected 'Old news' (past@x): it is in the past" in out
    assert await pool.fetchval("SELECT count(*) FROM events") == 5

    # The whole calendar now has one event: the others are cancelled, and said so.
    path.write_bytes(ics(vevent("talk@chapter", "Agile seminar", 20)))
    argv = ["events", "import", "--association", aid, "--full-sync", str(path)]
    code = await asyncio.to_thread(main, argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "cancelled (no longer in the file): 4" in out
    assert "  cancelled 'Risk management workshop' (risk@chapter), " in out
    assert await pool.fetchval("SELECT count(*) FROM events WHERE status = 'cancelled'") == 4


async def test_events_import_refuses_what_it_cannot_import(pool, settings, tmp_path, capsys):
    aid = await association(pool)
    junk = tmp_path / "members.csv"
    junk.write_bytes(b"Email,Name\nana@example.org,Ana\n")
    good = tmp_path / "c.ics"
    good.write_bytes(ics(vevent("a@x", "Seminar", 3)))
    cases = [
        (["events", "import", "--association", aid, str(junk)], 1, "has no BEGIN:VCALENDAR"),
        (["events", "import", "--association", aid, str(tmp_path / "no.ics")], 2, "no file"),
        (["events", "import", "--association", "x", str(good)], 2, "is not an association id"),
        (
            ["events", "import", "--association", str(uuid.uuid4()), str(good)],
            1,
            "no such association",
        ),
    ]
    for argv, expected, message in cases:
        assert await asyncio.to_thread(main, argv) == expected, argv
        assert message in capsys.readouterr().err, argv
    assert await pool.fetchval("SELECT count(*) FROM events") == 0
