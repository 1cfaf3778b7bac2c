"""Offline quality of the recommender: hit-rate@10 and nDCG@10 on held-out choices.

A world whose memberships and RSVPs follow hidden preferences (:mod:`bench.suggest_population`)
loses a share of each person's choices (``HOLDOUT``, at least one, for everyone with two or
more); each method is fitted on what is left, exactly what the service would see, and ranks
ten suggestions per person. A hit is a held-out item among the ten; nDCG@10 has binary gains.
The baselines are the same :class:`~matching.suggest.Recommender` with other weights, so all
three apply the same filters and the same diversity re-ranking:

- most popular: popularity only (members or RSVPs so far, per kind);
- content only: need coverage and text similarity only;
- recommender: the defaults (content, personalised PageRank and popularity).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from bench.suggest_population import world
from matching.suggest import Edge, Recommender

SIZE = (10_000, 200, 2_000)
HOLDOUT = 0.2
EVALUATED = 2_000
K = 10
METHODS: dict[str, dict[str, Any]] = {
    "most_popular": {"content_weight": 0.0, "network_weight": 0.0, "popularity_weight": 1.0},
    "content_only": {"content_weight": 1.0, "network_weight": 0.0, "popularity_weight": 0.0},
    "recommender": {},
}


def split(edges: list[Edge], share: float, seed: int) -> tuple[list[Edge], dict[str, set[str]]]:
    """Training edges, and each person's held-out item keys (mentorships are never held out)."""
    rng = np.random.default_rng(seed)
    by_person: dict[str, list[Edge]] = {}
    train = [e for e in edges if e.kind == "mentor"]
    for e in edges:
        if e.kind != "mentor":
            by_person.setdefault(e.person, []).append(e)
    held: dict[str, set[str]] = {}
    for person, own in by_person.items():
        if len(own) < 2:
            train += own
            continue
        k = max(1, round(share * len(own)))
        out = set(rng.choice(len(own), k, replace=False).tolist())
        held[person] = {own[i].target for i in out}
        train += [e for i, e in enumerate(own) if i not in out]
    return train, held


def scores(ranked: list[str], relevant: set[str]) -> tuple[float, float]:
    """(hit, nDCG) of one ranked list at ``K`` with binary relevance."""
    gains = [1.0 if key in relevant else 0.0 for key in ranked[:K]]
    dcg = sum(g / np.log2(r + 2) for r, g in enumerate(gains))
    ideal = sum(1 / np.log2(r + 2) for r in range(min(len(relevant), K)))
    return float(any(gains)), dcg / ideal


def evaluate(
    size: tuple[int, int, int] = SIZE, seed: int = 0, evaluated: int = EVALUATED
) -> dict[str, Any]:
    """Figures of every method on one generated world."""
    w = world(*size, seed=seed)
    train, held = split(w.edges, HOLDOUT, seed)
    rng = np.random.default_rng(seed + 1)
    people = sorted(held)
    chosen = [
        people[i] for i in sorted(rng.choice(len(people), min(evaluated, len(people)), False))
    ]
    out: dict[str, Any] = {
        "people": size[0],
        "associations": size[1],
        "events": size[2],
        "edges_train": len(train),
        "held_out": sum(len(held[p]) for p in chosen),
        "people_evaluated": len(chosen),
    }
    for name, weights in METHODS.items():
        t = time.perf_counter()
        model = Recommender(goal_needs=w.goal_needs, **weights).fit(w.people, w.items, train)
        fit_s = time.perf_counter() - t
        lists = model.suggest_many(chosen, w.now, K)
        hits, ndcg = zip(
            *(scores([s.key for s in lst], held[p]) for p, lst in zip(chosen, lists, strict=True)),
            strict=True,
        )
        out[name] = {
            "hit_rate_at_10": round(float(np.mean(hits)), 4),
            "ndcg_at_10": round(float(np.mean(ndcg)), 4),
            "fit_s": round(fit_s, 2),
        }
    return out


def main() -> dict[str, Any]:
    """The quality figures (latency: ``python -m bench suggest_latency``)."""
    return evaluate()
