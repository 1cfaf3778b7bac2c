"""Mentee-proposing deferred acceptance with mentor capacities (hospitals/residents).

Preferences are held as arrays (:class:`Preferences`), and deferred acceptance runs in
parallel rounds: every free mentee proposes to their next choice at once, and each mentor
keeps the best proposals up to capacity. The outcome of deferred acceptance does not depend
on the order of proposals (McVitie and Wilson, 1970), so this is the mentee-optimal stable
matching, computed with array operations instead of one proposal at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def _csr(lists: Sequence[Sequence[int]]) -> tuple[IntArray, IntArray]:
    lengths = np.array([len(x) for x in lists], dtype=np.int64)
    indptr = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    flat = np.fromiter((int(v) for x in lists for v in x), dtype=np.int64, count=int(indptr[-1]))
    return indptr, flat


@dataclass(frozen=True)
class Preferences:
    """Ranked lists of both sides as CSR arrays.

    Mentee ``i`` ranks ``mentors[indptr[i]:indptr[i + 1]]`` (best first) and mentor ``j``
    ranks ``mentees[mentor_indptr[j]:mentor_indptr[j + 1]]``. A pair is acceptable only if
    each lists the other.
    """

    indptr: IntArray
    mentors: IntArray
    mentor_indptr: IntArray
    mentees: IntArray
    #: The mentor's rank of the mentee in each entry of ``mentors`` (-1: not listed); derived
    #: from the lists when not given.
    given_entry_rank: IntArray | None = None

    @classmethod
    def from_lists(
        cls, mentee_prefs: Sequence[Sequence[int]], mentor_prefs: Sequence[Sequence[int]]
    ) -> Preferences:
        """From ranked index lists, one per mentee and one per mentor."""
        indptr, mentors = _csr(mentee_prefs)
        mentor_indptr, mentees = _csr(mentor_prefs)
        return cls(indptr, mentors, mentor_indptr, mentees)

    @classmethod
    def from_scores(
        cls, n: int, m: int, rows: IntArray, cols: IntArray, scores: FloatArray
    ) -> Preferences:
        """Both sides rank the same pairs by score (ties: lower index first)."""
        order = _ranking(rows, scores, cols)
        by_mentor = _ranking(cols, scores, rows)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        mentor_indptr = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(np.bincount(cols, minlength=m), out=mentor_indptr[1:])
        # Every pair is on both lists: its mentor rank is its place in the mentor's ordering.
        rank = np.empty(len(rows), dtype=np.int64)
        rank[by_mentor] = np.arange(len(rows)) - mentor_indptr[cols[by_mentor]]
        return cls(indptr, cols[order], mentor_indptr, rows[by_mentor], rank[order])

    @property
    def n_mentees(self) -> int:
        """Number of mentees."""
        return len(self.indptr) - 1

    @property
    def n_mentors(self) -> int:
        """Number of mentors."""
        return len(self.mentor_indptr) - 1

    def mentee_rows(self) -> IntArray:
        """The mentee of each entry of ``mentors``."""
        return np.repeat(np.arange(self.n_mentees), np.diff(self.indptr))

    @cached_property
    def entry_rank(self) -> IntArray:
        """The mentor's rank of the mentee in each entry of ``mentors`` (-1: not listed)."""
        if self.given_entry_rank is not None:
            return self.given_entry_rank
        return self.mentor_rank(self.mentee_rows(), self.mentors)

    @cached_property
    def _mentor_keys(self) -> tuple[IntArray, IntArray]:
        """Sorted (mentor, mentee) keys of the mentors' lists and the rank of each."""
        n = max(self.n_mentees, 1)
        owner = np.repeat(np.arange(self.n_mentors), np.diff(self.mentor_indptr))
        keys = owner * n + self.mentees
        rank = np.arange(len(keys)) - self.mentor_indptr[owner]
        order = np.argsort(keys, kind="stable")
        return keys[order], rank[order]

    def mentor_rank(self, mentees: IntArray, mentors: IntArray) -> IntArray:
        """Each mentor's rank of the given mentee (0 = best), or -1 if not listed."""
        keys, rank = self._mentor_keys
        want = mentors * max(self.n_mentees, 1) + mentees
        if len(keys) == 0:
            return np.full(len(want), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
        return np.where(keys[at] == want, rank[at], -1)


def _ranking(group: IntArray, scores: FloatArray, other: IntArray) -> IntArray:
    """Order by ``group``, then score (high first), then ``other``: a lexsort, but faster.

    Scores become dense integer ranks so that group and score fit one uint64 key; stable
    sorts after ordering by ``other`` keep ties in index order.
    """
    pre = np.argsort(other, kind="stable")
    levels, inverse = np.unique(scores[pre], return_inverse=True)
    key = (group[pre].astype(np.uint64) << np.uint64(32)) | (
        len(levels) - 1 - inverse.astype(np.int64)
    ).astype(np.uint64)
    out: IntArray = pre[np.argsort(key, kind="stable")]
    return out


def _check_capacity(capacity: npt.ArrayLike, m: int) -> IntArray:
    cap = np.asarray(capacity, dtype=np.int64)
    if cap.shape != (m,):
        raise ValueError(f"capacity has shape {cap.shape}, expected ({m},)")
    if np.any(cap < 0):
        raise ValueError("capacity must be non-negative")
    return cap


def deferred_acceptance(prefs: Preferences, capacity: npt.ArrayLike) -> IntArray:
    """Mentee-optimal stable matching of :class:`Preferences` (see :func:`stable`)."""
    n, m = prefs.n_mentees, prefs.n_mentors
    cap = _check_capacity(capacity, m)
    rank = prefs.entry_rank
    # Proposals a mentor would refuse anyway (not listed, no places) are skipped up front.
    acceptable = (rank >= 0) & (cap[prefs.mentors] > 0)
    held = np.full(n, -1, dtype=np.int64)  # the entry each mentee currently holds
    nxt = prefs.indptr[:-1].copy()
    end = prefs.indptr[1:]
    free = np.flatnonzero(nxt < end)
    hold_mask = np.zeros(m, dtype=bool)
    while len(free):
        entries = nxt[free]
        nxt[free] += 1
        ok = acceptable[entries]
        proposers, entries = free[ok], entries[ok]
        waiting = free[~ok]
        rejected = proposers[:0]
        if len(entries):
            targets = prefs.mentors[entries]
            hold_mask[:] = False
            hold_mask[targets] = True
            holders = np.flatnonzero(held >= 0)
            holders = holders[hold_mask[prefs.mentors[held[holders]]]]
            who = np.concatenate([holders, proposers])
            what = np.concatenate([held[holders], entries])
            j = prefs.mentors[what]
            order = np.lexsort((rank[what], j))
            j_sorted = j[order]
            place = np.arange(len(order)) - np.searchsorted(j_sorted, j_sorted, side="left")
            accept = place < cap[j_sorted]
            held[who[order[~accept]]] = -1
            held[who[order[accept]]] = what[order[accept]]
            rejected = who[order[~accept]]
        free = np.concatenate([waiting, rejected])
        free = free[nxt[free] < end[free]]
    out = np.full(n, -1, dtype=np.int64)
    matched = held >= 0
    out[matched] = prefs.mentors[held[matched]]
    return out


def blocking_entries(
    prefs: Preferences, assignment: npt.ArrayLike, capacity: npt.ArrayLike
) -> IntArray:
    """Entries of the mentees' lists that are blocking pairs of ``assignment``."""
    match = np.asarray(assignment, dtype=np.int64)
    m = prefs.n_mentors
    cap = _check_capacity(capacity, m)
    rows = prefs.mentee_rows()
    local = np.arange(len(rows)) - prefs.indptr[rows]
    # Mentors after the current partner are worse for the mentee (all listed ones are better
    # than being unmatched, or than a partner the mentee did not list).
    partner_at = np.diff(prefs.indptr)
    current = np.flatnonzero(prefs.mentors == match[rows])
    partner_at[rows[current]] = local[current]
    wants = local < partner_at[rows]
    matched = np.flatnonzero(match >= 0)
    load = np.bincount(match[matched], minlength=m)
    mentor_len = np.diff(prefs.mentor_indptr)
    held_rank = prefs.mentor_rank(matched, match[matched])
    held_rank = np.where(held_rank < 0, mentor_len[match[matched]], held_rank)
    worst = np.full(m, -1, dtype=np.int64)
    np.maximum.at(worst, match[matched], held_rank)
    rank = prefs.entry_rank
    j = prefs.mentors
    blocking = wants & (rank >= 0) & ((load[j] < cap[j]) | (rank < worst[j]))
    return np.flatnonzero(blocking)


def stable(
    mentee_prefs: Sequence[Sequence[int]],
    mentor_prefs: Sequence[Sequence[int]],
    capacity: npt.ArrayLike,
) -> IntArray:
    """Mentee-optimal stable matching with capacities.

    Parameters
    ----------
    mentee_prefs : sequence of sequences of int
        ``mentee_prefs[i]`` lists the mentors mentee ``i`` accepts, best first.
    mentor_prefs : sequence of sequences of int
        ``mentor_prefs[j]`` lists the mentees mentor ``j`` accepts, best first. A pair is
        acceptable only if each lists the other.
    capacity : array_like of int
        Maximum number of mentees per mentor.

    Returns
    -------
    numpy.ndarray of int64
        Per mentee, the mentor index or -1. The result has no blocking pair and every mentee
        gets the best mentor they can have in any stable matching (Gale and Shapley, 1962;
        Roth, 1984 for the capacitated case).
    """
    return deferred_acceptance(Preferences.from_lists(mentee_prefs, mentor_prefs), capacity)


def blocking_pairs(
    assignment: npt.ArrayLike,
    mentee_prefs: Sequence[Sequence[int]],
    mentor_prefs: Sequence[Sequence[int]],
    capacity: npt.ArrayLike,
) -> list[tuple[int, int]]:
    """Pairs that would both rather be together than with what ``assignment`` gives them.

    Parameters
    ----------
    assignment : array_like of int
        Per mentee, the mentor index or -1.
    mentee_prefs, mentor_prefs, capacity
        As for :func:`stable`.

    Returns
    -------
    list of (mentee, mentor)
        Every blocking pair; empty for a stable matching.
    """
    prefs = Preferences.from_lists(mentee_prefs, mentor_prefs)
    entries = blocking_entries(prefs, assignment, capacity)
    rows = prefs.mentee_rows()
    return [(int(i), int(j)) for i, j in zip(rows[entries], prefs.mentors[entries], strict=True)]
