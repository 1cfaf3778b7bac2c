"""The graph of allowed pairs: every pair that meets the hard constraints, with its score.

A round scores mentees in row blocks. Each block finds its allowed pairs first (a sparse
product of availability slots gives every pair sharing time; language, employer, open places
and organiser-forbidden pairs filter them), then scores only those: the bilinear components
and the text similarity come from two dense products, read at the allowed positions. The
result is a CSR of uint16 mentor indices and uint16 score levels, 4 bytes a pair, so a round
keeps every allowed pair in memory without ever holding the mentees x mentors matrix, and the
optimality certificate can check all of them cheaply in every round.

Scores are kept as levels of 1/65,535: the solver optimises exactly these values, and they are
within 7.7e-6 of the float score of :func:`matching.scoring.score_block`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matching.certificate import AllowedPairs
from matching.features import SLOT_MINUTES, SideFeatures
from matching.profiles import Weights
from matching.scoring import (
    EXPERIENCE_YEARS,
    FULL_OVERLAP_HOURS,
    FusedSides,
    fuse,
    overlap_threshold,
)

IntArray = npt.NDArray[np.int64]
UInt16Array = npt.NDArray[np.uint16]
#: Score levels: a score s in [0, 1] is stored as round(s * SCORE_LEVELS).
SCORE_LEVELS = 65535
#: Columns per group when bounding each row's k-th best score from group maxima.
GROUP = 16


@dataclass(frozen=True)
class PairGraph:
    """Every allowed pair of a round and each mentee's ranked shortlist."""

    pairs: AllowedPairs
    #: Each mentee's best ``shortlist`` allowed mentors as (mentee, mentor) pairs, mentee by
    #: mentee, best first; ties go to the lower mentor index.
    short_rows: IntArray
    short_cols: IntArray
    short_scores: npt.NDArray[np.float64]
    #: Each mentor's best ``mentor_shortlist`` mentees as (mentee, mentor, score), by mentor.
    mentor_best: tuple[IntArray, IntArray, npt.NDArray[np.float64]]

    def seed(self) -> tuple[IntArray, IntArray, npt.NDArray[np.float64]]:
        """Both shortlists as one candidate graph (each pair once) for the solver."""
        rows = np.concatenate([self.short_rows, self.mentor_best[0]])
        cols = np.concatenate([self.short_cols, self.mentor_best[1]])
        scores = np.concatenate([self.short_scores, self.mentor_best[2]])
        _, first = np.unique(rows * (int(cols.max(initial=0)) + 1) + cols, return_index=True)
        first.sort()
        return rows[first], cols[first], scores[first]


def score_levels(scores: npt.ArrayLike) -> UInt16Array:
    """Scores in [0, 1] as uint16 levels of 1/65,535."""
    s = np.clip(np.asarray(scores, dtype=np.float64), 0.0, 1.0)
    return np.rint(s * SCORE_LEVELS).astype(np.uint16)


