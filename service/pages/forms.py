"""Profile forms shaped like the JSON API's bodies, what their lists offer, and the Mailbox's
links."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from markupsafe import Markup, escape
from starlette.datastructures import FormData

from service.people.schemas import DAYS
from service.people.service import TAG_FIELDS
from service.taxonomy.codes import COUNTRIES, LANGUAGES, timezone_aliases, timezone_groups
from service.taxonomy.normalise import FIELD_KINDS

# Comma-separated in forms: every taxonomy tag list.
LIST_FIELDS = TAG_FIELDS
INT_FIELDS = (
    "years_experience",
    "mentor_capacity",
    "months_leading_projects",
    "pm_education_hours",
)
#: Fields left empty on the form mean "not said" (None), not 0.
OPTIONAL_FIELDS = ("mentor_capacity", "months_leading_projects", "pm_education_hours", "education")
#: Checkboxes: ticked is True, anything else False.
CHECKBOX_FIELDS = ("consent_to_match", "digest")
#: The education choices as the forms and pages say them (the API's values are the keys).
EDUCATION_LABELS = {
    "secondary": "Secondary school (high school diploma or equivalent)",
    "bachelor": "Four-year degree (bachelor's or equivalent)",
    "master": "Master's degree",
    "doctorate": "Doctorate",
}
#: Fields whose every value is taken: checkboxes, multiple choices, and availability (the
#: grid's ticked cells and the text area's lines).
MULTI_FIELDS = ("meeting_modes", "roles", "languages", "availability")
#: The taxonomy kind each tag field suggests as people type.
SUGGESTED_KINDS = FIELD_KINDS
DAY_NAMES = dict(
    zip(
        DAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
#: The availability grid's half-days. They never touch, so the windows of ticked cells are
#: never merged into one and show ticked again on the edit form.
PERIODS = (
    ("Morning", "08:00", "12:00"),
    ("Afternoon", "13:00", "17:00"),
    ("Evening", "18:00", "22:00"),
)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def window_text(day: str, start: str, end: str) -> str:
    """A window as the text form writes it: 'Tue 18:00-22:00'."""
    return f"{day.title()} {start}-{end}"


def form_data(form: FormData, fields: set[str]) -> dict[str, Any]:
    """Form values shaped like the JSON API's: lists split on commas, numbers as ints."""
    data: dict[str, Any] = {}
    for name in fields:
        if name in CHECKBOX_FIELDS:
            data[name] = form.get(name) == "on"
            continue
        if name in MULTI_FIELDS:
            values = [v for v in form.getlist(name) if isinstance(v, str)]
            if name == "languages":  # the list's codes, or typed "en, pt" (older forms)
                values = [code for v in values for code in _split(v)]
            elif name == "availability":  # ticked cells and typed lines together
                values = [line.strip() for v in values for line in v.splitlines() if line.strip()]
            # Nothing ticked sends nothing, which means none; a field the form lacks
            # (languages, availability) is left as it was.
            if name in form or name in ("meeting_modes", "roles"):
                data[name] = values
            continue
        raw = form.get(name)
        if raw is None or not isinstance(raw, str):
            continue
        if name in LIST_FIELDS:
            data[name] = _split(raw)
        elif name in OPTIONAL_FIELDS and raw.strip() == "":
            data[name] = None
        elif name in INT_FIELDS:
            raw = raw.strip()
            if raw == "":
                data[name] = 0
            else:
                data[name] = int(raw) if raw.lstrip("-").isdigit() else raw
        else:
            data[name] = raw
    return data


@cache
def _choices() -> dict[str, Any]:
    return {
        "timezones": timezone_groups(),
        "listed_zones": frozenset(z for _, cities in timezone_groups() for z, _ in cities),
        "timezone_aliases": json.dumps(timezone_aliases(), separators=(",", ":")),
        "countries": COUNTRIES,
        "languages": LANGUAGES,
        "suggested_kinds": SUGGESTED_KINDS,
        "education": EDUCATION_LABELS,
    }


def language_name(code: str) -> str:
    """'pt' -> 'Portuguese' (the code itself if it has no name)."""
    return LANGUAGES.get(code, code)


def education_label(code: str | None) -> str:
    """'bachelor' -> "Four-year degree (bachelor's or equivalent)"; None -> 'not said'."""
    return EDUCATION_LABELS.get(code or "", "not said")


def country_name(code: str) -> str:
    """'PT' -> 'Portugal' (the code itself if it has no name)."""
    return COUNTRIES.get(code, code)


def availability_grid(lines: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The grid's rows with their ticked cells, and the windows the grid cannot show (for
    the text area): a window exactly equal to a cell is ticked, any other is text."""
    cells = {window_text(d, s, e) for d in DAYS for _, s, e in PERIODS}
    ticked = {line for line in lines if line in cells}
    rows = [
        {
            "day": DAY_NAMES[d],
            "cells": [
                {
                    "value": (v := window_text(d, s, e)),
                    "label": f"{DAY_NAMES[d]} {p.lower()}",
                    "checked": v in ticked,
                }
                for p, s, e in PERIODS
            ],
        }
        for d in DAYS
    ]
    return rows, [line for line in lines if line not in ticked]


def profile_form(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """What the profile fields template shows: the values, their errors, the lists to choose
    from, and availability split between the grid and the text area."""
    grid, other = availability_grid(list(values.get("availability") or []))
    return {
        "values": values,
        "errors": errors,
        "choices": _choices(),
        "periods": PERIODS,
        "grid": grid,
        "other_windows": other,
    }


_URL = re.compile(r"https?://[^\s<>\"')]+")


def linkify(text: str) -> Markup:
    """Plain text as HTML, its http(s) addresses made links (for the demo's Mailbox page)."""
    pieces: list[Markup] = []
    last = 0
    for match in _URL.finditer(text):
        pieces.append(escape(text[last : match.start()]))
        # Markup.format escapes the address in both places.
        pieces.append(Markup('<a href="{0}">{0}</a>').format(match.group(0)))
        last = match.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)
