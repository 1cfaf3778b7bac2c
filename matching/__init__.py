"""Kickoff's pure computation core: no I/O, no settings, no clock."""

from matching.availability import WEEK_MINUTES, overlap_minutes, weekly_intervals

__all__ = ["WEEK_MINUTES", "overlap_minutes", "weekly_intervals"]
