"""Round solves in the spawn process pool report their progress back, each to its own round."""

from __future__ import annotations

import asyncio

import numpy as np

from bench.population import goal_needs_from_seed, population
from matching.pipeline import RoundProblem, solve_round
from service.rounds.solver import SolverPool


def _problem(n: int, m: int) -> RoundProblem:
    mentees, mentors, caps = population(n, m)
    # Small blocks and short shortlists: several block and certificate reports.
    return RoundProblem(
        mentees,
        mentors,
        caps,
        goal_needs=goal_needs_from_seed(),
        chunk=64,
        shortlist=2,
        k_mentor=1,
        n_jobs=1,
    )


async def test_every_report_comes_back_in_order_to_its_own_round():
    problems = {"round-a": _problem(300, 100), "round-b": _problem(200, 60)}
    expected = {}
    for name, problem in problems.items():
        reports: list[tuple[float, str]] = []
        result = solve_round(problem, lambda f, msg, into=reports: into.append((f, msg)))
        expected[name] = (result, reports)

    received: dict[str, list[tuple[float, str]]] = {name: [] for name in problems}

    def collector(name: str):
        async def on_progress(fraction: float, message: str) -> None:
            received[name].append((fraction, message))

        return on_progress

    cpu = SolverPool(max_workers=2)
    try:
        outcomes = await asyncio.gather(
            *(cpu.solve(name, p, {}, collector(name)) for name, p in problems.items())
        )
    finally:
        cpu.shutdown()
    for (name, (in_process, reports)), (result, reasons) in zip(
        expected.items(), outcomes, strict=True
    ):
        # Same reports as the same solve run in this process, none of the other round's.
        assert received[name] == reports
        assert len(reports) > 8 and reports[-1] == (1.0, "done")
        assert np.array_equal(result.assignment, in_process.assignment)
        assert len(reasons) == len(result.matches)
