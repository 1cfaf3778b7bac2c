"""The CPU side of refreshing suggestions: runs in the worker's process pool, never on the
event loop.

A pool process keeps the model it last fitted, under its fit id, between calls (a fitted model
at 50,000 people is about 1.5 GB: one is kept, the last). A call naming another fit id, or
reaching a process that never fitted (restarted, or another of the pool's processes), gets
None back and the caller fits again. Results travel back as plain rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from matching.suggest import Recommender, Suggestion
from service.suggestions.load import WorldRows, build_world
from service.suggestions.repository import StoredSuggestion

#: The model this process fitted last: (fit id, model).
_fitted: tuple[str, Recommender] | None = None

Report = Callable[..., None]


def _model(fit_id: str) -> Recommender | None:
    return _fitted[1] if _fitted is not None and _fitted[0] == fit_id else None


def fit(fit_id: str, rows: WorldRows, report: Report | None = None) -> int:
    """Build the world from ``rows``, fit the recommender and keep it as ``fit_id``; how
    many people it knows."""
    global _fitted
    _fitted = None  # the old model's memory is freed before the new one is built
    world = build_world(rows)
    model = Recommender(goal_needs=rows.goal_needs, labels=rows.labels)
    _fitted = (fit_id, model.fit(world.people, world.items, world.edges))
    return len(world.people)


def forget() -> None:
    """Drop the kept model (tests: as a restarted pool process would be)."""
    global _fitted
    _fitted = None


def stored(person: str, suggestions: Sequence[Suggestion]) -> list[StoredSuggestion]:
    """A person's suggestions as rows to store, rank 1 first."""
    return [
        StoredSuggestion(
            person_id=UUID(person),
            rank=rank,
            kind=s.kind,
            item_id=UUID(s.key),
            score=s.score,
            reasons=list(s.reasons),
            components=dict(s.components),
        )
        for rank, s in enumerate(suggestions, start=1)
    ]


def suggest_fitted(
    fit_id: str, keys: Sequence[str], now: datetime, n: int, report: Report | None = None
) -> list[StoredSuggestion] | None:
    """Suggestions for people of the fitted world, as fitted (the full refresh), or None if
    this process does not hold ``fit_id``."""
    model = _model(fit_id)
    if model is None:
        return None
    out: list[StoredSuggestion] = []
    for key, found in zip(keys, model.suggest_many(list(keys), now, n), strict=True):
        out += stored(key, found)
    return out


def suggest_people(
    fit_id: str, rows: WorldRows, n: int, report: Report | None = None
) -> list[StoredSuggestion] | None:
    """Suggestions for the people of ``rows`` as they are now (profile and edges; people the
    model never saw included) with the fitted model, or None if this process does not hold
    ``fit_id``."""
    model = _model(fit_id)
    if model is None:
        return None
    world = build_world(rows)
    mine: dict[str, list[Any]] = {p.key: [] for p in world.people}
    for edge in world.edges:
        if edge.person in mine:
            mine[edge.person].append(edge)
    found = model.suggest_many(world.people, rows.now, n, edges=[mine[p.key] for p in world.people])
    out: list[StoredSuggestion] = []
    for person, suggestions in zip(world.people, found, strict=True):
        out += stored(person.key, suggestions)
    return out
