"""Reasons in words, from the components that earned a suggestion.

Reasons name people by first name only (:attr:`Person.first_name`); nothing else about them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from matching.explain import DAYS, listing
from matching.suggest.model import Association, Event


def label(labels: Mapping[str, str], slug: str) -> str:
    """A slug's display label (the slug in words when the service gave none)."""
    return labels.get(slug, slug.replace("-", " "))


def local_time(moment: datetime, timezone: str) -> str:
    """'Tuesday 19:00' in ``timezone`` (UTC when it is unknown)."""
    try:
        zone: ZoneInfo | None = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = None
    local = moment.astimezone(zone or UTC)
    return f"{DAYS[local.weekday()]} {local:%H:%M}"


def where(item: Event | Association, km: float, same_city: bool) -> str:
    """'online', 'in your city' or 'in Porto, 12 km away'."""
    if item.online:
        return "online"
    if same_city:
        return "in your city"
    place = f"in {item.city}" if item.city else "nearby"
    return f"{place}, {round(km)} km away" if km == km else place  # NaN: distance unknown


def when_and_where(
    item: Event | Association, timezone: str, km: float, same_city: bool, zone_known: bool
) -> str:
    """'online, Tuesday 19:00 your time' for an event; where it is for an association."""
    place = where(item, km, same_city)
    if isinstance(item, Event):
        suffix = " your time" if zone_known else " UTC"
        return f"{place}, {local_time(item.starts_at, timezone)}{suffix}"
    if item.online:
        return "an online community you can join from anywhere"
    return f"meets {place}" if place != "nearby" else "meets near you"


def people_words(names: Sequence[str], role: str, verb: str) -> str:
    """'your mentor Ana is going', 'your mentees Bo and Cy are members'."""
    names = [n for n in names if n]
    many = len(names) > 1
    who = f"your {role}{'s' if many else ''}"
    if names:
        who = f"{who} {listing(names)}"
    if verb == "member":
        return f"{who} {'are members' if many else 'is a member'}"
    return f"{who} {'are going' if many else 'is going'}"


def peers_words(count: int, is_event: bool) -> str:
    """'12 people with your goals have joined' / 'are going'."""
    noun = "person" if count == 1 else "people"
    if is_event:
        return f"{count} {noun} with your goals {'is' if count == 1 else 'are'} going"
    return f"{count} {noun} with your goals {'has' if count == 1 else 'have'} joined"
