"""Vectorise profiles into the arrays scoring needs (scikit-learn conventions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.preprocessing import normalize

from matching.availability import WEEK_MINUTES
from matching.profiles import Profile

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
SLOT_MINUTES = 30
N_SLOTS = WEEK_MINUTES // SLOT_MINUTES
#: Weight of a targeted certification and of a wanted tool among a mentee's needs.
TARGET_WEIGHT = 1.0
TOOL_NEED_WEIGHT = 0.5
#: Documents the LSA text model is fitted on (a random sample beyond this).
SVD_SAMPLE = 4000


@dataclass(frozen=True)
class SideFeatures:
    """Arrays for one side (mentees or mentors), row-aligned with the input profiles."""

    tags: FloatArray  # needs (mentees, weighted, rows sum to 1) or offers (mentors, 0/1)
    certs: FloatArray  # targeted (mentees, rows sum to 1) or held (mentors, 0/1)
    tools: FloatArray  # wanted (mentees, rows sum to 1) or used (mentors, 0/1)
    industries: FloatArray  # mentees: rows sum to 1; mentors: 0/1
    role: FloatArray  # L2-normalised TF-IDF of the current role (dense: roles are short)
    text: FloatArray  # L2-normalised LSA vector of headline and bio
    years: FloatArray
    slots: FloatArray  # fraction of each 30-minute UTC slot of the week that is available
    employer: IntArray  # 0 = unknown
    language_onehot: FloatArray


def availability_slots(intervals: Sequence[tuple[int, int]]) -> FloatArray:
    """Fraction of each 30-minute slot of the UTC week covered by ``intervals``."""
    out: FloatArray = _slot_matrix([intervals])[0]
    return out


def _slot_matrix(people: Sequence[Sequence[tuple[int, int]]]) -> FloatArray:
    """:func:`availability_slots` of many people at once, one row each."""
    # Flat ints rather than a list of tuples: no container per span, so no garbage-collector
    # passes over everything alive while a large population is converted.
    lengths = np.fromiter((len(x) for x in people), dtype=np.int64, count=len(people))
    out = np.zeros((len(people), N_SLOTS), dtype=np.float32)
    total = int(lengths.sum())
    if total == 0:
        return out
    bounds = np.fromiter(chain.from_iterable(chain.from_iterable(people)), np.int64, 2 * total)
    start, end = bounds[0::2], bounds[1::2]
    owner = np.repeat(np.arange(len(people)), lengths)
    first, last = start // SLOT_MINUTES, (end - 1) // SLOT_MINUTES
    count = last - first + 1
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    slot = np.repeat(first, count) + offset
    lo = np.maximum(np.repeat(start, count), slot * SLOT_MINUTES)
    hi = np.minimum(np.repeat(end, count), (slot + 1) * SLOT_MINUTES)
    flat = np.repeat(owner, count) * N_SLOTS + slot
    covered = np.bincount(flat, weights=(hi - lo) / SLOT_MINUTES, minlength=out.size)
    out.ravel()[:] = covered
    return out


class ProfileVectorizer:
    """Learn tag vocabularies, IDF weights and a text model from a population.

    Parameters
    ----------
    goal_needs : mapping of str to mapping of str to float, optional
        For each goal, what a mentor should offer for it and how much it matters (0, 1].
    text_components : int, default=48
        Dimensions of the LSA text model (fewer if the vocabulary is small).
    random_state : int, default=0
        Seed of the randomised SVD.
    """

    def __init__(
        self,
        goal_needs: Mapping[str, Mapping[str, float]] | None = None,
        text_components: int = 48,
        random_state: int = 0,
    ) -> None:
        self.goal_needs = goal_needs
        self.text_components = text_components
        self.random_state = random_state

    def fit(self, mentees: Sequence[Profile], mentors: Sequence[Profile]) -> ProfileVectorizer:
        """Learn vocabularies from both sides and IDF from what mentors offer."""
        self._fit(mentees, mentors)
        return self

    def fit_transform(
        self, mentees: Sequence[Profile], mentors: Sequence[Profile]
    ) -> tuple[SideFeatures, SideFeatures]:
        """:meth:`fit`, then the features of both sides (text is tokenised only once)."""
        tfidf = self._fit(mentees, mentors)
        n = len(mentees)
        return (
            self._transform(mentees, "mentee", None if tfidf is None else tfidf[:n]),
            self._transform(mentors, "mentor", None if tfidf is None else tfidf[n:]),
        )

    def _fit(self, mentees: Sequence[Profile], mentors: Sequence[Profile]) -> Any:
        needs = self.goal_needs or {}
        offer_tags: set[str] = set()
        for p in mentors:
            offer_tags.update(p.skills, p.certifications_held, p.tools)
        need_tags: set[str] = set()
        for p in mentees:
            need_tags.update(p.certifications_target, p.tools)
            for goal in p.goals:
                need_tags.update(needs.get(goal, {}))
        self.tag_vocabulary_ = {t: i for i, t in enumerate(sorted(offer_tags | need_tags))}
        df = np.zeros(len(self.tag_vocabulary_), dtype=np.float64)
        for p in mentors:
            for t in set(p.skills) | set(p.certifications_held) | set(p.tools):
                df[self.tag_vocabulary_[t]] += 1
        # Smoothed IDF over mentors: a rare offer is worth more than one every mentor has.
        self.idf_ = (np.log((1 + len(mentors)) / (1 + df)) + 1).astype(np.float32)
        everyone = [*mentees, *mentors]
        self.cert_vocabulary_ = _vocab(
            t for p in everyone for t in (*p.certifications_held, *p.certifications_target)
        )
        self.tool_vocabulary_ = _vocab(t for p in everyone for t in p.tools)
        self.industry_vocabulary_ = _vocab(t for p in everyone for t in p.industries)
        self.language_vocabulary_ = _vocab(t for p in everyone for t in p.languages)
        self.employer_vocabulary_ = {
            e: i + 1 for i, e in enumerate(sorted({p.employer for p in everyone if p.employer}))
        }
        # Roles repeat ("Project Manager", "Business Analyst"...): tokenise each distinct one
        # once and weight its counts by how often it occurs, which is exactly TF-IDF on all.
        roles, inverse = _distinct([p.role for p in everyone] + ["project manager"])
        self.role_counter_ = CountVectorizer().fit(roles)
        self.role_idf_ = TfidfTransformer(sublinear_tf=True).fit(
            self.role_counter_.transform(roles)[inverse]
        )
        text_model = TfidfVectorizer(min_df=2, max_df=0.9, sublinear_tf=True, stop_words="english")
        texts = [p.text for p in everyone]
        try:
            tfidf = text_model.fit_transform(texts)
        except ValueError:  # no usable words at all
            text_model = None
            tfidf = None
        self.text_model_ = text_model
        self.svd_: TruncatedSVD | None = None
        if tfidf is not None and min(tfidf.shape) > 2:
            # A few thousand documents pin down the topic space as well as all of them do, at a
            # fraction of the cost; the sample is drawn with the estimator's random_state.
            rng = np.random.default_rng(self.random_state)
            sample = tfidf
            if tfidf.shape[0] > SVD_SAMPLE:
                sample = tfidf[np.sort(rng.choice(tfidf.shape[0], SVD_SAMPLE, replace=False))]
            k = max(1, min(self.text_components, min(sample.shape) - 1))
            self.svd_ = TruncatedSVD(n_components=k, n_iter=3, random_state=self.random_state).fit(
                sample
            )
        return tfidf

    def transform(self, profiles: Sequence[Profile], side: str) -> SideFeatures:
        """Features of ``profiles`` as mentees (``side="mentee"``) or mentors (``"mentor"``)."""
        return self._transform(profiles, side, None)

    def _transform(self, profiles: Sequence[Profile], side: str, tfidf: Any) -> SideFeatures:
        if side not in ("mentee", "mentor"):
            raise ValueError("side must be 'mentee' or 'mentor'")
        mentee = side == "mentee"
        n = len(profiles)
        tags = np.zeros((n, len(self.tag_vocabulary_)), dtype=np.float32)
        vocab = self.tag_vocabulary_
        width = tags.shape[1]
        if mentee:
            # Each need at the weight of its strongest reason: a goal's weight for the tag, a
            # targeted certification, or a tool the mentee wants to get better at.
            needs = self.goal_needs or {}
            cells: list[int] = []
            weights: list[float] = []
            for r, p in enumerate(profiles):
                for goal in p.goals:
                    for tag, weight in needs.get(goal, {}).items():
                        if tag in vocab:
                            cells.append(r * width + vocab[tag])
                            weights.append(weight)
                for tag in p.certifications_target:
                    if tag in vocab:
                        cells.append(r * width + vocab[tag])
                        weights.append(TARGET_WEIGHT)
                for tag in p.tools:
                    if tag in vocab:
                        cells.append(r * width + vocab[tag])
                        weights.append(TOOL_NEED_WEIGHT)
            np.maximum.at(
                tags.ravel(), np.array(cells, dtype=np.int64), np.array(weights, np.float32)
            )
        else:
            offered = [
                r * width + vocab[tag]
                for r, p in enumerate(profiles)
                for tag in (*p.skills, *p.certifications_held, *p.tools)
                if tag in vocab
            ]
            tags.ravel()[np.array(offered, dtype=np.int64)] = 1.0
        if mentee:
            tags *= self.idf_
            tags = _rows_sum_to_one(tags)
        certs = _onehot(
            [p.certifications_target if mentee else p.certifications_held for p in profiles],
            self.cert_vocabulary_,
        )
        tools = _onehot([p.tools for p in profiles], self.tool_vocabulary_)
        if mentee:
            certs, tools = _rows_sum_to_one(certs), _rows_sum_to_one(tools)
        industries = _onehot([p.industries for p in profiles], self.industry_vocabulary_)
        if mentee:
            industries = _rows_sum_to_one(industries)
        # scikit-learn refuses empty input: an empty side (no mentors, no mentees) gets 0 rows.
        if n:
            roles, inverse = _distinct([p.role for p in profiles])
            tfidf_roles = self.role_idf_.transform(self.role_counter_.transform(roles))
            role = np.asarray(normalize(tfidf_roles).toarray(), dtype=np.float32)[inverse]
        else:
            role = np.zeros((0, len(self.role_counter_.vocabulary_)), dtype=np.float32)
        if self.text_model_ is not None and self.svd_ is not None:
            if n:
                if tfidf is None:
                    tfidf = self.text_model_.transform([p.text for p in profiles])
                text = normalize(self.svd_.transform(tfidf)).astype(np.float32)
            else:
                text = np.zeros((0, self.svd_.n_components), dtype=np.float32)
        else:
            text = np.zeros((n, 1), dtype=np.float32)
        slots = _slot_matrix([p.availability for p in profiles])
        return SideFeatures(
            tags=tags,
            certs=certs,
            tools=tools,
            industries=industries,
            role=role,
            text=np.ascontiguousarray(text, dtype=np.float32),
            years=np.array([p.years_experience for p in profiles], dtype=np.float32),
            slots=slots,
            employer=np.array(
                [self.employer_vocabulary_.get(p.employer, 0) for p in profiles], dtype=np.int64
            ),
            language_onehot=_onehot([p.languages for p in profiles], self.language_vocabulary_),
        )


def _distinct(texts: Sequence[str]) -> tuple[list[str], IntArray]:
    """The distinct texts and, for each input, the index of its distinct text."""
    index: dict[str, int] = {}
    inverse = np.fromiter((index.setdefault(t, len(index)) for t in texts), np.int64, len(texts))
    return list(index), inverse


def _vocab(items: object) -> dict[str, int]:
    return {t: i for i, t in enumerate(sorted(set(items)))}  # type: ignore[call-overload]


def _onehot(rows: Sequence[Sequence[str]], vocabulary: Mapping[str, int]) -> FloatArray:
    width = max(1, len(vocabulary))
    out = np.zeros((len(rows), width), dtype=np.float32)
    flat = [
        r * width + vocabulary[x] for r, items in enumerate(rows) for x in items if x in vocabulary
    ]
    out.ravel()[np.array(flat, dtype=np.int64)] = 1.0
    return out


def _rows_sum_to_one(matrix: FloatArray) -> FloatArray:
    sums = matrix.sum(axis=1, keepdims=True)
    out: FloatArray = np.divide(matrix, sums, out=np.zeros_like(matrix), where=sums > 0)
    return out