def _language_words(onehot: npt.NDArray[np.float32]) -> npt.NDArray[np.uint64]:
    """Each person's languages as bit sets in uint64 words."""
    n, k = onehot.shape
    width = (k + 63) // 64 * 64
    bits = np.zeros((n, width), dtype=bool)
    bits[:, :k] = onehot > 0
    packed = np.packbits(bits, axis=1, bitorder="little")
    return np.ascontiguousarray(packed).view(np.uint64).reshape(n, width // 64)


#: Pairs ranked within groups: (group, other index, level), group by group, best first.
_Top = tuple[IntArray, IntArray, UInt16Array]
#: One block's row counts, mentor indices, score levels, shortlists and mentors' best mentees.
_Part = tuple[IntArray, npt.NDArray[np.generic], UInt16Array, _Top, _Top]


class _Builder:
    """Shared read-only state of one build; :meth:`block` runs in worker threads."""

    def __init__(
        self,
        mentees: SideFeatures,
        mentors: SideFeatures,
        weights: Weights,
        min_overlap_hours: float,
        mentor_open: npt.NDArray[np.bool_],
        forbidden: Iterable[tuple[int, int]],
        skip: npt.NDArray[np.bool_],
        shortlist: int,
        mentor_shortlist: int,
    ) -> None:
        self.fe, self.fo = mentees, mentors
        self.n, self.m = len(mentees.years), len(mentors.years)
        self.w = weights.normalised()
        self.fused: FusedSides = fuse(mentees, mentors, weights)
        self.text_t = np.ascontiguousarray(mentors.text.T)
        self.slots_e = sp.csr_matrix(mentees.slots)
        self.slots_o_t = sp.csr_matrix(mentors.slots.T)
        self.threshold = overlap_threshold(min_overlap_hours)
        self.lang_e = _language_words(mentees.language_onehot)
        self.lang_o = _language_words(mentors.language_onehot)
        self.mentor_open = mentor_open
        self.skip = skip
        keys = sorted({int(i) * self.m + int(j) for i, j in forbidden})
        self.forbidden_keys = np.asarray(keys, dtype=np.int64)
        self.forbidden_rows = np.zeros(self.n, dtype=bool)
        self.forbidden_rows[self.forbidden_keys // max(self.m, 1)] = True
        self.k = shortlist
        self.k_mentor = mentor_shortlist
        self.col_dtype = np.uint16 if self.m <= 1 << 16 else np.int64

    def _overlapping(self, lo: int, hi: int) -> tuple[IntArray, IntArray, npt.NDArray[np.float32]]:
        """(local row, mentor, overlap hours) of every pair with enough time in common."""
        hours = np.float32(SLOT_MINUTES / 60)
        product = self.slots_e[lo:hi] @ self.slots_o_t
        if self.threshold <= 0:
            # No minimum: pairs without any common slot are allowed too.
            dense = np.asarray(product.toarray(), dtype=np.float32) * hours
            r, c = np.divmod(np.arange(dense.size, dtype=np.int64), self.m)
            return r, c, dense.ravel()
        overlap = product.data.astype(np.float32) * hours
        keep = overlap >= self.threshold
        # Rows of the kept entries from per-row counts: cheaper than filtering a row array.
        prefix = np.zeros(len(keep) + 1, dtype=np.int64)
        np.cumsum(keep, out=prefix[1:])
        counts = np.diff(prefix[product.indptr])
        r = np.repeat(np.arange(hi - lo, dtype=np.int64), counts)
        return r, product.indices[keep].astype(np.int64), overlap[keep]

    def block(self, lo: int, hi: int) -> _Part:
        """Allowed pairs of mentees ``lo..hi-1``: row counts, mentors, levels, shortlist."""
        r, c, overlap = self._overlapping(lo, hi)
        ok = self.mentor_open[c] & ~self.skip[lo + r]
        words = self.lang_e[lo + r] & self.lang_o[c]
        ok &= words.any(axis=1)
        emp = self.fe.employer[lo + r]
        ok &= (emp == 0) | (emp != self.fo.employer[c])
        flagged = np.flatnonzero(ok & self.forbidden_rows[lo + r])
        if len(flagged):
            keys = (lo + r[flagged]) * self.m + c[flagged]
            ok[flagged[np.isin(keys, self.forbidden_keys)]] = False
        r, c, overlap = r[ok], c[ok], overlap[ok]
        flat = r * self.m + c
        # The same float32 arithmetic as score_block, at the allowed positions only.
        fused = self.fused
        scores = (fused.mentee[lo:hi] @ fused.mentor).ravel().take(flat)
        scores += fused.experience[
            fused.mentee_years[lo + r] * EXPERIENCE_YEARS + fused.mentor_years[c]
        ]
        if self.w["availability"]:
            avail = np.minimum(overlap / FULL_OVERLAP_HOURS, 1.0)
            scores += np.float32(self.w["availability"]) * avail
        if self.w["text"]:
            text = (self.fe.text[lo:hi] @ self.text_t).ravel().take(flat)
            np.maximum(text, 0.0, out=text)
            scores += np.float32(self.w["text"]) * text
        np.clip(scores, 0.0, 1.0, out=scores)
        levels = np.rint(scores * np.float32(SCORE_LEVELS)).astype(np.uint16)
        counts = np.bincount(r, minlength=hi - lo).astype(np.int64)
        short, best = self._best(hi - lo, r, c, levels)
        short = (short[0] + lo, short[1], short[2])
        best = (best[0], best[1] + lo, best[2])
        return counts, c.astype(self.col_dtype), levels, short, best

    def _best(self, rows: int, r: IntArray, c: IntArray, levels: UInt16Array) -> tuple[_Top, _Top]:
        """Each row's ``k`` best pairs and each column's ``k_mentor`` best, ranked.

        The k-th largest maximum of a row's groups of GROUP columns is a lower bound on its
        k-th best score (and likewise for columns), so only the pairs reaching it are sorted.
        """
        gr, gc = (rows + GROUP - 1) // GROUP, (self.m + GROUP - 1) // GROUP
        dense = np.zeros((gr * GROUP, gc * GROUP), dtype=np.uint16)
        dense[r, c] = levels
        row_max = _group_max(dense[:rows])
        short = _ranked(r, c, levels, _kth_largest(row_max, self.k, axis=1), self.k)
        col_max = dense.reshape(gr, GROUP, gc * GROUP).max(axis=1)[:, : self.m]
        bound = _kth_largest(col_max, self.k_mentor, axis=0)
        return short, _ranked(c, r, levels, bound, self.k_mentor)


def _group_max(values: UInt16Array) -> UInt16Array:
    """Maxima of consecutive groups of GROUP columns, by halving (a max over a short last axis
    is several times slower than elementwise maxima of strided halves)."""
    out = values
    width = GROUP
    while width > 1:
        out = np.maximum(out[:, 0::2], out[:, 1::2])
        width //= 2
    return out


def _kth_largest(values: UInt16Array, k: int, axis: int) -> UInt16Array:
    """The k-th largest value along ``axis`` (0 where there are fewer than k)."""
    size = values.shape[axis]
    if k <= 0 or size < k:
        return np.zeros(values.shape[1 - axis], dtype=np.uint16)
    out: UInt16Array = np.take(np.partition(values, size - k, axis=axis), size - k, axis=axis)
    return out


def _ranked(
    group: IntArray, other: IntArray, levels: UInt16Array, bound: UInt16Array, k: int
) -> _Top:
    """Each group's ``k`` best pairs among those reaching its bound: level down, index up."""
    if k <= 0 or len(group) == 0:
        return group[:0], other[:0], levels[:0]
    keep = np.flatnonzero(levels >= bound[group])
    g, o, lv = group[keep], other[keep], levels[keep]
    if len(g) and max(int(g.max()), int(o.max())) < 1 << 24:
        # One uint64 key sorts ~10x faster than a three-key lexsort.
        key = (
            (g.astype(np.uint64) << np.uint64(40))
            | ((SCORE_LEVELS - lv).astype(np.uint64) << np.uint64(24))
            | o.astype(np.uint64)
        )
        key.sort()
        g = (key >> np.uint64(40)).astype(np.int64)
        lv = (SCORE_LEVELS - ((key >> np.uint64(24)) & np.uint64(0xFFFF))).astype(np.uint16)
        o = (key & np.uint64(0xFFFFFF)).astype(np.int64)
    else:
        order = np.lexsort((o, SCORE_LEVELS - lv.astype(np.int64), g))
        g, o, lv = g[order], o[order], lv[order]
    first = np.searchsorted(g, g, side="left")
    sel = (np.arange(len(g)) - first) < k
    return g[sel], o[sel], lv[sel]


def build_graph(
    mentees: SideFeatures,
    mentors: SideFeatures,
    weights: Weights,
    min_overlap_hours: float,
    *,
    mentor_open: npt.ArrayLike | None = None,
    forbidden: Iterable[tuple[int, int]] = (),
    skip: npt.ArrayLike | None = None,
    shortlist: int = 20,
    mentor_shortlist: int = 5,
    chunk: int = 1024,
    n_jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PairGraph:
    """Score every allowed pair, block by block, into a :class:`PairGraph`.

    Parameters
    ----------
    mentees, mentors : SideFeatures
        From :meth:`ProfileVectorizer.transform`.
    weights : Weights
        Component weights.
    min_overlap_hours : float
        Pairs with less weekly availability in common are not allowed.
    mentor_open : array_like of bool, optional
        Mentors taking mentees (default: all).
    forbidden : iterable of (mentee, mentor)
        Pairs that are not allowed whatever their score.
    skip : array_like of bool, optional
        Mentees left out of the graph (e.g. pinned ones).
    shortlist : int, default=20
        Length of each mentee's ranked shortlist.
    mentor_shortlist : int, default=5
        How many of each mentor's best mentees to keep (to seed the solver).
    chunk : int, default=1024
        Mentees per block (bounds temporary memory: about 10 bytes x chunk x mentors).
    n_jobs : int, optional
        Threads scoring blocks side by side (default: the number of CPUs).
    progress : callable, optional
        Called as ``progress(blocks_scored, blocks)`` after each block, from the calling
        thread.

    Returns
    -------
    PairGraph
    """
    n, m = len(mentees.years), len(mentors.years)
    open_ = np.ones(m, dtype=bool) if mentor_open is None else np.asarray(mentor_open, dtype=bool)
    skip_ = np.zeros(n, dtype=bool) if skip is None else np.asarray(skip, dtype=bool)
    builder = _Builder(
        mentees,
        mentors,
        weights,
        min_overlap_hours,
        open_,
        forbidden,
        skip_,
        shortlist,
        mentor_shortlist,
    )
    bounds = [(lo, min(lo + chunk, n)) for lo in range(0, n, max(chunk, 1))]
    workers = max(1, n_jobs or os.cpu_count() or 1)
    tick = progress or (lambda done, total: None)
    if m == 0 or not bounds:
        parts: Sequence[_Part] = []
    elif workers == 1 or len(bounds) == 1:
        parts = []
        for lo, hi in bounds:
            parts.append(builder.block(lo, hi))
            tick(len(parts), len(bounds))
    else:
        # numpy, scipy and BLAS release the GIL, so threads use every core without copies.
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(builder.block, lo, hi) for lo, hi in bounds]
            for done, _ in enumerate(as_completed(futures), 1):
                tick(done, len(bounds))
            parts = [f.result() for f in futures]
    counts = np.concatenate([np.zeros(n if not parts else 0, np.int64), *(p[0] for p in parts)])
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    cols = np.concatenate([np.zeros(0, builder.col_dtype), *(p[1] for p in parts)])
    levels = np.concatenate([np.zeros(0, np.uint16), *(p[2] for p in parts)])
    pairs = AllowedPairs(indptr, cols, levels, 1.0 / SCORE_LEVELS)
    short_r = np.concatenate([np.zeros(0, np.int64), *(p[3][0] for p in parts)])
    short_c = np.concatenate([np.zeros(0, np.int64), *(p[3][1] for p in parts)])
    short_l = np.concatenate([np.zeros(0, np.uint16), *(p[3][2] for p in parts)])
    # Each block ranked its own best mentees per mentor; the best of those are the best overall.
    best_c, best_r, best_l = _ranked(
        np.concatenate([np.zeros(0, np.int64), *(p[4][0] for p in parts)]),
        np.concatenate([np.zeros(0, np.int64), *(p[4][1] for p in parts)]),
        np.concatenate([np.zeros(0, np.uint16), *(p[4][2] for p in parts)]),
        np.zeros(m, dtype=np.uint16),
        mentor_shortlist,
    )
    return PairGraph(
        pairs, short_r, short_c, short_l / SCORE_LEVELS, (best_r, best_c, best_l / SCORE_LEVELS)
    )
