"""Importing an association's events from an .ics file through the API: who may, the report,
idempotence on UIDs (again: nothing new or updated; changed: updated), partly bad files and
files that are no calendar (422, nothing written)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.calendars.service import MAX_UPLOAD
from tests.api.test_association_keys import _key, bearer
from tests.api.test_associations import association, association_admin
from tests.api.test_events import event
from tests.api.test_programmes import admin as site_admin
from tests.conftest import account


def when(days: int, hour: int = 18) -> str:
    """A UTC time ``days`` from now, as iCalendar writes it."""
    moment = datetime.now(UTC).replace(hour=hour, minute=0, second=0) + timedelta(days=days)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def vevent(uid: str, summary: str, days: int, *extra: str) -> str:
    return "\r\n".join(
        (
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20261201T000000Z",
            f"SUMMARY:{summary}",
            f"DTSTART:{when(days)}",
            f"DTEND:{when(days, 20)}",
            *extra,
            "END:VEVENT",
        )
    )


def ics(*events: str) -> bytes:
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kickoff tests//EN\r\n"
    return (head + "\r\n".join(events) + "\r\nEND:VCALENDAR\r\n").encode()


#: Two single events and a weekly study group (its first week struck out).
CALENDAR = ics(
    vevent("risk@chapter", "Risk management workshop", 10, "LOCATION:Porto\\, Portugal"),
    vevent("talk@chapter", "Agile seminar", 20, "CATEGORIES:Agile,Kanban for NGOs"),
    vevent(
        "study@chapter",
        "PMP study group",
        3,
        "RRULE:FREQ=WEEKLY;COUNT=4",
        f"EXDATE:{when(3)}",
        "LOCATION:https://zoom.us/j/123",
    ),
)


def url(association_id: str) -> str:
    return f"/api/v1/associations/{association_id}/events/import"


async def post(client, association_id: str, data: bytes, headers=None, name: str = "c.ics"):
    return await client.post(
        url(association_id), files={"file": (name, data, "text/calendar")}, headers=headers
    )


@pytest.fixture
async def chapter(client, pool):
    """PMI Portugal (Lisbon, pt and en), its admin Ada and the site admin."""
    _, boss = await site_admin(client, pool)
    made = await association(client, boss)
    ada, ada_headers = await association_admin(client, boss, made["id"])
    return made["id"], ada, ada_headers, boss


async def test_an_admin_imports_and_importing_again_changes_nothing(client, pool, chapter):
    aid, ada, ada_headers, _ = chapter
    r = await post(client, aid, CALENDAR, ada_headers, "chapter.ics")
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["imported"], report["updated"], report["unchanged"], report["rejected"]) == (
        5,
        0,
        0,
        0,
    )
    assert report["file_name"] == "chapter.ics"
    assert {e["outcome"] for e in report["events"]} == {"new"}
    rows = await pool.fetch(
        "SELECT * FROM events WHERE association_id = $1 ORDER BY starts_at", uuid.UUID(aid)
    )
    assert len(rows) == 5 and all(r["created_by"] == uuid.UUID(ada["id"]) for r in rows)
    talk = next(r for r in rows if r["ical_uid"] == "talk@chapter")
    assert (talk["kind"], talk["city"], talk["country"], talk["timezone"]) == (
        "seminar",
        "Lisbon",  # no place in the file: the association's
        "PT",
        "Europe/Lisbon",
    )
    assert talk["tags"] == ["agile-delivery", "kanban-for-ngos"]
    assert talk["languages"] == ["pt", "en"]
    risk = next(r for r in rows if r["ical_uid"] == "risk@chapter")
    assert (risk["kind"], risk["city"]) == ("workshop", "Porto") and risk["latitude"] > 41
    study = [r for r in rows if r["ical_uid"].startswith("study@chapter/")]
    assert len(study) == 3 and all(r["online"] and r["kind"] == "study_group" for r in study)
    assert study[0]["url"] == "https://zoom.us/j/123"

    again = (await post(client, aid, CALENDAR, ada_headers)).json()
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, 5)
    assert await pool.fetchval("SELECT count(*) FROM events") == 5
    stamps = {r["ical_uid"]: r["updated_at"] for r in rows}
    after = await pool.fetch("SELECT ical_uid, updated_at FROM events")
    assert {r["ical_uid"]: r["updated_at"] for r in after} == stamps


async def test_a_changed_file_updates_its_events_and_cancels_the_cancelled(client, pool, chapter):
    aid, _, ada_headers, _ = chapter
    assert (await post(client, aid, CALENDAR, ada_headers)).status_code == 200
    changed = ics(
        vevent("risk@chapter", "Risk management workshop (room 2)", 10, "LOCATION:Porto"),
        vevent("talk@chapter", "Agile seminar", 20, "CATEGORIES:Agile,Kanban for NGOs"),
        vevent(
            "study@chapter",
            "PMP study group",
            3,
            "RRULE:FREQ=WEEKLY;COUNT=4",
            f"EXDATE:{when(3)}",
            "LOCATION:https://zoom.us/j/123",
            "STATUS:CANCELLED",
        ),
        vevent("new@chapter", "Networking evening", 30),
    )
    report = (await post(client, aid, changed, ada_headers)).json()
    assert (report["imported"], report["updated"], report["unchanged"]) == (1, 4, 1)
    outcome = {e["ical_uid"].split("/")[0]: e["outcome"] for e in report["events"]}
    assert outcome == {
        "risk@chapter": "updated",
        "talk@chapter": "unchanged",
        "study@chapter": "updated",
        "new@chapter": "new",
    }
    cancelled = await pool.fetch(
        "SELECT status, cancelled_at FROM events WHERE ical_uid LIKE 'study@chapter/%'"
    )
    assert all(r["status"] == "cancelled" and r["cancelled_at"] for r in cancelled)
    assert await pool.fetchval("SELECT title FROM events WHERE ical_uid = 'risk@chapter'") == (
        "Risk management workshop (room 2)"
    )
    assert await pool.fetchval("SELECT count(*) FROM events") == 6


async def test_full_sync_cancels_the_upcoming_imported_events_the_file_no_longer_has(
    client, pool, chapter
):
    aid, _, ada_headers, _ = chapter
    assert (await post(client, aid, CALENDAR, ada_headers)).status_code == 200
    # An event made in Kickoff, and one imported long ago that has taken place.
    made = await event(client, ada_headers, association_id=aid, title="Made in Kickoff")
    await pool.execute(
        "INSERT INTO events (association_id, ical_uid, title, kind, starts_at, ends_at, timezone,"
        " online) SELECT association_id, 'old@chapter', 'Last year', kind, now() - interval"
        " '30 days', now() - interval '29 days', timezone, true FROM events WHERE id = $1",
        uuid.UUID(made["id"]),
    )
    only_risk = ics(vevent("risk@chapter", "Risk management workshop", 10, "LOCATION:Porto"))

    # Without full_sync the file is one calendar among others: nothing else changes.
    report = (await post(client, aid, only_risk, ada_headers)).json()
    assert (report["cancelled"], report["cancelled_events"], report["full_sync"]) == (0, [], False)

    r = await client.post(
        url(aid),
        files={"file": ("c.ics", only_risk, "text/calendar")},
        data={"full_sync": "true"},
        headers=ada_headers,
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["full_sync"] and report["cancelled"] == 4
    gone = {e["ical_uid"].split("/")[0] for e in report["cancelled_events"]}
    assert gone == {"talk@chapter", "study@chapter"}
    assert all(e["outcome"] == "removed" for e in report["cancelled_events"])
    statuses = dict(await pool.fetch("SELECT coalesce(ical_uid, title), status FROM events"))
    assert statuses.pop("risk@chapter") == "scheduled"
    assert statuses.pop("Made in Kickoff") == "scheduled"
    assert statuses.pop("old@chapter") == "scheduled"  # the past is left as it was
    assert set(statuses.values()) == {"cancelled"} and len(statuses) == 4
    # Again: nothing more to cancel.
    again = await client.post(
        url(aid),
        files={"file": ("c.ics", only_risk)},
        data={"full_sync": "on"},
        headers=ada_headers,
    )
    assert again.json()["cancelled"] == 0

    # An event still in the file but unreadable now (its end typed before its start) is not
    # cancelled.
    networking = vevent("new@chapter", "Networking evening", 30)
    assert (await post(client, aid, ics(networking), ada_headers)).status_code == 200
    typo = ics(
        vevent("risk@chapter", "Risk management workshop", 10, "LOCATION:Porto"),
        "BEGIN:VEVENT\r\nUID:new@chapter\r\nSUMMARY:Networking evening\r\n"
        f"DTSTART:{when(30, 20)}\r\nDTEND:{when(30, 18)}\r\nEND:VEVENT",
    )
    r = await client.post(
        url(aid), files={"file": ("c.ics", typo)}, data={"full_sync": "yes"}, headers=ada_headers
    )
    assert (r.json()["rejected"], r.json()["cancelled"]) == (1, 0), r.text
    assert await pool.fetchval("SELECT status FROM events WHERE ical_uid = 'new@chapter'") == (
        "scheduled"
    )

    # A file none of whose events can be imported cancels nothing (a wrong file, most likely).
    bad = ics(vevent("past@chapter", "Last month's social", -30))
    r = await client.post(
        url(aid), files={"file": ("c.ics", bad)}, data={"full_sync": "1"}, headers=ada_headers
    )
    assert r.status_code == 200 and (r.json()["rejected"], r.json()["cancelled"]) == (1, 0)
    assert await pool.fetchval("SELECT status FROM events WHERE ical_uid = 'risk@chapter'") == (
        "scheduled"
    )
    # full_sync is a yes or a no.
    r = await client.post(
        url(aid), files={"file": ("c.ics", bad)}, data={"full_sync": "maybe"}, headers=ada_headers
    )
    assert r.status_code == 422 and "full_sync" in r.text


async def test_who_may_import(client, pool, chapter):
    aid, _, ada_headers, boss = chapter
    other = (await association(client, boss, name="Agile Porto"))["id"]
    _, olga = await association_admin(client, boss, other)
    key = (await _key(client, aid, ada_headers))["key"]
    other_key = (await _key(client, other, olga))["key"]
    _, stranger = await account(client)
    client.cookies.clear()
    assert (await post(client, aid, CALENDAR)).status_code == 401
    for headers in (stranger, olga, bearer(other_key)):
        assert (await post(client, aid, CALENDAR, headers)).status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM events") == 0
    by_key = await post(client, aid, CALENDAR, bearer(key))
    assert by_key.status_code == 200 and by_key.json()["imported"] == 5
    assert await pool.fetchval("SELECT count(DISTINCT created_by) FROM events") == 0
    by_boss = await post(client, aid, CALENDAR, boss)
    assert by_boss.status_code == 200 and by_boss.json()["unchanged"] == 5
    r = await post(client, str(uuid.uuid4()), CALENDAR, boss)
    assert r.status_code == 404
    # The same UIDs in another association's calendar are that association's own events.
    assert (await post(client, other, CALENDAR, olga)).json()["imported"] == 5
    assert await pool.fetchval("SELECT count(*) FROM events") == 10


async def test_a_partly_bad_file_imports_the_good_events_and_reports_the_bad(client, pool, chapter):
    aid, _, ada_headers, _ = chapter
    data = ics(
        vevent("good@chapter", "Good workshop", 5),
        vevent("past@chapter", "Last month's social", -30),
        "BEGIN:VEVENT\r\nUID:backwards@chapter\r\nSUMMARY:Backwards\r\n"
        f"DTSTART:{when(6, 20)}\r\nDTEND:{when(6, 18)}\r\nEND:VEVENT",
        "BEGIN:VEVENT\r\nUID:mars@chapter\r\nSUMMARY:On Mars\r\n"
        f"DTSTART;TZID=Mars/Olympus:{when(6)[:-1]}\r\nEND:VEVENT",
    )
    r = await post(client, aid, data, ada_headers)
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["imported"], report["rejected"]) == (1, 3)
    assert {(e["uid"], e["summary"]): e["reason"] for e in report["rejected_events"]} == {
        ("past@chapter", "Last month's social"): report["rejected_events"][0]["reason"],
        ("backwards@chapter", "Backwards"): "it ends before it starts",
        ("mars@chapter", "On Mars"): "its timezone 'Mars/Olympus' is unknown",
    }
    assert report["rejected_events"][0]["reason"].startswith("it is in the past")
    assert await pool.fetchval("SELECT array_agg(ical_uid) FROM events") == ["good@chapter"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "The file is empty."),
        (bytes(range(256)) * 16, "looks like binary data"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "looks like binary data"),
        (b"Email,Name\nana@example.org,Ana\n", "BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no events"),
    ],
)
async def test_a_file_that_is_no_calendar_is_422_and_writes_nothing(
    client, pool, chapter, content, reason
):
    aid, _, ada_headers, _ = chapter
    r = await post(client, aid, content, ada_headers)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "not_a_calendar" and reason in error["message"]
    assert error["fields"] == [{"field": "file", "message": error["message"]}]
    assert await pool.fetchval("SELECT count(*) FROM events") == 0


async def test_no_file_and_too_large_a_file_are_refused(client, pool, chapter):
    aid, _, ada_headers, _ = chapter
    r = await client.post(
        url(aid), data={"x": "1"}, files={"other": ("a", b"a")}, headers=ada_headers
    )
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "file"
    big = CALENDAR + b" " * MAX_UPLOAD
    assert (await post(client, aid, big, ada_headers)).status_code == 413
    r = await client.post(url(aid), json={"file": "x"}, headers=ada_headers)
    assert r.status_code == 415
    assert await pool.fetchval("SELECT count(*) FROM events") == 0


_LINES = st.sampled_from(
    [
        "BEGIN:VEVENT",
        "END:VEVENT",
        "UID:fuzz",
        "SUMMARY:Workshop",
        f"DTSTART:{when(5)}",
        "DTSTART;TZID=Nowhere:20270110T100000",
        "DTSTART;VALUE=DATE:2027",
        f"DTEND:{when(5, 20)}",
        "RRULE:FREQ=DAILY;COUNT=3",
        "RRULE:FREQ=WHENEVER",
        "LOCATION:Lisbon",
        "STATUS:CANCELLED",
    ]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.one_of(
        st.binary(max_size=300),
        st.lists(_LINES, max_size=12).map(
            lambda lines: "\r\n".join(["BEGIN:VCALENDAR", *lines, "END:VCALENDAR"]).encode()
        ),
    )
)
async def test_any_file_is_a_report_or_a_422_never_a_500(client, pool, content):
    if (aid := await pool.fetchval("SELECT id::text FROM associations LIMIT 1")) is None:
        _, boss = await site_admin(client, pool)
        aid = (await association(client, boss))["id"]
        client.cookies.set("kickoff_session", boss["Authorization"].removeprefix("Bearer "))
    before = await pool.fetchval("SELECT count(*) FROM events")
    r = await post(client, aid, content)
    assert r.status_code in (200, 422), r.text
    if r.status_code == 422:
        assert r.json()["error"]["code"] == "not_a_calendar"
        assert await pool.fetchval("SELECT count(*) FROM events") == before
