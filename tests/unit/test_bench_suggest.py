"""The recommender's benchmark world and its offline evaluation."""

from __future__ import annotations

import math
from collections import Counter

from bench.suggest_population import world
from bench.suggest_quality import METHODS, evaluate, scores, split
from matching.suggest import Association, Event


def test_choices_respect_place_language_and_capacity():
    w = world(300, 12, 120, seed=4)
    people = {p.key: p for p in w.people}
    items = {it.key: it for it in w.items}
    kinds = Counter(e.kind for e in w.edges)
    assert kinds["member"] and kinds["rsvp"] and kinds["mentor"]
    for edge in w.edges:
        if edge.kind == "mentor":
            continue
        person, item = people[edge.person], items[edge.target]
        assert isinstance(item, Association if edge.kind == "member" else Event)
        assert item.online or item.city == person.city
        assert not item.languages or set(item.languages) & set(person.profile.languages)
        assert not (isinstance(item, Event) and item.full)
        assert not isinstance(item, Event) or item.starts_at > w.now


def test_holdout_keeps_a_fifth_of_each_persons_choices():
    w = world(300, 12, 120, seed=4)
    train, held = split(w.edges, 0.2, seed=0)
    assert len(train) + sum(len(h) for h in held.values()) == len(w.edges)
    kept = {(e.person, e.target) for e in train}
    assert all((p, k) not in kept for p, keys in held.items() for k in keys)


def test_scores_of_one_list():
    assert scores(["a", "b"], {"b"}) == (1.0, 1 / math.log2(3))
    assert scores(["a"], {"z"}) == (0.0, 0.0)


def test_evaluate_reports_every_method():
    out = evaluate((300, 12, 120), seed=4, evaluated=50)
    assert out["people_evaluated"] == 50
    for name in METHODS:
        assert 0 <= out[name]["ndcg_at_10"] <= out[name]["hit_rate_at_10"] <= 1
