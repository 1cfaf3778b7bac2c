"""The calendar import page: linked from the association's page for its admins, a file picker
with CSRF, then the report listing each event left out with why; a file that is no calendar
says why and writes nothing."""

from __future__ import annotations

import html
import re
import uuid
from importlib import resources

from tests.api.test_associations import association as create_association
from tests.api.test_associations import association_admin
from tests.api.test_calendar_import import CALENDAR, ics, vevent
from tests.api.test_programmes import admin as site_admin
from tests.conftest import account, csrf_from

SAMPLE = resources.files("service.demo").joinpath("data/sample_events.ics").read_bytes()


def text(page) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def browser(client, headers: dict[str, str]):
    """The client with the session of ``headers`` as a cookie, as a browser holds it."""
    client.cookies.set("kickoff_session", headers["Authorization"].removeprefix("Bearer "))
    return client


async def _submit(client, chapter: str, content: bytes, name: str = "events.ics", **fields: str):
    page = await client.get(f"/associations/{chapter}/events/import")
    assert page.status_code == 200, page.text
    return await client.post(
        f"/associations/{chapter}/events/import",
        data={"csrf_token": csrf_from(page.text), **fields},
        files={"file": (name, content, "text/calendar")},
    )


async def test_an_admin_imports_the_demo_sample_from_the_page(client, pool):
    _, boss = await site_admin(client, pool)
    chapter = (await create_association(client, boss))["id"]
    _, ada = await association_admin(client, boss, chapter)
    browser(client, ada)
    assert (
        f'href="/associations/{chapter}/events/import"'
        in (await client.get(f"/associations/{chapter}")).text
    )
    report = await _submit(client, chapter, SAMPLE, "sample_events.ics")
    assert report.status_code == 200, report.text
    words = text(report)
    stored = await pool.fetchval("SELECT count(*) FROM events")
    assert stored > 10  # four monthly series, a weekly one and two single events
    assert f"Done: {stored} new, 0 updated, 0 unchanged, 3 left out." in words
    assert "Events left out, and why" in words
    for line in (
        "Mentoring clinic (end time typed wrong) : it ends before it starts.",
        "Book club: The Phoenix Project : its timezone 'Lisbon Standard Time' is unknown.",
        "Chapter kick-off 2025 : it is in the past (it ended on 25 September 2025).",
    ):
        assert line in words
    assert "(cancelled)" in words and "/events/" in report.text
    # Each event when it starts in its own zone.
    assert re.search(
        r"PMP study group , \w{3} \d+ \w{3} \d{4}, 19:00 \(Europe/Lisbon\): new", words
    )
    assert "21:00 (America/Sao Paulo)" not in words and "20:00 (America/Sao Paulo): new" in words
    again = await _submit(client, chapter, SAMPLE, "sample_events.ics")
    assert f"Done: 0 new, 0 updated, {stored} unchanged, 3 left out." in text(again)
    assert await pool.fetchval("SELECT count(*) FROM events") == stored


async def test_the_whole_calendar_box_cancels_what_the_file_no_longer_has(client, pool):
    _, boss = await site_admin(client, pool)
    chapter = (await create_association(client, boss))["id"]
    _, ada = await association_admin(client, boss, chapter)
    browser(client, ada)
    page = await client.get(f"/associations/{chapter}/events/import")
    assert 'name="full_sync"' in page.text and "This file is our whole calendar" in text(page)
    assert (await _submit(client, chapter, CALENDAR)).status_code == 200
    only_risk = ics(vevent("risk@chapter", "Risk management workshop", 10, "LOCATION:Porto"))

    unticked = text(await _submit(client, chapter, only_risk))
    assert "cancelled" not in unticked.split("Events in the file")[0]
    assert await pool.fetchval("SELECT count(*) FROM events WHERE status = 'cancelled'") == 0

    ticked = await _submit(client, chapter, only_risk, full_sync="on")
    assert ticked.status_code == 200, ticked.text
    words = text(ticked)
    assert "4 cancelled because the calendar no longer has them." in words
    assert "Events cancelled: no longer in the calendar 4" in words
    section = words.split("Events cancelled: no longer in the calendar")[2]
    assert "Agile seminar" in section and section.count("PMP study group") == 3
    assert await pool.fetchval("SELECT count(*) FROM events WHERE status = 'cancelled'") == 4


async def test_a_file_that_is_no_calendar_says_why_and_writes_nothing(client, pool):
    _, boss = await site_admin(client, pool)
    chapter = (await create_association(client, boss))["id"]
    browser(client, boss)
    r = await _submit(client, chapter, b"Email,Name\nana@example.org,Ana\n", "members.csv")
    assert r.status_code == 422
    assert "it has no BEGIN:VCALENDAR" in text(r) and 'role="alert"' in r.text
    page = await client.get(f"/associations/{chapter}/events/import")
    r = await client.post(
        f"/associations/{chapter}/events/import", data={"csrf_token": csrf_from(page.text)}
    )
    assert r.status_code == 422 and "Choose a calendar file." in text(r)
    assert await pool.fetchval("SELECT count(*) FROM events") == 0


async def test_only_its_admins_may_and_forms_need_their_token(client, pool):
    _, boss = await site_admin(client, pool)
    chapter = (await create_association(client, boss))["id"]
    _, stranger = await account(client)
    browser(client, stranger)
    assert (await client.get(f"/associations/{chapter}/events/import")).status_code == 403
    assert "/events/import" not in (await client.get(f"/associations/{chapter}")).text
    browser(client, boss)
    r = await client.post(
        f"/associations/{chapter}/events/import",
        data={"csrf_token": "forged"},
        files={"file": ("c.ics", CALENDAR)},
    )
    assert r.status_code == 403
    missing = await client.get(f"/associations/{uuid.uuid4()}/events/import")
    assert missing.status_code == 404
    client.cookies.clear()
    anonymous = await client.get(f"/associations/{chapter}/events/import")
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
    assert await pool.fetchval("SELECT count(*) FROM events") == 0
