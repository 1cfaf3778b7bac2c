"""Reading .ics files as Google Calendar, Outlook and Meetup export them (tests/data/calendars),
against a fixed clock: times and zones, recurring series with EXDATE and a moved occurrence,
all-day events, places, kinds, tags, cancellations, and the reasons for each refused event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.calendars.describe import Home
from service.calendars.parse import READER_FAILED, NotACalendar, read_calendar
from service.calendars.places import find_place, home_zone
from service.taxonomy.normalise import Taxonomy
from service.taxonomy.seedfile import seed_terms

DATA = Path(__file__).parents[1] / "data" / "calendars"
NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
TAXONOMY = Taxonomy.build(seed_terms(), [("Project Management Professional", "pmp")])
LISBON = Home("PMI Lisbon", False, "Lisbon", "PT", ("pt", "en"), "Europe/Lisbon")
LONDON = Home("London PM", False, "London", "GB", ("en",), "Europe/London")
ONLINE = Home("PM Online", True, "", None, ("en",), None)


def read(name: str, home: Home = LISBON, now: datetime = NOW):
    return read_calendar((DATA / name).read_bytes(), now=now, home=home, taxonomy=TAXONOMY)


def by_uid(reading):
    return {e.ical_uid: e for e in reading.events}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_google_export_single_events_zones_and_places():
    reading = read("google.ics")
    assert reading.rejected == []
    events = by_uid(reading)
    workshop = events["7kq2l9mf0c3rb1u5o8s6d4e2vn@google.com"]
    assert (workshop.title, workshop.kind) == ("Risk management workshop", "workshop")
    assert (workshop.starts_at, workshop.ends_at) == (
        at("2027-01-14T18:30Z"),
        at("2027-01-14T20:30Z"),
    )
    # UTC times are announced in the calendar's zone (the venue's: Lisbon).
    assert workshop.timezone == "Europe/Lisbon"
    assert (workshop.online, workshop.city, workshop.country) == (False, "Lisbon", "PT")
    assert workshop.latitude == pytest.approx(38.7, abs=0.1)
    assert workshop.description.startswith("Hands-on session on risk registers.\nBring a laptop;")
    assert workshop.languages == ["pt", "en"] and not workshop.cancelled
    webinar = events["webinar-brazil@google.com"]
    assert (webinar.kind, webinar.online, webinar.country) == ("webinar", True, None)
    assert webinar.timezone == "America/Sao_Paulo"
    assert webinar.starts_at == at("2027-01-20T20:00-03:00")


def test_weekly_series_expanded_for_90_days_without_the_exdate_and_with_the_moved_one():
    events = by_uid(read("google.ics"))
    uid = "3h1fb0q4studygroup@google.com"
    series = sorted(
        (e for k, e in events.items() if k.startswith(uid + "/")), key=lambda e: e.starts_at
    )
    keys = [e.ical_uid.split("/")[1] for e in series]
    # Tuesdays 19:00 Lisbon until 30 March (the 19 January one struck out), and the 26 January
    # one moved to Wednesday but still keyed on its original slot.
    assert keys == [
        "2027-01-05T19:00:00Z",
        "2027-01-12T19:00:00Z",
        "2027-01-26T19:00:00Z",
        "2027-02-02T19:00:00Z",
        "2027-02-09T19:00:00Z",
        "2027-02-16T19:00:00Z",
        "2027-02-23T19:00:00Z",
        "2027-03-02T19:00:00Z",
        "2027-03-09T19:00:00Z",
        "2027-03-16T19:00:00Z",
        "2027-03-23T19:00:00Z",
        "2027-03-30T18:00:00Z",  # summer time: still 19:00 in Lisbon
    ]
    moved = series[2]
    assert moved.title == "PMP study group (moved to Wednesday)"
    assert moved.starts_at == at("2027-01-27T19:00Z")
    assert all(e.kind == "study_group" and e.online for e in series)
    assert series[0].url == "https://meet.google.com/abc-defg-hij"


def test_the_window_is_90_days_from_now():
    later = datetime(2027, 2, 20, tzinfo=UTC)
    events = by_uid(read("google.ics", now=later))
    starts = [k.split("/")[1] for k in events if k.startswith("3h1fb0q4studygroup")]
    assert starts[0] == "2027-02-23T19:00:00Z" and len(starts) == 6
    rejected = {r.uid: r.reason for r in read("google.ics", now=later).rejected}
    assert rejected["7kq2l9mf0c3rb1u5o8s6d4e2vn@google.com"].startswith("it is in the past")


def test_all_day_event_covers_the_local_day():
    day = by_uid(read("google.ics"))["allday-volunteer-day@google.com"]
    assert (day.kind, day.city, day.country) == ("volunteering", "Porto", "PT")
    assert (day.starts_at, day.ends_at) == (at("2027-02-06T00:00Z"), at("2027-02-07T00:00Z"))
    # The category that names the kind is no tag; the other is kept as typed.
    assert day.tags == ["nonprofit"] and day.tag_texts == {"nonprofit": "Nonprofit"}


def test_outlook_export_windows_zones_teams_and_cancelled():
    events = read("outlook.ics", LONDON).events
    assert [e.title for e in events] == [
        "PM Networking Evening",
        "Lunch & learn: PRINCE2 in practice",
        "Canceled: Stakeholder management seminar",
    ]
    evening, lunch, cancelled = events
    assert (evening.kind, evening.timezone, evening.city, evening.country) == (
        "networking",
        "Europe/London",
        "London",
        "GB",
    )
    assert evening.tags == ["agile"]
    assert (lunch.timezone, lunch.starts_at) == ("Europe/Berlin", at("2027-02-16T12:00+01:00"))
    assert lunch.online and lunch.url.startswith("https://teams.microsoft.com/")
    assert lunch.kind == "seminar"
    assert cancelled.cancelled and cancelled.city == "Manchester"


def test_meetup_export_venues_in_sao_paulo():
    home = Home("Agile SP", False, "São Paulo", "BR", ("pt",), "America/Sao_Paulo")
    bootcamp, happy_hour = read("meetup.ics", home).events
    assert (bootcamp.kind, bootcamp.city, bootcamp.country) == ("bootcamp", "São Paulo", "BR")
    assert bootcamp.starts_at == at("2027-01-23T09:00-03:00")
    assert bootcamp.url == "https://www.meetup.com/agile-pm-sao-paulo/events/301234567/"
    assert "https://www.meetup.com/agile-pm-sao-paulo/events/301234567/" in bootcamp.description
    assert (happy_hour.kind, happy_hour.country) == ("networking", "BR")


def test_each_bad_event_is_reported_with_why_and_the_good_one_kept():
    reading = read("bad.ics", ONLINE)
    assert [e.ical_uid for e in reading.events] == ["good@example.org"]
    assert reading.events[0].timezone == "Europe/Lisbon"  # its city's, the home has none
    reasons = {r.uid: r.reason for r in reading.rejected}
    assert reasons == {
        "backwards@example.org": "it ends before it starts",
        "mars@example.org": "its timezone 'Mars/Olympus_Mons' is unknown",
        "nostart@example.org": "it has no start (DTSTART)",
        "past@example.org": "it is in the past (it ended on 10 November 2026)",
        "floating@example.org": "its times have no timezone, and neither the calendar"
        " (X-WR-TIMEZONE) nor the city of PM Online says which",
        "baddate@example.org": "its start (DTSTART) is not a valid date or time",
        "nowhere@example.org": "its place is not known: LOCATION names no city or country"
        " Kickoff knows, and PM Online has none either",
    }
    assert {r.summary for r in reading.rejected} >= {"No start", "Unknown place"}


def test_floating_times_read_in_the_associations_zone_and_falls_back_to_its_place():
    reading = read("bad.ics", LISBON)
    events = by_uid(reading)
    floating = events["floating@example.org"]
    assert (floating.starts_at, floating.timezone) == (at("2027-01-18T18:00Z"), "Europe/Lisbon")
    nowhere = events["nowhere@example.org"]
    assert (nowhere.city, nowhere.country, nowhere.online) == ("Lisbon", "PT", False)


def calendar(*lines: str, head: str = "") -> bytes:
    body = "\r\n".join(("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN", *head.split("|")))
    return (body + "\r\n" + "\r\n".join(lines) + "\r\nEND:VCALENDAR\r\n").encode()


def event(uid: str, *lines: str) -> str:
    return "\r\n".join(
        ("BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261201T000000Z", *lines, "END:VEVENT")
    )


def test_floating_series_with_x_wr_timezone_duration_and_no_uid():
    data = calendar(
        event(
            "daily",
            "SUMMARY:Morning stand-up practice",
            "DTSTART:20270105T080000",
            "DURATION:PT15M",
            "RRULE:FREQ=DAILY;COUNT=3",
        ),
        "BEGIN:VEVENT\r\nSUMMARY:Mentoring clinic\r\nDTSTART:20270110T170000\r\nEND:VEVENT",
        head="X-WR-TIMEZONE:America/Sao_Paulo",
    )
    reading = read_calendar(data, now=NOW, home=LISBON, taxonomy=TAXONOMY)
    assert reading.rejected == []
    daily = [e for e in reading.events if e.ical_uid.startswith("daily/")]
    assert [e.ical_uid for e in daily] == [
        "daily/2027-01-05T11:00:00Z",
        "daily/2027-01-06T11:00:00Z",
        "daily/2027-01-07T11:00:00Z",
    ]
    assert daily[0].ends_at - daily[0].starts_at == timedelta(minutes=15)
    assert daily[0].timezone == "America/Sao_Paulo"
    (clinic,) = [e for e in reading.events if not e.ical_uid.startswith("daily/")]
    # No UID: a key made of its summary and start, the same on every import.
    assert clinic.ical_uid.startswith("kickoff-") and clinic.kind == "workshop"
    again = read_calendar(data, now=NOW, home=LISBON, taxonomy=TAXONOMY)
    assert [e.ical_uid for e in again.events] == [e.ical_uid for e in reading.events]
    assert clinic.ends_at - clinic.starts_at == timedelta(hours=1)


def test_series_refusals_and_duplicate_uids():
    data = calendar(
        event("old", "SUMMARY:Old series", "DTSTART:20250105T080000Z", "RRULE:FREQ=WEEKLY;COUNT=3"),
        event(
            "busy",
            "SUMMARY:Every hour",
            "DTSTART:20270105T080000Z",
            "DTEND:20270105T083000Z",
            "RRULE:FREQ=HOURLY",
        ),
        event("endless", "SUMMARY:No end", "DTSTART:20270105T080000Z", "RRULE:FREQ=DAILY;COUNT=2"),
        event(
            "days", "SUMMARY:Whole days", "DTSTART;VALUE=DATE:20270105", "RRULE:FREQ=DAILY;COUNT=2"
        ),
        event("twice", "SUMMARY:First", "DTSTART:20270105T080000Z"),
        event("twice", "SUMMARY:Second", "DTSTART:20270106T080000Z"),
        event("norule", "SUMMARY:Bad rule", "DTSTART:20270105T080000Z", "RRULE:FREQ=SOMETIMES"),
    )
    reading = read_calendar(data, now=NOW, home=LISBON, taxonomy=TAXONOMY)
    assert [e.title for e in reading.events] == [
        "No end",
        "No end",
        "Whole days",
        "Whole days",
        "First",
    ]
    lengths = {e.title: e.ends_at - e.starts_at for e in reading.events}
    assert lengths == {
        "No end": timedelta(hours=1),
        "Whole days": timedelta(days=1),
        "First": timedelta(hours=1),
    }
    # A series refused is refused whole: none of its first 200 hours is kept.
    reasons = {(r.uid, r.summary): r.reason for r in reading.rejected}
    assert reasons[("old", "Old series")] == (
        "it repeats, but none of its dates falls in the coming 90 days"
    )
    assert reasons[("busy", "Every hour")] == "it repeats more than 200 times in the coming 90 days"
    assert reasons[("twice", "Second")].startswith("another event in the file has the same UID")
    assert reasons[("norule", "Bad rule")].startswith("it could not be read")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \r\n ", "The file is empty."),
        (bytes(range(256)) * 4, "it looks like binary data"),
        (b"Name,Email\nAna,ana@example.org\n", "it has no BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no events (VEVENT)"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\n", "it is cut short"),
        (b"BEGIN:VCALENDAR\r\nno colon here\r\nEND:VCALENDAR", "could not be read"),
    ],
)
def test_a_file_that_is_no_calendar_is_refused_in_plain_words(data, message):
    with pytest.raises(NotACalendar) as refused:
        read_calendar(data, now=NOW, home=LISBON, taxonomy=TAXONOMY)
    assert message in refused.value.message
    assert refused.value.fields == [{"field": "file", "message": refused.value.message}]


def test_places_from_locations():
    lisbon = find_place("Rua da Prata 80, 1100-420 Lisboa, Portugal")
    assert lisbon is not None and lisbon.city is not None
    assert (lisbon.country, lisbon.city.name, lisbon.city.timezone) == (
        "PT",
        "Lisbon",
        "Europe/Lisbon",
    )
    la = find_place("Convention Center, Los Angeles, CA")
    assert la is not None and la.city is not None and la.country == "US"
    only_country = find_place("Somewhere nice, Germany")
    assert only_country is not None and (only_country.country, only_country.city) == ("DE", None)
    assert find_place("The back room") is None
    assert home_zone("Porto", "PT") == "Europe/Lisbon"
    assert home_zone("", "FR") == "Europe/Paris"  # one zone in the country
    assert home_zone("", "BR") is None  # several: no guess


#: Lines a damaged or unusual calendar may hold.
_LINES = st.sampled_from(
    [
        "BEGIN:VEVENT",
        "END:VEVENT",
        "UID:x",
        "SUMMARY:Workshop",
        "DTSTART:20270110T100000Z",
        "DTSTART;VALUE=DATE:20270110",
        "DTSTART;TZID=Nowhere/Land:20270110T100000",
        "DTSTART:2027",
        "DTEND:20270110T090000Z",
        "DURATION:P1D",
        "DURATION:nonsense",
        "RRULE:FREQ=WEEKLY;COUNT=5",
        "RRULE:FREQ=DAILY;UNTIL=20260101",
        "RRULE:BYDAY=XX",
        "EXDATE:20270117T100000Z",
        "RDATE;VALUE=PERIOD:20270120T100000Z/PT1H",
        "RECURRENCE-ID:20270117T100000Z",
        "LOCATION:https://zoom.us/j/1",
        "LOCATION:Porto\\, Portugal",
        "CATEGORIES:Webinar,PMP",
        "STATUS:CANCELLED",
        "BEGIN:VTIMEZONE",
        "END:VTIMEZONE",
        "TZID:Custom",
        "BEGIN:STANDARD",
        "END:STANDARD",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0000",
        "X-WR-TIMEZONE:Europe/Lisbon",
        "URL:javascript:alert(1)",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.lists(st.lists(_LINES, max_size=8), max_size=6).map(
            lambda events: "\r\n".join(
                [
                    "BEGIN:VCALENDAR",
                    *("\r\n".join(["BEGIN:VEVENT", *e, "END:VEVENT"]) for e in events),
                    "END:VCALENDAR",
                ]
            ).encode()
        ),
        st.lists(st.one_of(_LINES, st.text(max_size=30)), max_size=25).map(
            lambda lines: "\r\n".join(["BEGIN:VCALENDAR", *lines, "END:VCALENDAR"]).encode(
                "utf-8", "surrogatepass"
            )
        ),
    )
)
def test_no_input_raises_anything_but_not_a_calendar(data):
    try:
        reading = read_calendar(data, now=NOW, home=LISBON, taxonomy=TAXONOMY)
    except NotACalendar as refused:
        message = refused.message
        assert message.endswith(".") and message[0].isupper()  # a sentence, no trace
        assert message != READER_FAILED  # the reader's own safety net: a bug of ours
        return
    for row in reading.events:
        assert row.ends_at > row.starts_at and row.starts_at.tzinfo is not None
        assert row.online or row.country is not None
        assert "\x00" not in row.title + row.description + row.ical_uid
        assert len(row.ical_uid) <= 500 and 1 <= len(row.title) <= 200
    assert all(r.reason for r in reading.rejected)
