"""Taxonomy API shapes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Kind = Literal["skill", "tool", "certification", "goal", "industry"]


class TermOut(BaseModel):
    """One term with the spellings that map to it."""

    slug: str
    kind: Kind
    label: str
    description: str
    synonyms: list[str]
    needs: dict[str, float]


class TaxonomyOut(BaseModel):
    """The taxonomy, ordered by kind then slug."""

    terms: list[TermOut]
    counts: dict[str, int]
