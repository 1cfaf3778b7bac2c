"""The side-by-side benchmark's SciPy baseline solves assign's problem exactly."""

from __future__ import annotations

import numpy as np
import pytest

from bench.versus import _value, instance, scipy_dense
from matching import assign


@pytest.mark.parametrize(("n", "m", "density"), [(120, 40, 0.45), (60, 50, 0.1), (30, 40, 0.6)])
def test_scipy_dense_reaches_assigns_optimum(n, m, density):
    scores, capacity = instance(n, m, density, seed=n)
    assert scores.shape == (n, m) and len(capacity) == m and capacity.min() >= 1
    ours, (theirs, _, _) = assign(scores, capacity), scipy_dense(scores, capacity)
    for result in (ours, theirs):
        load = np.bincount(result[result >= 0], minlength=m)
        assert np.all(load <= capacity)
        matched = np.flatnonzero(result >= 0)
        assert np.all(scores[matched, result[matched]] > 0)  # allowed pairs only
    (matched, total), (s_matched, s_total) = _value(ours, scores), _value(theirs, scores)
    assert matched == s_matched
    assert total == pytest.approx(s_total, abs=1e-9)
