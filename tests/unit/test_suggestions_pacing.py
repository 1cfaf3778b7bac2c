"""When the worker recomputes everyone's suggestions: none on record, a day since the last, or
a change to the catalogue since it — at once after a short recomputation, and after a long one
not before as long again has passed since it ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.suggestions.refresh import FULL_EVERY, PACE_AFTER, needs_everyone
from service.suggestions.repository import RefreshState

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SEEN = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def state(since: timedelta, took: timedelta | None, changed: bool) -> RefreshState:
    """A run ``since`` after the last recomputation of everyone started, which took ``took``."""
    return RefreshState(
        catalogue_changed_at=SEEN + timedelta(seconds=1) if changed else SEEN,
        everyone_at=T0,
        everyone_catalogue=SEEN,
        now=T0 + since,
        everyone_took=took,
    )


def test_none_on_record_or_a_day_old_recomputes_everyone():
    assert needs_everyone(
        RefreshState(catalogue_changed_at=SEEN, everyone_at=None, everyone_catalogue=None, now=T0)
    )
    assert needs_everyone(state(FULL_EVERY, timedelta(seconds=5), changed=False))
    assert not needs_everyone(state(FULL_EVERY - timedelta(seconds=1), None, changed=False))


def test_after_a_short_recomputation_a_catalogue_change_recomputes_at_once():
    assert needs_everyone(state(timedelta(seconds=1), timedelta(seconds=5), changed=True))
    assert needs_everyone(state(timedelta(seconds=1), PACE_AFTER, changed=True))
    assert needs_everyone(state(timedelta(seconds=1), None, changed=True))
    assert not needs_everyone(state(timedelta(seconds=1), timedelta(seconds=5), changed=False))


def test_after_a_long_one_a_catalogue_change_waits_as_long_again():
    took = timedelta(minutes=13)
    assert not needs_everyone(state(took, took, changed=True))  # it has just ended
    assert not needs_everyone(state(2 * took - timedelta(seconds=1), took, changed=True))
    assert needs_everyone(state(2 * took, took, changed=True))
