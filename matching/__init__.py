"""Kickoff's pure computation core: no I/O, no settings, no clock."""

from matching.assign import assign
from matching.availability import WEEK_MINUTES, overlap_minutes, weekly_intervals
from matching.stable import stable

__all__ = ["WEEK_MINUTES", "assign", "overlap_minutes", "stable", "weekly_intervals"]
