"""The event pages through httpx with CSRF tokens: hosts create, edit and cancel events with
forms (each field's error shown, nothing written), people browse, filter and RSVP, hosts see
who is going, and an association's page lists its upcoming events."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.api.test_association_pages import login
from tests.api.test_associations import association, association_admin
from tests.api.test_events import event
from tests.api.test_organise_pages import menu, text
from tests.api.test_programmes import admin
from tests.conftest import account, csrf_from, sign_up_and_login


def local(days: int, hour: int, zone: str = "America/New_York") -> str:
    """A datetime-local value ``days`` from now at ``hour`` o'clock."""
    day = datetime.now(ZoneInfo(zone)) + timedelta(days=days)
    return day.replace(hour=hour, minute=30).strftime("%Y-%m-%dT%H:%M")


async def post(client, action: str, form_page: str, **data: str | list[str]):
    """Post a form with the CSRF token of the page it is on (the form has a field "url")."""
    page = await client.get(form_page)
    return await client.post(action, data={"csrf_token": csrf_from(page.text), **data})


def form(host: str, **overrides: str | list[str]) -> dict[str, str | list[str]]:
    return {
        "host": host,
        "title": "Stakeholder mapping workshop",
        "kind": "workshop",
        "timezone": "America/New_York",
        "starts_at": local(10, 18),
        "ends_at": local(10, 20),
        "city": "New York",
        "country": "US",
        "tags": "Stakeholder management, Risk management, Kanban for NGOs",
        "languages": ["en", "es"],
        "capacity": "12",
        "url": "https://example.org/workshop",
        "description": "Bring a project you are working on.",
        **overrides,
    }


async def test_a_host_creates_an_event_with_the_form_and_sees_each_fields_error(client, pool):
    _, boss = await admin(client, pool)
    a = await association(client, boss)
    ada, _ = await association_admin(client, boss, a["id"], email="ada@example.org")
    await login(client, "ada@example.org")
    page = await client.get(f"/events/new?association_id={a['id']}")
    assert page.status_code == 200 and "selected>PMI Portugal Chapter" in text(page)

    bad = form(
        f"association:{a['id']}",
        title="",
        timezone="Mars/Base",
        ends_at=local(9, 18),
        country="",
        capacity="-4",
        url="ftp:/x",
    )
    r = await post(client, "/events/new", "/events/new", **bad)
    assert r.status_code == 422
    shown = text(r)
    for message in (
        "Fill this in",
        "Choose your timezone from the list",
        "Choose the country this city is in",
        "Use 0 or more",
        "Enter a web address starting with http:// or https://",
    ):
        assert message in shown, message
    assert f'value="{bad["starts_at"]}"' in r.text  # the local time as typed
    past = form(f"association:{a['id']}", starts_at=local(-3, 9), ends_at=local(-3, 11))
    r = await post(client, "/events/new", "/events/new", **past)
    assert r.status_code == 422 and "The event must start in the future" in text(r)
    r = await post(client, "/events/new", "/events/new", **form(""))
    assert r.status_code == 422 and "Choose who hosts the event" in text(r)
    assert await pool.fetchval("SELECT count(*) FROM events") == 0

    r = await post(client, "/events/new", "/events/new", **form(f"association:{a['id']}"))
    assert r.status_code == 303, r.text
    stored = await pool.fetchrow("SELECT * FROM events")
    starts = stored["starts_at"].astimezone(ZoneInfo("America/New_York"))
    assert (starts.hour, starts.minute) == (18, 30)  # read in the chosen zone
    assert stored["tags"] == ["stakeholder-communication", "risk-management", "kanban-for-ngos"]
    assert stored["capacity"] == 12 and str(stored["created_by"]) == ada["id"]
    assert stored["latitude"] is not None
    page = await client.get(r.headers["location"])
    assert "Event created" in text(page) and "Kanban for NGOs" in text(page)
    assert "Who is going (0)" in text(page)


