"""Matching rounds: run in the worker, reviewed and published by organisers."""
