"""Parallel-session scheduling: format-1 instances in, format-1 solutions out.

No Flask and no database: the app (a background job, the `agenda solve` command) hands
a document in and gets a `Result` back. The format is ../shared/standards/schedule/FORMAT.md.

    from conference.scheduling import solve
    result = solve(instance_doc, time_limit=30, seed=0, workers=2)
    result.status, result.objective, result.terms, result.bound, result.solution
"""

from .explain import explain
from .greedy import greedy
from .instance import InstanceError, parse_instance, parse_solution
from .objective import evaluate
from .search import CANCELLED, FEASIBLE, INFEASIBLE, OPTIMAL, Progress, Result, Search, solve

__all__ = [
    "CANCELLED",
    "FEASIBLE",
    "INFEASIBLE",
    "OPTIMAL",
    "InstanceError",
    "Progress",
    "Result",
    "Search",
    "evaluate",
    "explain",
    "greedy",
    "parse_instance",
    "parse_solution",
    "solve",
]
