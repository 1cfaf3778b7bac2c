"""Profile forms shaped like the JSON API's bodies, and the Mailbox's links."""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape
from starlette.datastructures import FormData

from service.people.service import TAG_FIELDS

# Comma-separated in forms: languages and every taxonomy tag list.
LIST_FIELDS = ("languages", *TAG_FIELDS)
INT_FIELDS = ("years_experience", "mentor_capacity")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def form_data(form: FormData, fields: set[str]) -> dict[str, Any]:
    """Form values shaped like the JSON API's: lists split on commas, numbers as ints."""
    data: dict[str, Any] = {}
    for name in fields:
        if name == "meeting_modes":
            data[name] = [v for v in form.getlist(name) if isinstance(v, str)]
            continue
        if name == "roles":
            data[name] = [v for v in form.getlist(name) if isinstance(v, str)]
            continue
        if name == "consent_to_match":
            data[name] = form.get(name) == "on"
            continue
        raw = form.get(name)
        if raw is None or not isinstance(raw, str):
            continue
        if name in LIST_FIELDS:
            data[name] = _split(raw)
        elif name == "availability":
            data[name] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif name in INT_FIELDS:
            raw = raw.strip()
            if raw == "":
                data[name] = None if name == "mentor_capacity" else 0
            else:
                data[name] = int(raw) if raw.lstrip("-").isdigit() else raw
        else:
            data[name] = raw
    return data


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
