"""Read an iCalendar file (Google, Outlook, Meetup, Eventbrite exports) into event rows.

Nothing here touches the database: :func:`read_calendar` takes the file, the clock and the
importing association, and returns the rows to store and the events it refused, each with why
in plain words. A file that is no calendar at all raises :class:`NotACalendar`; nothing else
escapes, whatever the bytes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import icalendar
import recurring_ical_events

from service.calendars import places
from service.calendars import properties as props
from service.calendars.describe import (
    DAY,
    Home,
    Refused,
    clean,
    kind_of,
    one_line,
    tags_of,
    zone_name,
)
from service.errors import ValidationFailed
from service.taxonomy.normalise import Taxonomy

log = logging.getLogger(__name__)

#: Occurrences of a recurring event are imported for this long from now.
WINDOW = timedelta(days=90)
#: At most this many occurrences of one series in the window (a daily event has 90).
MAX_OCCURRENCES = 200
#: At most this many events from one file.
MAX_EVENTS = 3000

#: What a file that made the reader itself fail is told (a bug of ours: it is logged).
READER_FAILED = "The calendar could not be read: some of its values are not as expected."


class NotACalendar(ValidationFailed):
    """The file is no calendar we can read; the message says why, in plain words."""

    code = "not_a_calendar"

    def __init__(self, message: str) -> None:
        super().__init__(message, fields=[{"field": "file", "message": message}])


@dataclass(frozen=True)
class EventRow:
    """One event to store, keyed by ``ical_uid`` within the association."""

    ical_uid: str
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    online: bool
    city: str
    country: str | None
    latitude: float | None
    longitude: float | None
    tags: list[str]
    tag_texts: dict[str, str]
    languages: list[str]
    url: str
    description: str
    cancelled: bool


@dataclass(frozen=True)
class Rejected:
    """A VEVENT (or one occurrence of it) left out, and why."""

    uid: str
    summary: str
    reason: str


@dataclass
class Reading:
    """What a file holds: the events to store and the ones refused."""

    events: list[EventRow] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def _text(data: bytes) -> str:
    """The file as text (UTF-8 as RFC 5545 says; Windows exports sometimes in cp1252)."""
    if not data.strip():
        raise NotACalendar("The file is empty.")
    if b"\x00" in data:
        raise NotACalendar("This file is not a calendar: it looks like binary data.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if not re.search(r"^\s*BEGIN:VCALENDAR", text, re.IGNORECASE | re.MULTILINE):
        raise NotACalendar(
            "This file is not an iCalendar (.ics) calendar: it has no BEGIN:VCALENDAR."
            " Export the calendar as .ics (iCalendar) and try again."
        )
    return text


def _components(text: str) -> tuple[list[Any], list[Any], str]:
    """The VEVENTs, the VTIMEZONEs and the X-WR-TIMEZONE of every calendar in the text."""
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
        if not calendars:
            raise NotACalendar(
                "The calendar could not be read: it is cut short or damaged (it has no"
                " END:VCALENDAR)."
            )
        events = [e for c in calendars for e in c.walk("VEVENT")]
        zones = [z for c in calendars for z in c.walk("VTIMEZONE")]
        wr = next((str(c["X-WR-TIMEZONE"]) for c in calendars if "X-WR-TIMEZONE" in c), "")
    except NotACalendar:
        raise
    except Exception:  # icalendar raises many kinds on damaged input
        raise NotACalendar(
            "The calendar could not be read: it is damaged or not in the iCalendar format."
        ) from None
    if not events:
        raise NotACalendar("The calendar has no events (VEVENT) in it.")
    return events, zones, wr


def read_calendar(data: bytes, *, now: datetime, home: Home, taxonomy: Taxonomy) -> Reading:
    """The events of an .ics file as rows for ``home``'s calendar, recurring ones expanded
    from ``now`` for :data:`WINDOW`; the events refused with why. Raises NotACalendar."""
    events, zones, wr = _components(_text(data))
    try:
        return _Reader(now, home, taxonomy, zones, places.known_zone(clean(wr))).read(events)
    except Exception:  # a reader bug must not become a 500: say so plainly, and log it
        log.warning("calendar import: the reader failed", exc_info=True)
        raise NotACalendar(READER_FAILED) from None


class _Reader:
    """Reads the VEVENTs of one file against one clock and one association."""

    def __init__(
        self,
        now: datetime,
        home: Home,
        taxonomy: Taxonomy,
        zones: list[Any],
        calendar_zone: tzinfo | None,
    ) -> None:
        self.now = now.astimezone(UTC)
        self.home = home
        self.taxonomy = taxonomy
        self.zones = zones
        self.calendar_zone = calendar_zone
        self.home_zone = places.known_zone(home.zone) if home.zone else None

    def read(self, events: list[Any]) -> Reading:
        """Every VEVENT, grouped by UID: single events, then series with their overrides."""
        reading = Reading()
        groups: dict[str, list[Any]] = {}
        for event in events:
            groups.setdefault(props.uid_of(event), []).append(event)
        seen: set[str] = set()
        for uid, group in groups.items():
            try:
                for row in self._group(uid, group, reading):
                    if row.ical_uid in seen:
                        continue
                    if len(reading.events) >= MAX_EVENTS:
                        reason = f"the file has more than {MAX_EVENTS} events to import"
                        reading.rejected.append(Rejected(uid, row.title, reason))
                        break
                    seen.add(row.ical_uid)
                    reading.events.append(row)
            except Refused as exc:
                reading.rejected.append(Rejected(uid, props.summary(group[0]), exc.reason))
            except Exception:  # the libraries raise many kinds on odd values
                log.info("calendar import: event %r unreadable", uid, exc_info=True)
                reason = "it could not be read (a date, a repeat rule or a value is damaged)"
                reading.rejected.append(Rejected(uid, props.summary(group[0]), reason))
        return reading

    def _group(self, uid: str, group: list[Any], reading: Reading) -> Iterator[EventRow]:
        masters = [e for e in group if "RECURRENCE-ID" not in e]
        if len(masters) > 1:
            # Two different events under one UID: keep the first, report the others.
            for extra in masters[1:]:
                reason = "another event in the file has the same UID; the first one was imported"
                reading.rejected.append(Rejected(uid, props.summary(extra), reason))
            group = [e for e in group if e is masters[0] or "RECURRENCE-ID" in e]
        master = masters[0] if masters else None
        repeats = master is not None and ("RRULE" in master or "RDATE" in master)
        if master is not None and not repeats and len(group) == 1:
            row = self._row(uid, master)
            if row.ends_at <= self.now:
                raise Refused(f"it is in the past (it ended on {row.ends_at:%-d %B %Y})")
            yield row
            return
        # All of a series or none: one refused midway must not leave its first weeks behind.
        yield from list(self._series(uid, group, master, reading))

    def _series(
        self, uid: str, group: list[Any], master: Any, reading: Reading
    ) -> Iterator[EventRow]:
        """The occurrences of a recurring event in the window, moved ones as moved."""
        first = master if master is not None else group[0]
        start = props.prop(first, "DTSTART")
        if start is None:
            raise Refused("it has no start (DTSTART)")
        floating = not isinstance(start.dt, datetime) or start.dt.tzinfo is None
        if floating and "TZID" in start.params:
            raise Refused(f"its timezone {clean(str(start.params['TZID']))!r} is unknown")
        zone = self._floating_zone(first) if floating else None
        if floating and zone is None:
            zone = UTC if not isinstance(start.dt, datetime) else None
        if floating and zone is None:
            raise Refused(self._no_zone)
        low, high = self.now, self.now + WINDOW
        if floating:
            assert zone is not None
            low = low.astimezone(zone).replace(tzinfo=None)
            high = high.astimezone(zone).replace(tzinfo=None)
        calendar = icalendar.Calendar()
        for component in (*self.zones, *group):
            calendar.add_component(component)
        # recurring-ical-events gives occurrences of an event without an end an end at their
        # start: read them as such an event is read (an hour, or the day).
        endless = props.prop(first, "DTEND") is None and props.prop(first, "DURATION") is None
        found = 0
        for occurrence in recurring_ical_events.of(calendar).after(low):
            if props.as_datetime(props.prop(occurrence, "DTSTART").dt, zone) >= props.as_datetime(
                high, zone
            ):
                break
            found += 1
            if found > MAX_OCCURRENCES:
                reason = f"it repeats more than {MAX_OCCURRENCES} times in the coming 90 days"
                raise Refused(reason)
            slot = props.prop(occurrence, "RECURRENCE-ID") or props.prop(occurrence, "DTSTART")
            key = f"{uid}/{props.as_datetime(slot.dt, zone).astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
            try:
                row = self._row(key, occurrence, endless=endless)
                if row.ends_at <= self.now:
                    continue  # the one under way ended already: not worth announcing
                yield row
            except Refused as exc:
                reading.rejected.append(Rejected(key, props.summary(occurrence), exc.reason))
        if found == 0:
            raise Refused("it repeats, but none of its dates falls in the coming 90 days")

    @property
    def _no_zone(self) -> str:
        return (
            "its times have no timezone, and neither the calendar (X-WR-TIMEZONE) nor the"
            f" city of {self.home.name} says which"
        )

    def _floating_zone(self, event: Any) -> tzinfo | None:
        """The zone floating times are read in: the calendar's, the place's, the home's."""
        if self.calendar_zone is not None:
            return self.calendar_zone
        place = places.find_place(props.location(event))
        if place is not None and place.city is not None:
            found = places.known_zone(place.city.timezone)
            if found is not None:
                return found
        return self.home_zone

    def _times(self, event: Any, endless: bool) -> tuple[datetime, datetime, tzinfo]:
        """Start, end and the zone the event is announced in (``endless``: its DTEND and
        DURATION are not its own)."""
        prop = props.prop(event, "DTSTART")
        if prop is None:
            raise Refused("it has no start (DTSTART)")
        start_value = props.value(prop, "its start (DTSTART) is not a valid date or time")
        if isinstance(start_value, datetime) and start_value.tzinfo is None:
            if "TZID" in prop.params:
                raise Refused(f"its timezone {clean(str(prop.params['TZID']))!r} is unknown")
            zone = self._floating_zone(event)
            if zone is None:
                raise Refused(self._no_zone)
        elif isinstance(start_value, datetime):
            assert start_value.tzinfo is not None
            zone = start_value.tzinfo
        elif isinstance(start_value, date):
            zone = self._floating_zone(event) or UTC  # a whole day: UTC's is near enough
        else:
            raise Refused("its start (DTSTART) is not a date or a time")
        start = props.as_datetime(start_value, zone)
        end_prop = None if endless else props.prop(event, "DTEND")
        duration = None if endless else props.prop(event, "DURATION")
        if end_prop is not None:
            end_value = props.value(end_prop, "its end (DTEND) is not a valid date or time")
            if "TZID" in end_prop.params and getattr(end_value, "tzinfo", 0) is None:
                raise Refused(f"its timezone {clean(str(end_prop.params['TZID']))!r} is unknown")
            if not isinstance(end_value, date):
                raise Refused("its end (DTEND) is not a date or a time")
            end = props.as_datetime(end_value, zone)
        elif duration is not None:
            length = props.value(duration, "its DURATION is not a valid length of time")
            if not isinstance(length, timedelta):
                raise Refused("its DURATION is not a length of time")
            end = start + length
        elif isinstance(start_value, datetime):
            end = start + timedelta(hours=1)  # RFC 5545 says it ends at once: none do
        else:
            end = start + DAY
        if end < start:
            raise Refused("it ends before it starts")
        if end == start:
            raise Refused("it ends when it starts")
        return start, end, zone

    def _row(self, ical_uid: str, event: Any, *, endless: bool = False) -> EventRow:
        """One VEVENT (or occurrence) as a row."""
        title = props.summary(event)
        if not title:
            raise Refused("it has no title (SUMMARY)")
        start, end, zone = self._times(event, endless)
        location = props.location(event)
        link = props.call_link(event)
        online = places.looks_online(location) or bool(link)
        place = None if places.is_link(location) else places.find_place(location)
        if place is None and not online and not location.strip() and not self.home.country:
            online = self.home.online  # an online community's events are online
        city, country = "", None
        latitude = longitude = None
        if place is not None:
            country = place.country
            if place.city is not None:
                city, latitude, longitude = (
                    place.city.name,
                    place.city.latitude,
                    place.city.longitude,
                )
        elif not online and self.home.country:
            city, country = self.home.city, self.home.country
            found = places.find_city(city, country) if city else None
            if found is not None:
                latitude, longitude = found.latitude, found.longitude
        if not online and country is None:
            raise Refused(
                "its place is not known: LOCATION names no city or country Kickoff knows, and"
                f" {self.home.name} has none either"
            )
        url = next(
            (
                u
                for u in (props.link(props.prop(event, "URL")), link, location.strip())
                if places.is_link(u)
            ),
            "",
        )
        categories = props.categories(event)
        description = clean(str(props.prop(event, "DESCRIPTION", "")))
        tags, texts = tags_of(self.taxonomy, categories)
        cancelled = one_line(str(props.prop(event, "STATUS", ""))).upper() == "CANCELLED"
        return EventRow(
            ical_uid=ical_uid,
            title=title,
            kind=kind_of(categories, title, online),
            starts_at=start.astimezone(UTC),
            ends_at=end.astimezone(UTC),
            timezone=zone_name(
                zone,
                place.city.timezone if place and place.city else "",
                getattr(self.calendar_zone, "key", None),
                self.home.zone,
            ),
            online=online,
            city=city[:100],
            country=country,
            latitude=latitude,
            longitude=longitude,
            tags=tags,
            tag_texts=texts,
            languages=list(self.home.languages),
            url=url if len(url) <= 500 else "",
            description=description.strip()[:8000],
            cancelled=cancelled,
        )
