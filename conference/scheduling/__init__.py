"""Parallel-session scheduling: format-1 instances in, format-1 solutions out.

No Flask and no database: the app (a background job, the `agenda solve` command) hands
a document in and gets a `Result` back. The format is ../shared/standards/schedule/FORMAT.md.

    from conference.scheduling import solve
    result = solve(instance_doc, time_limit=30, seed=0, workers=2)
    result.status, result.objective, result.terms, result.bound, result.solution

The names below are imported when first used, so that the annealing helper processes
(local.py) start without loading CP-SAT. The baseline and the explanations are in their
modules: `greedy.greedy`, `explain.explain`.
"""

import importlib

_EXPORTS = {
    "CANCELLED": "search",
    "FEASIBLE": "search",
    "INFEASIBLE": "search",
    "OPTIMAL": "search",
    "Progress": "search",
    "Result": "search",
    "Search": "search",
    "solve": "search",
    "InstanceError": "instance",
    "parse_instance": "instance",
    "parse_solution": "instance",
    "evaluate": "objective",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
