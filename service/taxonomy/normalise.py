"""Turn what people type ("Microsoft Project", "MSP") into taxonomy slugs (ms-project)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_NON_WORD = re.compile(r"[^\w+#]+|_")
#: The longest tag a person may type (the profile schemas refuse longer ones).
MAX_TAG = 60

#: The taxonomy kind of each profile field that holds tags.
FIELD_KINDS = {
    "skills": "skill",
    "tools": "tool",
    "certifications_held": "certification",
    "certifications_target": "certification",
    "goals": "goal",
    "industries": "industry",
}


def key(text: str) -> str:
    """Case- and punctuation-insensitive lookup key: 'MS-Project ' -> 'ms project'."""
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def custom_slug(text: str) -> str:
    """Slug for a free-text tag that is not in the taxonomy: 'SAP rollout' -> 'sap-rollout'."""
    return key(text).replace(" ", "-")


@dataclass(frozen=True)
class Term:
    """One taxonomy entry."""

    slug: str
    kind: str
    label: str
    description: str


@dataclass(frozen=True)
class Taxonomy:
    """The loaded taxonomy with its synonym index."""

    terms: dict[str, Term]
    synonyms: dict[str, str]
    goal_needs: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        terms: Iterable[Term],
        synonyms: Iterable[tuple[str, str]],
        goal_needs: Iterable[tuple[str, str, float]] = (),
    ) -> Taxonomy:
        """Index terms by slug, label and synonyms (all through :func:`key`)."""
        by_slug = {t.slug: t for t in terms}
        index: dict[str, str] = {}
        for t in by_slug.values():
            index[key(t.slug)] = t.slug
            index.setdefault(key(t.label), t.slug)
        for synonym, slug in synonyms:
            if slug in by_slug:
                index.setdefault(key(synonym), slug)
        needs: dict[str, dict[str, float]] = {}
        for goal, need, weight in goal_needs:
            needs.setdefault(goal, {})[need] = float(weight)
        return cls(by_slug, index, needs)

    def lookup(self, text: str) -> str | None:
        """The slug ``text`` stands for, or None if it is not in the taxonomy."""
        return self.synonyms.get(key(text))

    def normalise(self, values: Iterable[str]) -> list[str]:
        """Slugs for ``values``; unknown ones kept as custom tags, order kept, no duplicates."""
        out: list[str] = []
        for value in values:
            slug = self.lookup(value) or custom_slug(value)
            if slug and slug not in out:
                out.append(slug)
        return out

    def custom_texts(self, values: Iterable[str]) -> dict[str, str]:
        """The custom tags among ``values`` as typed, by slug ('Kanban for NGOs' under
        kanban-for-ngos), so they can be shown as the person wrote them."""
        texts: dict[str, str] = {}
        for value in values:
            slug = "" if self.lookup(value) else custom_slug(value)
            if slug:
                texts.setdefault(slug, " ".join(value.split()))
        return texts

    def labels(self, kind: str) -> list[str]:
        """The labels of one kind's terms ("skill", "tool"...), alphabetically: what forms
        suggest as people type."""
        return sorted((t.label for t in self.terms.values() if t.kind == kind), key=str.casefold)

    def is_custom(self, slug: str) -> bool:
        """True for a free-text tag that is not a taxonomy term."""
        return slug not in self.terms

    def label(self, slug: str) -> str:
        """Human label for a slug (custom tags get their words back)."""
        term = self.terms.get(slug)
        return term.label if term else slug.replace("-", " ")
