"""Run benchmarks and print their figures: `python -m bench [signup ...]`."""

from __future__ import annotations

import importlib
import json
import sys

BENCHMARKS = (
    "matching",
    "signup",
    "introductions",
    "publish",
    "review",
    "charts",
    "import",
    "suggest_quality",
    "suggest_latency",
)
#: Benchmarks whose module is named otherwise (``import`` is a keyword).
MODULES = {"import": "imports"}


def run(names: list[str]) -> None:
    """Run each named benchmark module's ``main()`` and print its figures as JSON."""
    for name in names or list(BENCHMARKS):
        if name not in BENCHMARKS:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")
        module = importlib.import_module(f"bench.{MODULES.get(name, name)}")
        print(json.dumps({"benchmark": name, **module.main()}, indent=2), flush=True)


if __name__ == "__main__":
    run(sys.argv[1:])
