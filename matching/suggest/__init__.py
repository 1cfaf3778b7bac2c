"""Suggestions of events and associations for a person, with reasons (pure: no I/O, no clock).

Use :class:`Recommender`: ``fit(people, items, edges)`` once over everyone, then
``suggest(person, now, n)`` per person (or ``suggest_many`` in batches).
"""

from matching.suggest.model import (
    COMPONENTS,
    EVENT_KINDS,
    Association,
    Edge,
    Event,
    Person,
    Suggestion,
)
from matching.suggest.ppr import (
    personalized_pagerank,
    personalized_pagerank_many,
    transition_matrix,
)
from matching.suggest.recommender import Recommender

__all__ = [
    "COMPONENTS",
    "EVENT_KINDS",
    "Association",
    "Edge",
    "Event",
    "Person",
    "Recommender",
    "Suggestion",
    "personalized_pagerank",
    "personalized_pagerank_many",
    "transition_matrix",
]
