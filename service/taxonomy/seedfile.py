"""The taxonomy terms as written in ``sql/0002_taxonomy_seed.sql``, read without a database.

The seed migration is the one source of the taxonomy: the database gets it by migrating, and
code that must not touch the database (the demo generator) reads the same file here.
"""

from __future__ import annotations

import re
from functools import cache

from service.db import SQL_DIR
from service.taxonomy.normalise import Term

SEED_FILE = SQL_DIR / "0002_taxonomy_seed.sql"
_STR = r"'((?:[^']|'')*)'"
_TERM_ROW = re.compile(rf"\(\s*{_STR}\s*,\s*{_STR}\s*,\s*{_STR}\s*,\s*{_STR}\s*\)\s*[,;]")
_INSERT = "INSERT INTO taxonomy_terms"


@cache
def seed_terms() -> tuple[Term, ...]:
    """Every row of the seed's ``taxonomy_terms`` INSERT, in file order.

    Each non-comment line of the INSERT must be exactly one row: anything else raises
    ``ValueError`` rather than being skipped.
    """
    text = SEED_FILE.read_text(encoding="utf-8")
    start = text.index(_INSERT)
    end = text.index(";\n", start) + 1
    body = text[start:end].splitlines()[1:]
    terms: list[Term] = []
    for line in body:
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        match = _TERM_ROW.fullmatch(stripped)
        if match is None:
            raise ValueError(f"{SEED_FILE.name}: not a taxonomy_terms row: {stripped!r}")
        slug, kind, label, description = (g.replace("''", "'") for g in match.groups())
        terms.append(Term(slug, kind, label, description))
    if not terms:
        raise ValueError(f"{SEED_FILE.name}: no taxonomy_terms rows")
    return tuple(terms)


def seed_slugs(kind: str) -> tuple[str, ...]:
    """The slugs of one kind ("skill", "tool", ...) in seed order; ``KeyError`` if none."""
    slugs = tuple(t.slug for t in seed_terms() if t.kind == kind)
    if not slugs:
        raise KeyError(kind)
    return slugs
