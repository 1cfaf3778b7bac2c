"""Reading one VEVENT's properties robustly: damaged files repeat properties, keep values
unparsed, or leave out the UID."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any

from service.calendars import places
from service.calendars.describe import Refused, clean, one_line

_MAX_UID = 400
#: Properties of Google and Microsoft exports that carry a video-call link.
CALL_LINKS = (
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
    "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
    "CONFERENCE",
)


def prop(event: Any, name: str, default: Any = None) -> Any:
    """A property that should appear once (the first when a damaged file repeats it)."""
    value = event.get(name, default)
    if isinstance(value, list):
        return value[0] if value else default
    return value


def uid_of(event: Any) -> str:
    """The VEVENT's UID; one made from its summary and start when it has none (Kickoff's
    key for it, so importing the same file again still updates it)."""
    uid = one_line(clean(str(prop(event, "UID", ""))))
    if not uid:
        start = prop(event, "DTSTART")
        raw = f"{prop(event, 'SUMMARY', '')}|{start.to_ical() if start is not None else ''!r}"
        uid = "kickoff-" + hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()[:32]
    if len(uid) > _MAX_UID:
        uid = "sha256:" + hashlib.sha256(uid.encode("utf-8", "replace")).hexdigest()
    return uid


def summary(event: Any) -> str:
    try:
        return one_line(clean(str(prop(event, "SUMMARY", ""))))[:200]
    except Exception:
        return ""


def value(prop: Any, refusal: str) -> Any:
    """A property's date, time or length (Refused with ``refusal`` when it is damaged)."""
    try:
        return prop.dt
    except Exception:  # icalendar raises on a value it kept unparsed
        raise Refused(refusal) from None


def as_datetime(value: date | datetime, zone: tzinfo | None) -> datetime:
    """A DTSTART/DTEND value as an aware datetime: dates at midnight, floating times in
    ``zone``."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone or UTC)
    return value


def location(event: Any) -> str:
    return one_line(clean(str(prop(event, "LOCATION", ""))))[:500]


def link(value: Any) -> str:
    return one_line(clean(str(value))) if value is not None else ""


def call_link(event: Any) -> str:
    """A video-call link from Google's or Microsoft's own properties, or CONFERENCE."""
    for name in CALL_LINKS:
        value = event.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        found = link(value)
        if found:
            return found if places.is_link(found) else "online"
    return ""


def categories(event: Any) -> list[str]:
    """CATEGORIES as a list of words (one property or several, comma-separated)."""
    values = event.get("CATEGORIES")
    if values is None:
        return []
    found: list[str] = []
    for value in values if isinstance(values, list) else [values]:
        cats = getattr(value, "cats", None)
        items = cats if cats is not None else str(value).split(",")
        found += [one_line(clean(str(c))) for c in items]
    return [c for c in found if c][:30]