async def test_people_browse_filter_and_rsvp_and_hosts_see_who_is_going(client, pool):
    _, boss = await admin(client, pool)
    a = await association(client, boss)
    _, ada = await association_admin(client, boss, a["id"], email="ada@example.org")
    e = await event(client, ada, association_id=a["id"], capacity=1, timezone="Asia/Tokyo")
    await event(
        client,
        ada,
        association_id=a["id"],
        title="Scrum webinar",
        online=True,
        city="",
        country="",
        kind="webinar",
    )
    mia = await sign_up_and_login(client, display_name="Mia Mentee", timezone="Europe/London")
    page = await client.get("/events")
    assert "Events" in menu(page)
    assert "PMP exam preparation" in text(page) and "Scrum webinar" in text(page)
    assert "(your time, Europe/London)" in text(page) and "(Asia/Tokyo, the event's time)" in text(
        page
    )
    assert "1 of 1 places left" in text(page)
    page = await client.get("/events?kind=webinar&online=yes")
    assert "Scrum webinar" in text(page) and "PMP exam preparation" not in text(page)

    for back in ("https://evil.example/", "//evil.example/x", "/events//evil.example"):
        r = await post(client, f"/events/{e['id']}/rsvp", f"/events/{e['id']}", back=back)
        assert r.headers["location"] == f"/events/{e['id']}?done=going"  # not elsewhere
        await client.delete(f"/api/v1/events/{e['id']}/rsvp")
    r = await post(client, f"/events/{e['id']}/rsvp", f"/events/{e['id']}", back="/suggestions")
    assert r.status_code == 303 and r.headers["location"] == "/suggestions"
    page = await client.get(f"/events/{e['id']}?done=going")
    assert "You are going" in text(page) and "I am not going after all" in text(page)
    await login(client, "ada@example.org")
    page = await client.get(f"/events/{e['id']}")
    assert "Who is going (1)" in text(page) and "Mia Mentee" in text(page)
    assert mia["email"] not in page.text
    page = await client.get(f"/associations/{a['id']}")
    assert "Upcoming events" in text(page) and "PMP exam preparation" in text(page)
    assert "(full)" in text(page)

    # Someone else finds it full.
    await account(client, email="otto@example.org")
    await login(client, "otto@example.org")
    page = await client.get(f"/events/{e['id']}")
    assert "This event is full" in text(page) and "I am going" not in text(page)
    r = await post(client, f"/events/{e['id']}/rsvp", f"/events/{e['id']}")
    assert r.status_code == 409
    assert "“PMP exam preparation: risk management” is full: its one place is taken." in text(r)
    assert await pool.fetchval("SELECT count(*) FROM event_rsvps") == 1


async def test_a_host_edits_and_cancels_with_a_confirmation(client, pool):
    _, boss = await admin(client, pool)
    a = await association(client, boss)
    _, ada = await association_admin(client, boss, a["id"], email="ada@example.org")
    e = await event(client, ada, association_id=a["id"], timezone="Europe/Lisbon")
    await login(client, "ada@example.org")
    page = await client.get(f"/events/{e['id']}/edit")
    starts = datetime.fromisoformat(e["starts_at"]).astimezone(ZoneInfo("Europe/Lisbon"))
    assert f'value="{starts:%Y-%m-%dT%H:%M}"' in page.text
    r = await post(
        client,
        f"/events/{e['id']}/edit",
        f"/events/{e['id']}/edit",
        **form("", title="Renamed", timezone="Europe/Lisbon", capacity=""),
    )
    assert r.status_code == 303, r.text
    stored = await pool.fetchrow("SELECT title, capacity, timezone FROM events")
    assert (stored["title"], stored["capacity"]) == ("Renamed", None)

    r = await post(client, f"/events/{e['id']}/cancel", f"/events/{e['id']}")
    assert r.status_code == 200 and "Yes, cancel the event" in text(r)
    assert await pool.fetchval("SELECT status FROM events") == "scheduled"
    r = await post(client, f"/events/{e['id']}/cancel", f"/events/{e['id']}", confirm="yes")
    assert r.status_code == 303
    assert await pool.fetchval("SELECT status FROM events") == "cancelled"
    page = await client.get(r.headers["location"])
    assert "The event is cancelled" in text(page) and "I am going" not in text(page)

    await sign_up_and_login(client, email="mia@example.org")
    assert (await client.get(f"/events/{e['id']}/edit")).status_code == 403
    assert (await client.get("/events/new")).status_code == 403
    assert (await client.get(f"/events/{uuid.uuid4()}")).status_code == 404


async def test_an_rsvp_form_without_its_token_is_refused(client, pool):
    _, boss = await admin(client, pool)
    a = await association(client, boss)
    _, ada = await association_admin(client, boss, a["id"])
    e = await event(client, ada, association_id=a["id"])
    await sign_up_and_login(client)
    r = await client.post(f"/events/{e['id']}/rsvp", data={"csrf_token": "forged"})
    assert r.status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM event_rsvps") == 0
