"""Suggestions of events and associations for a person, with reasons (pure: no I/O, no clock).

Use :class:`Recommender`: ``fit(people, items, edges)`` once over everyone, then
``suggest(person, now, n)`` per person (or ``suggest_many`` in batches)::

    model = Recommender(goal_needs=taxonomy_goal_needs, labels=slug_labels).fit(
        people,  # Person(key, first_name, profile, timezone, coordinates, city, country)
        [*events, *associations],  # Event(...), Association(...): keys unique per kind
        edges,  # Edge("member", person, association), Edge("rsvp", person, event),
        #         Edge("mentor", mentee, mentor)
    )
    for s in model.suggest(person_key, now, n=30):  # now: aware datetime or POSIX seconds
        s.kind, s.key, s.score, s.components, s.reasons

After one person's memberships, RSVPs or profile change, ``suggest(Person(...), now,
edges=[...their current edges...])`` ranks for them without refitting (the rest of the graph
stays as fitted; refit periodically, e.g. nightly, to fold everyone's changes in).
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
