"""What an imported event is: its kind guessed from its categories and title, its tags through
the taxonomy, the zone it is announced in; and the small text helpers the reader uses."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta, tzinfo

from service.taxonomy.normalise import MAX_TAG, Taxonomy, key

DAY = timedelta(days=1)
#: The kinds of event (sql/0023_events.sql).
KINDS = ("workshop", "seminar", "webinar", "networking", "bootcamp", "volunteering", "study_group")
#: Words that name each kind, most telling first: "Webinar: PMP exam prep" is a webinar.
_KIND_WORDS = (
    ("webinar", r"webinars?|web seminar|online talk|live ?stream"),
    ("bootcamp", r"boot ?camps?"),
    ("volunteering", r"volunteer\w*|pro bono"),
    (
        "study_group",
        r"study groups?|study sessions?|study circles?|exam prep\w*|book club|"
        r"reading group",
    ),
    ("workshop", r"workshops?|hands on|masterclass(es)?|training|clinic"),
    ("networking", r"networking|meetups?|meet up|mixer|happy hour|drinks|social|mingle"),
    ("seminar", r"seminars?|talks?|lectures?|conference|panel|keynote|symposium|breakfast"),
)
_KIND_PATTERNS = tuple((kind, re.compile(rf"\b({words})\b")) for kind, words in _KIND_WORDS)
#: At most this many tags per event (a profile's limit on skills).
MAX_TAGS = 30
_SPACES = re.compile(r"\s+")


class Refused(Exception):
    """An event left out of the import; ``reason`` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Home:
    """The association importing: where it is, its languages and timezone (its city's)."""

    name: str
    online: bool
    city: str
    country: str | None
    languages: tuple[str, ...]
    zone: str | None


def clean(text: str) -> str:
    """Text PostgreSQL can store: no NUL, no lone surrogate."""
    text = text.replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8") if not text.isascii() else text


def one_line(text: str) -> str:
    """Whitespace collapsed to single spaces."""
    return _SPACES.sub(" ", text).strip()


def kind_of(categories: list[str], title: str, online: bool) -> str:
    """The kind the categories say, else the title; a webinar online, a seminar otherwise."""
    for text in (" ".join(categories), title):
        words = key(text.replace("-", " "))
        for kind, pattern in _KIND_PATTERNS:
            if pattern.search(words):
                return kind
    return "webinar" if online else "seminar"


def tags_of(taxonomy: Taxonomy, categories: list[str]) -> tuple[list[str], dict[str, str]]:
    """Tags from CATEGORIES through the taxonomy's synonyms (custom ones kept as typed), but
    the words that only name a kind of event ("Webinar", "Networking")."""
    typed = [
        c[:MAX_TAG]
        for c in categories
        if not any(p.fullmatch(key(c.replace("-", " "))) for _, p in _KIND_PATTERNS)
    ]
    tags = taxonomy.normalise(typed)[:MAX_TAGS]
    texts = {slug: text for slug, text in taxonomy.custom_texts(typed).items() if slug in tags}
    return tags, texts


def zone_name(zone: tzinfo, *fallbacks: str | None) -> str:
    """The IANA name of the zone the event is announced in: its own zone's, else (for UTC
    times, and zones a file defines itself) the first of ``fallbacks`` given, else UTC."""
    name = getattr(zone, "key", None)
    if isinstance(zone, zoneinfo.ZoneInfo) and name and name not in ("UTC", "Etc/UTC"):
        return str(name)
    return next((f for f in fallbacks if f), "UTC")
