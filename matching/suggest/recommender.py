"""The recommender: content fit + personalised PageRank + popularity, filtered and re-ranked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy import sparse

from matching.suggest.content import ContentModel
from matching.suggest.diversity import Candidate, rerank
from matching.suggest.feasibility import (
    Filters,
    ItemTable,
    feasible,
    language_ok,
    posix,
)
from matching.suggest.model import Association, Edge, Event, Person, Suggestion
from matching.suggest.ppr import personalized_pagerank_many, transition_matrix
from matching.suggest.reasons import Wording

FloatArray = npt.NDArray[np.float64]
Item = Event | Association


class Recommender:
    """Suggest events and associations to a person, with reasons.

    Parameters
    ----------
    goal_needs : mapping of str to mapping of str to float, optional
        The taxonomy's goal needs (as for matching): what each goal needs and how much.
    labels : mapping of str to str, optional
        Display label of each slug (goals, certifications) for reasons.
    content_weight, network_weight, popularity_weight : float
        Weights of the score's components (each component is in [0, 1]).
    text_share : float, default=0.3
        Share of text similarity in the content component (the rest is need coverage).
    damping : float, default=0.6
        Personalised PageRank's probability of following an edge (restart: 1 - damping).
    ppr_tol : float, default=0.02
        Mass left undistributed when the PageRank series is truncated.
    member_weight, rsvp_weight, mentor_weight, goal_weight, host_weight : float
        Edge weights: memberships, RSVPs, mentorships, person-goal (people with a goal in
        common are two steps apart) and event-host association.
    max_km : float, default=80
        Reachable distance for an item that is not online.
    near_minutes : int, default=90
        How far outside the person's weekly availability an event may start or end.
    horizon_days : float or None, default=180
        Events further ahead than this are left out (None: no limit).
    window, max_per_series, max_group_share :
        Diversity of the list (see :func:`matching.suggest.diversity.rerank`).
    min_peers : int, default=2
        Fewest people with the person's goals for a "people with your goals" reason.
    degree_power : float, default=0
        PageRank scores are divided by the item's weighted degree to this power (0: plain
        PageRank; 0.5 would favour less-joined items; popularity has its own component).
    text_components : int, default=48
        Dimensions of the LSA text model.
    random_state : int, default=0
        Seed of the text model's randomised SVD (the only randomness).
    """

    def __init__(
        self,
        goal_needs: Mapping[str, Mapping[str, float]] | None = None,
        labels: Mapping[str, str] | None = None,
        content_weight: float = 0.15,
        network_weight: float = 0.75,
        popularity_weight: float = 0.1,
        text_share: float = 0.3,
        damping: float = 0.6,
        ppr_tol: float = 0.02,
        member_weight: float = 1.0,
        rsvp_weight: float = 1.0,
        mentor_weight: float = 1.0,
        goal_weight: float = 0.25,
        host_weight: float = 1.0,
        max_km: float = 80.0,
        near_minutes: int = 90,
        horizon_days: float | None = 180.0,
        window: int = 10,
        max_per_series: int = 2,
        max_group_share: float = 0.6,
        min_peers: int = 2,
        degree_power: float = 0.0,
        text_components: int = 48,
        random_state: int = 0,
    ) -> None:
        self.goal_needs = goal_needs
        self.labels = labels
        self.content_weight = content_weight
        self.network_weight = network_weight
        self.popularity_weight = popularity_weight
        self.text_share = text_share
        self.damping = damping
        self.ppr_tol = ppr_tol
        self.member_weight = member_weight
        self.rsvp_weight = rsvp_weight
        self.mentor_weight = mentor_weight
        self.goal_weight = goal_weight
        self.host_weight = host_weight
        self.max_km = max_km
        self.near_minutes = near_minutes
        self.horizon_days = horizon_days
        self.window = window
        self.max_per_series = max_per_series
        self.max_group_share = max_group_share
        self.min_peers = min_peers
        self.degree_power = degree_power
        self.text_components = text_components
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def fit(
        self, people: Sequence[Person], items: Sequence[Item], edges: Sequence[Edge]
    ) -> Recommender:
        """Learn the content model, the graph and popularity from everyone's current state.

        Parameters
        ----------
        people : sequence of Person
            Everyone suggestions may be asked for (unique keys).
        items : sequence of Event or Association
            The catalogue; past, full and cancelled-free events may be included (filters
            apply when suggesting).
        edges : sequence of Edge
            Memberships, RSVPs and mentorships; edges naming an unknown key are ignored.

        Returns
        -------
        Recommender
            ``self``, with ``people_``, ``items_``, ``transition_``, ``popularity_``...
        """
        events = [it for it in items if isinstance(it, Event)]
        associations = [it for it in items if isinstance(it, Association)]
        self.people_ = tuple(people)
        self.person_index_ = {p.key: i for i, p in enumerate(self.people_)}
        if len(self.person_index_) != len(self.people_):
            raise ValueError("people must have unique keys")
        self.items_: tuple[Item, ...] = (*events, *associations)
        self.event_index_ = {e.key: i for i, e in enumerate(events)}
        self.association_index_ = {a.key: len(events) + i for i, a in enumerate(associations)}
        self.table_ = ItemTable.build(events, associations)
        self.content_ = ContentModel(self.goal_needs, self.text_components, self.random_state)
        self.content_.fit([p.profile for p in self.people_], self.items_)
        goals = sorted({g for p in self.people_ for g in p.profile.goals})
        self.goal_index_ = {g: i for i, g in enumerate(goals)}
        n_p, n_i = len(self.people_), len(self.items_)
        self.n_nodes_ = n_p + n_i + len(goals)
        self.person_edges_: dict[int, list[Edge]] = {}
        for edge in edges:
            row = self.person_index_.get(edge.person)
            if row is not None and self._target(edge) is not None:
                self.person_edges_.setdefault(row, []).append(edge)
        self.mentees_: dict[int, list[int]] = {}
        for row, person_edges in self.person_edges_.items():
            for edge in person_edges:
                mentor = self._target(edge) if edge.kind == "mentor" else None
                if mentor is not None and mentor != row:
                    self.mentees_.setdefault(mentor, []).append(row)
        graph = nx.Graph()
        graph.add_nodes_from(range(self.n_nodes_))
        for row in range(n_p):
            graph.add_weighted_edges_from(self._graph_edges(row, self.people_[row]))
        graph.add_weighted_edges_from(
            (n_p + i, n_p + self.association_index_[e.host], self.host_weight)
            for i, e in enumerate(events)
            if e.host in self.association_index_
        )
        self.transition_, self.dangling_ = transition_matrix(graph, range(self.n_nodes_))
        # The walks run on float32 with int32 indices: half the memory traffic per term.
        pt = sparse.csr_array(self.transition_.T, dtype=np.float32)
        pt.indices = pt.indices.astype(np.int32)
        pt.indptr = pt.indptr.astype(np.int32)
        self.transition_t_ = pt
        self.transition_ = sparse.csr_array(self.transition_, dtype=np.float32)
        self.item_degree_ = np.maximum(
            np.asarray([graph.degree(n_p + i, weight="weight") for i in range(n_i)]), 1.0
        )
        del graph  # the CSR holds all the walks need; networkx's dicts are large
        # Who joined or RSVPed each item (items x people), and people's goals (people x goals).
        rows, cols = [], []
        for row, person_edges in self.person_edges_.items():
            for edge in person_edges:
                target = self._target(edge)
                if edge.kind != "mentor" and target is not None:
                    rows.append(target)
                    cols.append(row)
        ones = np.ones(len(rows), dtype=np.float32)
        self.item_people_ = sparse.csr_array((ones, (rows, cols)), shape=(n_i, n_p))
        self.item_people_.sum_duplicates()
        self.item_people_.data[:] = 1.0
        g_rows = [r for r, p in enumerate(self.people_) for g in p.profile.goals]
        g_cols = [self.goal_index_[g] for p in self.people_ for g in p.profile.goals]
        self.people_goals_ = sparse.csr_array(
            (np.ones(len(g_rows), dtype=np.float32), (g_rows, g_cols)),
            shape=(n_p, max(1, len(goals))),
        )
        count = np.asarray(self.item_people_.sum(axis=1)).ravel()
        self.item_counts_ = count.astype(np.int64)
        popularity = np.zeros(n_i)
        for kind in (self.table_.is_event, ~self.table_.is_event):
            top = np.log1p(count[kind]).max(initial=0.0)
            if top > 0:
                popularity[kind] = np.log1p(count[kind]) / top
        self.popularity_ = popularity
        return self

    def _target(self, edge: Edge) -> int | None:
        """Row of an edge's target: item index (member, rsvp) or person index (mentor)."""
        if edge.kind == "member":
            return self.association_index_.get(edge.target)
        if edge.kind == "rsvp":
            return self.event_index_.get(edge.target)
        return self.person_index_.get(edge.target)  # a mentorship

    def _edges_of(
        self, row: int | None, person: Person, edges: Sequence[Edge] | None
    ) -> list[Edge]:
        """The person's current edges: those given (theirs only, known targets), else the
        fitted ones."""
        if edges is not None:
            own = [e for e in edges if e.person == person.key and self._target(e) is not None]
        else:
            own = [] if row is None else list(self.person_edges_.get(row, []))
        return own

    def _graph_edges(self, row: int, person: Person) -> list[tuple[int, int, float]]:
        """Weighted graph edges of a fitted person: their items, mentors and goals."""
        n_p = len(self.people_)
        node = row
        out: list[tuple[int, int, float]] = []
        for edge in self._edges_of(row, person, None):
            target = self._target(edge)
            assert target is not None
            if edge.kind == "mentor" and target == row:
                continue  # nobody mentors themselves; no self-loop
            weight = {"member": self.member_weight, "rsvp": self.rsvp_weight}.get(
                edge.kind, self.mentor_weight
            )
            out.append((node, target if edge.kind == "mentor" else n_p + target, weight))
        n_items = len(self.items_)
        for goal in person.profile.goals:
            if goal in self.goal_index_:
                out.append((node, n_p + n_items + self.goal_index_[goal], self.goal_weight))
        return out

    # ------------------------------------------------------------------ suggest
    def suggest(
        self,
        person: Person | str,
        now: datetime | float,
        n: int = 10,
        edges: Sequence[Edge] | None = None,
    ) -> list[Suggestion]:
        """Ranked suggestions for one person.

        Parameters
        ----------
        person : Person or str
            A person (their profile as given now; they need not have been fitted) or the key
            of a fitted one.
        now : datetime or float
            The present, as an aware datetime or POSIX seconds (events must start after it).
        n : int, default=10
            At most this many suggestions.
        edges : sequence of Edge, optional
            The person's current memberships, RSVPs and mentorships when they changed since
            :meth:`fit` (the rest of the graph stays as fitted); default: the fitted ones.

        Returns
        -------
        list of Suggestion
            Best first, feasible, diverse.
        """
        return self.suggest_many([person], now, n, [edges] if edges is not None else None)[0]

    def suggest_many(
        self,
        people: Sequence[Person | str],
        now: datetime | float,
        n: int = 10,
        edges: Sequence[Sequence[Edge] | None] | None = None,
        batch_size: int = 32,
    ) -> list[list[Suggestion]]:
        """:meth:`suggest` for many people; the PageRank of ``batch_size`` people is computed
        in one sparse product per term, which is what the worker's precomputation should use.
        """
        moment = posix(now)
        out: list[list[Suggestion]] = []
        for start in range(0, len(people), batch_size):
            chunk = people[start : start + batch_size]
            given = edges[start : start + batch_size] if edges is not None else [None] * len(chunk)
            resolved = [self._resolve(p) for p in chunk]
            own = [self._edges_of(row, p, e) for (row, p), e in zip(resolved, given, strict=True)]
            network = self._network(resolved, own)
            for (row, p), person_edges, net in zip(resolved, own, network, strict=True):
                out.append(self._rank(row, p, person_edges, net, moment, n))
        return out

    def _resolve(self, person: Person | str) -> tuple[int | None, Person]:
        if isinstance(person, str):
            if person not in self.person_index_:
                raise KeyError(f"unknown person {person!r}")
            row = self.person_index_[person]
            return row, self.people_[row]
        return self.person_index_.get(person.key), person

    def _network(
        self, resolved: Sequence[tuple[int | None, Person]], own: Sequence[Sequence[Edge]]
    ) -> FloatArray:
        """Personalised PageRank of each person over the items, from their current edges."""
        n_p, n_i = len(self.people_), len(self.items_)
        v = np.zeros((len(resolved), self.n_nodes_))
        absorb = np.full(len(resolved), -1, dtype=np.int64)
        for k, ((row, person), person_edges) in enumerate(zip(resolved, own, strict=True)):
            for edge in person_edges:
                target = self._target(edge)
                assert target is not None
                if edge.kind == "mentor":
                    v[k, target] += self.mentor_weight
                else:
                    w = self.member_weight if edge.kind == "member" else self.rsvp_weight
                    v[k, n_p + target] += w
            for goal in person.profile.goals:
                if goal in self.goal_index_:
                    v[k, n_p + n_i + self.goal_index_[goal]] += self.goal_weight
            for mentee in [] if row is None else self.mentees_.get(row, []):
                v[k, mentee] += self.mentor_weight
            if row is not None:
                v[k, row] = 0.0  # a self-mentorship, however it came in
                absorb[k] = row
        total = v.sum(axis=1, keepdims=True)
        has = total[:, 0] > 0
        scores = np.zeros((len(resolved), n_i))
        if has.any():
            ppr = personalized_pagerank_many(
                self.transition_,
                self.dangling_,
                v[has] / total[has],
                damping=self.damping,
                tol=self.ppr_tol,
                max_iter=50,
                absorb=absorb[has],
                pt=self.transition_t_,
            )
            scores[has] = ppr[:, n_p : n_p + n_i] / self.item_degree_**self.degree_power
        return scores

    def _rank(
        self,
        row: int | None,
        person: Person,
        person_edges: Sequence[Edge],
        network: FloatArray,
        now: float,
        n: int,
    ) -> list[Suggestion]:
        table = self.table_
        chosen = np.zeros(len(self.items_), dtype=bool)
        for edge in person_edges:
            if edge.kind != "mentor":
                target = self._target(edge)
                assert target is not None
                chosen[target] = True
        filters = Filters(self.max_km, self.near_minutes, self.horizon_days)
        ok = feasible(person, table, now, chosen, filters, language_ok(person, table))
        if not ok.any() or n <= 0:
            return []
        if row is not None and person.profile == self.people_[row].profile:
            needs = self.content_.people_needs_[row]
            text = self.content_.people_text_[row]
        else:
            needs, text = self.content_.person_vectors(person.profile)
        coverage, similarity = self.content_.scores(needs, text)
        content = ((1 - self.text_share) * coverage + self.text_share * similarity).astype(float)
        # Each component relative to its best feasible event, and association: associations
        # gather far more walks (and members) than any one event, and both belong in the list.
        content = _relative(content, ok, table.is_event)
        net = _relative(network, ok, table.is_event)
        parts = {
            "content": self.content_weight * content,
            "network": self.network_weight * net,
            "popularity": self.popularity_weight * self.popularity_,
        }
        score = parts["content"] + parts["network"] + parts["popularity"]
        index = np.flatnonzero(ok)
        pool = max(5 * n, 100)
        if len(index) > pool:
            index = index[np.argpartition(-score[index], pool - 1)[:pool]]
        candidates = [
            Candidate(int(i), float(score[i]), self._group(int(i)), self._series(int(i)))
            for i in index
        ]
        picked = rerank(candidates, n, self.window, self.max_per_series, self.max_group_share)
        context = Wording(self, row, person, person_edges, similarity, net)
        out = []
        for c in picked:
            item = self.items_[c.index]
            components = {k: round(float(v[c.index]), 6) for k, v in parts.items()}
            out.append(
                Suggestion(
                    kind="event" if isinstance(item, Event) else "association",
                    key=item.key,
                    score=float(score[c.index]),
                    components=components,
                    reasons=context.reasons(c.index),
                    group=c.group,
                    series=c.series,
                )
            )
        return out

    def _group(self, i: int) -> str:
        item = self.items_[i]
        if isinstance(item, Association):
            return "association"
        return "volunteering" if item.kind == "volunteering" else "event"

    def _series(self, i: int) -> str | None:
        item = self.items_[i]
        return item.series if isinstance(item, Event) else None


def _relative(
    values: FloatArray, ok: npt.NDArray[np.bool_], kind: npt.NDArray[np.bool_]
) -> FloatArray:
    """``values`` divided by their maximum over the feasible items of the same kind, in [0, 1]."""
    out = np.zeros_like(values, dtype=np.float64)
    for group in (kind, ~kind):
        top = values[ok & group].max(initial=0.0)
        if top > 0:
            out[group] = np.clip(values[group] / top, 0.0, 1.0)
    return out
