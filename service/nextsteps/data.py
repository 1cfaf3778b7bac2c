"""The certification rules' data file, read once."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from service.nextsteps.rules import Rules

RULES_FILE = Path(__file__).resolve().parent / "certifications.json"


@cache
def rules() -> Rules:
    """The rules of ``certifications.json`` (each with its source)."""
    return Rules.from_data(json.loads(RULES_FILE.read_text(encoding="utf-8")))
