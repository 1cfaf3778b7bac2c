"""Content fit: a person's needs against what an item covers, and text similarity.

Needs are matching's own (:class:`~matching.features.ProfileVectorizer`): a person's goals
through the taxonomy's goal needs, targeted certifications and tools, IDF-weighted and summing
to 1. An item "offers" its tags as a mentor offers skills, so need coverage is the share of the
person's needs the item's tags cover, in [0, 1]. Text similarity is the cosine of LSA vectors
(TF-IDF then truncated SVD, the same text model) of the item's title, text and tags against
the person's own text, goals, skills and targeted certifications.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from matching.features import ProfileVectorizer
from matching.profiles import Profile
from matching.suggest.model import Association, Event

FloatArray = npt.NDArray[np.float32]


def words(slugs: Sequence[str]) -> str:
    """Taxonomy slugs as words for the text model ("earn-pmp" -> "earn pmp")."""
    return " ".join(s.replace("-", " ") for s in slugs)


def person_profile(profile: Profile) -> Profile:
    """The profile whose text also says its goals, skills and targeted certifications."""
    extra = words((*profile.goals, *profile.skills, *profile.certifications_target))
    return replace(profile, text=f"{profile.text} {extra}".strip())


def item_profile(item: Event | Association) -> Profile:
    """An item as a 'mentor' whose offers are its tags, and whose text is its title and text."""
    title = item.title if isinstance(item, Event) else item.name
    return Profile(
        skills=tuple(item.tags),
        languages=tuple(item.languages),
        text=f"{title}. {item.text} {words(item.tags)}".strip(),
    )


class ContentModel:
    """Needs and text vectors of people and items (fitted once, people transformed later).

    Parameters
    ----------
    goal_needs : mapping, optional
        For each goal, the tags it needs and how much (the taxonomy's goal needs).
    text_components : int
        Dimensions of the LSA text model.
    random_state : int
        Seed of the randomised SVD.
    """

    def __init__(
        self,
        goal_needs: Mapping[str, Mapping[str, float]] | None,
        text_components: int,
        random_state: int,
    ) -> None:
        self.goal_needs = goal_needs
        self.text_components = text_components
        self.random_state = random_state

    def fit(self, people: Sequence[Profile], items: Sequence[Event | Association]) -> ContentModel:
        """Learn the vocabularies and text model; keep the people's and items' vectors."""
        self.vectorizer_ = ProfileVectorizer(
            goal_needs=self.goal_needs,
            text_components=self.text_components,
            random_state=self.random_state,
        )
        mine, theirs = self.vectorizer_.fit_transform(
            [person_profile(p) for p in people], [item_profile(it) for it in items]
        )
        self.people_needs_ = mine.tags
        self.people_text_ = mine.text
        self.item_offers_ = np.ascontiguousarray(theirs.tags)  # items x tags: a fast mat-vec
        self.item_text_ = np.ascontiguousarray(theirs.text.T)
        return self

    def person_vectors(self, profile: Profile) -> tuple[FloatArray, FloatArray]:
        """Needs and text vectors of a (new or changed) profile."""
        side = self.vectorizer_.transform([person_profile(profile)], "mentee")
        return side.tags[0], side.text[0]

    def scores(self, needs: FloatArray, text: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Need coverage and text similarity of one person against every item, in [0, 1]."""
        coverage = np.clip(self.item_offers_ @ needs, 0.0, 1.0)
        similarity = np.clip(text @ self.item_text_, 0.0, 1.0)
        return coverage, similarity


def goals_covered(
    goals: Sequence[str],
    tags: Sequence[str],
    goal_needs: Mapping[str, Mapping[str, float]],
    threshold: float,
) -> list[tuple[float, str]]:
    """The person's goals an item's tags serve, as (share of the goal's needs, goal), best first.

    A goal counts when the tags cover at least ``threshold`` of its needs' total weight, or
    the tag is the goal itself (an event tagged "earn-pmp").
    """
    have = set(tags)
    out: list[tuple[float, str]] = []
    for goal in goals:
        needs = goal_needs.get(goal, {})
        total = sum(needs.values())
        share = 1.0 if goal in have else 0.0
        if total > 0:
            share = max(share, sum(w for t, w in needs.items() if t in have) / total)
        if share >= threshold:
            out.append((share, goal))
    return sorted(out, key=lambda x: (-x[0], x[1]))
