"""The search: a first valid schedule at once, then better ones until the time is up.

1. The quick checks of feasibility.py: an instance that cannot have a valid schedule is
   answered in words before any search.
2. A first schedule: the previous one where it still fits when there is one (a re-plan),
   else the greedy baseline's first fit. Talks left without a place are placed by CP-SAT
   around the others (then with their tracks' and presenters' talks freed too, then all
   of them), which also proves when no schedule exists, and says why.
3. Simulated annealing (local.py) from there until the time limit: thousands of exactly
   scored moves a second, the temperature falling with the time (or the work) used; one
   chain here and one in each of `workers - 1` helper processes, the best one wins.
4. A small event (at most `WHOLE_MODEL_TALKS` talks) is then handed to CP-SAT whole,
   from the best schedule, which may prove it optimal.

The bound is feasibility.lower_bound (what no schedule avoids), or CP-SAT's when it ran
on the whole problem. docs/decisions/0004-schedule-solver.md says why this shape.
"""

from __future__ import annotations

import math
import multiprocessing
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from . import feasibility
from .greedy import first_fit
from .instance import Instance, parse_instance, parse_solution
from .local import REPORT_EVERY, Budget, Chain, helper_chain
from .model import Session, build
from .objective import Assignment, evaluate, solution_document

OPTIMAL, FEASIBLE, INFEASIBLE, CANCELLED = "optimal", "feasible", "infeasible", "cancelled"
WHOLE_MODEL_TALKS = 16  # CP-SAT on the whole problem can prove optimality up to about here
TEMPERATURE = (8.0, 0.3)  # annealing from, to; in units of one attendee conflict
MOVES_PER_WORK = 1000  # work_limit counts thousands of moves (plus CP-SAT's time)


@dataclass
class Progress:
    """A better schedule, as reported to `on_progress`."""

    seconds: float
    objective: int
    terms: dict[str, int]
    bound: int | None


@dataclass
class Result:
    """What a solve found. `solution` is a format-1 solution document (None when no
    valid schedule was found); `reasons` says in words why there is none."""

    status: str  # optimal, feasible, infeasible, cancelled
    solution: dict | None
    objective: int | None
    terms: dict[str, int] | None
    bound: int | None
    seconds: float
    first_solution_seconds: float | None
    reasons: list[str] = field(default_factory=list)
    moves: int = 0


class _Cancelled(Exception):
    pass


class Search:
    """One solve: `run` once; `stop` from any thread at any time."""

    def __init__(
        self,
        instance: Instance | dict,
        *,
        previous: dict | list | None = None,
        seed: int = 0,
        workers: int = 2,
        on_progress: Callable[[Progress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ):
        inst = instance if isinstance(instance, Instance) else parse_instance(instance)
        if previous is not None:
            placements = (
                parse_solution(previous, where="previous")
                if isinstance(previous, dict)
                else [tuple(p) for p in previous]
            )
            inst = inst.with_previous(placements)
        self.inst = inst
        self.seed = seed
        self.workers = max(1, int(workers))
        self.on_progress = on_progress
        self.should_stop = should_stop
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._solvers: set[cp_model.CpSolver] = set()

    # -- stopping -------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop as soon as possible; `run` then returns the best schedule found so far."""
        self._stopped.set()
        with self._lock:
            for solver in self._solvers:
                solver.stop_search()

    def _watch(self, done: threading.Event) -> None:
        while not done.wait(0.05):
            if self.should_stop():
                self.stop()
                return

    def _check(self) -> None:
        if self._stopped.is_set():
            raise _Cancelled

    # -- the budget -----------------------------------------------------------------------

    def _elapsed(self) -> float:
        return time.perf_counter() - self.started

    def _used(self) -> float:
        """The share of the budget used, 0 to 1: of the work limit when there is one (so
        that the search does not depend on the machine), else of the time."""
        if self.work_limit is not None:
            return min(1.0, self.work / self.work_limit)
        return min(1.0, self._elapsed() / self.time_limit) if self.time_limit > 0 else 1.0

    def _out_of_budget(self) -> bool:
        if self._elapsed() >= self.time_limit:
            return True
        return self.work_limit is not None and self.work >= self.work_limit

    # -- running ----------------------------------------------------------------------------

    def run(self, time_limit: float, work_limit: float | None = None) -> Result:
        """Search for at most `time_limit` seconds, and at most `work_limit` units of work
        when given (a thousand moves, or a second of CP-SAT's deterministic time)."""
        self.started = time.perf_counter()
        self.time_limit = max(0.0, float(time_limit))
        self.work_limit = work_limit
        self.work = 0.0
        self.moves = 0
        self.best: Assignment | None = None
        self.best_value: int | None = None
        self.best_terms: dict[str, int] | None = None
        self.first_seconds: float | None = None
        self.last_report = -math.inf
        self.reported: int | None = None
        self.proven = False
        self.bound = feasibility.lower_bound(self.inst)
        if self.should_stop is not None and self.should_stop():
            self._stopped.set()
            return self._result(CANCELLED)
        done = threading.Event()
        if self.should_stop is not None:
            threading.Thread(target=self._watch, args=(done,), daemon=True).start()
        try:
            reasons = feasibility.diagnose(self.inst)
            if reasons:
                return self._result(INFEASIBLE, reasons)
            self._check()
            reasons = self._first()
            if reasons:
                return self._result(INFEASIBLE, reasons)
            small = self.inst.n_talks <= WHOLE_MODEL_TALKS
            self._anneal(share=0.1 if small else 1.0)
            if small and not self.proven:
                self._whole()
        except _Cancelled:
            pass
        finally:
            done.set()
        self._report(force=True)
        if self._stopped.is_set():
            return self._result(CANCELLED)
        return self._result(OPTIMAL if self.proven else FEASIBLE)

    def _result(self, status: str, reasons: list[str] | None = None) -> Result:
        solution = None
        if self.best is not None:
            stats = {
                "objective": self.best_value,
                "bound": self.bound,
                "seconds": round(self._elapsed(), 3),
                "first_feasible_seconds": round(self.first_seconds, 3),
            }
            solution = solution_document(self.inst, self.best, stats)
        return Result(
            status=status,
            solution=solution,
            objective=self.best_value,
            terms=self.best_terms,
            bound=None if status == INFEASIBLE else self.bound,
            seconds=self._elapsed(),
            first_solution_seconds=self.first_seconds,
            reasons=reasons or [],
            moves=self.moves,
        )

    def _offer(self, assign: Assignment, value: int | None = None) -> None:
        """Keep `assign` if it is better than the best (or the first)."""
        if value is None:
            value = evaluate(self.inst, assign)[1]
        if self.best_value is not None and value >= self.best_value:
            return
        self.best, self.best_value, self.best_terms = list(assign), value, None
        if self.first_seconds is None:
            self.first_seconds = self._elapsed()
        if self.bound is not None and value <= self.bound:
            self.proven = True
        self._report()

    def _report(self, force: bool = False) -> None:
        """Tell `on_progress` about the best schedule, at most every REPORT_EVERY s."""
        if self.best is None:
            return
        now = self._elapsed()
        if not force and now - self.last_report < REPORT_EVERY:
            return
        if self.best_terms is None:
            self.best_terms = evaluate(self.inst, self.best)[0]
        if self.on_progress is not None and self.reported != self.best_value:
            self.on_progress(Progress(now, self.best_value, dict(self.best_terms), self.bound))
        self.last_report, self.reported = now, self.best_value

    # -- CP-SAT -----------------------------------------------------------------------------

    def _cp_sat(self, sub, *, seconds: float, first_only: bool = False, improving=None):
        """Solve a CP-SAT model with the search's seed and budget; stoppable. Finding a
        schedule is done on one thread without the LP (measured fastest on tight events);
        optimising uses `workers` threads, interleaved so that the search is the same."""
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.random_seed = self.seed
        params.max_time_in_seconds = max(0.01, seconds)
        if self.work_limit is not None:
            params.max_deterministic_time = max(0.01, self.work_limit - self.work)
        if first_only:
            params.num_workers = 1
            params.linearization_level = 0
            params.stop_after_first_solution = True
        else:
            params.num_workers = self.workers
            params.interleave_search = self.workers > 1
        with self._lock:
            if self._stopped.is_set():
                raise _Cancelled
            self._solvers.add(solver)
        try:
            status = solver.solve(sub.model, improving)
        finally:
            with self._lock:
                self._solvers.discard(solver)
        self.work += solver.deterministic_time
        self._check()
        return solver, status

    def _first(self) -> list[str]:
        """A first valid schedule; the reasons when there is none."""
        start = self._kept_previous() if self.inst.previous else first_fit(self.inst)
        loose = [t for t, s in enumerate(start) if s is None]
        if not loose:
            self._offer(start)
            return []
        # Re-place the loose talks around the others; if that cannot be done, free their
        # tracks' and presenters' talks too; then everything.
        inst = self.inst
        related = set(loose)
        for t in loose:
            related.update(inst.track_talks[inst.talk_track[t]])
            for p in inst.talk_people[t]:
                related.update(inst.person_talks[p])
        replan = bool(inst.previous)  # then where the loose talks go matters (moves)
        for free in (loose, sorted(related)):
            sub = build(inst, start, free, objective=replan)
            if sub.infeasible_talk is not None:
                continue
            left = self.time_limit - self._elapsed()
            solver, status = self._cp_sat(sub, seconds=min(left / 3, 30.0), first_only=not replan)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                self._offer(sub.assignment(solver, start))
                return []
        return self._whole(first_only=True)

    def _kept_previous(self) -> list[Session | None]:
        """The previous schedule without the talks that no longer fit where they were
        (fixed talks first; None for a talk to re-place)."""
        inst = self.inst
        base: list[Session | None] = [None] * inst.n_talks
        minutes: dict[Session, int] = defaultdict(int)
        track: dict[Session, int] = {}
        person_room: dict[tuple[int, int], int] = {}
        fixed = [t for t in range(inst.n_talks) if inst.talk_fixed[t] is not None]
        for t in fixed + sorted(inst.previous):
            if base[t] is not None:
                continue
            if inst.talk_fixed[t] is not None:
                b, r = inst.talk_fixed[t]
            else:
                bid, rid = inst.previous[t]
                if bid not in inst.block_index or rid not in inst.room_index:
                    continue
                b, r = inst.block_index[bid], inst.room_index[rid]
            k = inst.talk_track[t]
            if (
                not inst.allowed(t, b, r)
                or minutes[b, r] + inst.talk_minutes[t] > inst.block_minutes[b]
                or (not inst.mixed_sessions and track.get((b, r), k) != k)
                or any(person_room.get((p, b), r) != r for p in inst.talk_people[t])
            ):
                continue
            base[t] = (b, r)
            minutes[b, r] += inst.talk_minutes[t]
            track[b, r] = k
            for p in inst.talk_people[t]:
                person_room[p, b] = r
        return base

    def _whole(self, first_only: bool = False) -> list[str]:
        """CP-SAT on the whole problem, from the best schedule if there is one; the
        reasons when it proves that there is none."""
        inst = self.inst
        sub = build(inst, self.best, list(range(inst.n_talks)), objective=not first_only)
        if sub.infeasible_talk is not None:
            return feasibility.explain_infeasible(inst, [sub.infeasible_talk])
        search = self

        class Improving(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self):
                search._offer(sub.solution_assignment(self, search.best))

        left = self.time_limit - self._elapsed()
        solver, status = self._cp_sat(
            sub, seconds=left, first_only=first_only, improving=Improving()
        )
        if status == cp_model.INFEASIBLE:
            return feasibility.explain_infeasible(inst, None, seconds=max(1.0, left / 2))
        if status == cp_model.OPTIMAL and not first_only:
            self.proven = True
            self.bound = self.best_value
        elif status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and not first_only:
            self.bound = max(self.bound, math.ceil(solver.best_objective_bound + sub.offset - 1e-6))
        if self.best is None:
            return [
                "No valid schedule was found within the time limit, and none was proven "
                "impossible either: try a longer time limit."
            ]
        return []

    # -- annealing --------------------------------------------------------------------------

    def _anneal(self, share: float) -> None:
        """Anneal from the best schedule until `share` of the budget is used: one chain
        here and one in each of `workers - 1` helper processes (Python runs one chain
        per process at a time), each from its own seed; the best of them wins."""
        if self.best is None or self.proven:
            return
        inst = self.inst
        weights = [
            w for w in (inst.weights["attendee_conflict"], inst.weights["capacity_overflow"]) if w
        ]
        unit = min(weights) if weights else max(1, max(inst.weights.values()))
        temperatures = (unit * TEMPERATURE[0], unit * TEMPERATURE[1])
        moves = None
        if self.work_limit is not None:
            moves = max(0, round((self.work_limit - self.work) * MOVES_PER_WORK * share))
        budget = Budget(
            started=time.monotonic(),
            seconds=max(0.0, self.time_limit * share - self._elapsed()),
            moves=moves,
        )
        helpers = []
        self.finals: dict[int, tuple[int, int, Assignment]] = {}
        if self.workers > 1 and inst.n_talks > WHOLE_MODEL_TALKS:
            helpers = self._start_helpers(budget, temperatures)
        try:
            chain = Chain(inst, self.best, self.seed, budget, *temperatures)
            counted = 0

            def tick(chain: Chain) -> bool:
                nonlocal counted
                self.moves += chain.moves - counted
                if self.work_limit is not None:
                    self.work += (chain.moves - counted) / MOVES_PER_WORK
                counted = chain.moves
                if chain.best_value < self.best_value:
                    self.best, self.best_value, self.best_terms = (
                        list(chain.best),
                        chain.best_value,
                        None,
                    )
                for i, (_, conn) in enumerate(helpers, start=1):
                    self._receive(i, conn)  # a helper's better schedule is shown at once
                self._report()
                if self.best_value <= self.bound:
                    self.proven = True
                return not (self.proven or self._stopped.is_set())

            chain.run(tick)
            tick(chain)
            chains = [(chain.best_value, 0, chain.best)]
            chains += self._finish_helpers(helpers)
        finally:
            for process, conn in helpers:
                conn.close()
                process.join(timeout=1)
                if process.is_alive():
                    process.kill()
        # The best chain, the first on a tie, so that a work limit gives one answer.
        value, _, schedule = min(chains, key=lambda c: (c[0], c[1]))
        if value < self.best_value or (self.work_limit is not None and value == self.best_value):
            self.best, self.best_value, self.best_terms = list(schedule), value, None
        self._report()

    def _start_helpers(self, budget: Budget, temperatures) -> list:
        context = multiprocessing.get_context("spawn")  # no fork of a threaded process
        helpers = []
        for i in range(1, self.workers):
            mine, theirs = context.Pipe()
            process = context.Process(
                target=helper_chain,
                args=(self.inst, self.best, self.seed * 1009 + i, budget, temperatures, theirs),
                daemon=True,
            )
            process.start()
            theirs.close()
            helpers.append((process, mine))
        return helpers

    def _receive(self, i: int, conn) -> None:
        """Read what helper i sent: a better schedule is kept (when the time limit rules),
        its final one goes to `self.finals`."""
        try:
            while conn.poll():
                message = conn.recv()
                if message[0] == "best" and message[1] < self.best_value:
                    self.best, self.best_value, self.best_terms = list(message[2]), message[1], None
                elif message[0] == "done":
                    self.moves += message[3]
                    self.finals[i] = (message[1], i, message[2])
        except (EOFError, OSError):
            pass

    def _finish_helpers(self, helpers) -> list[tuple[int, int, Assignment]]:
        """Each helper's best schedule, once it has spent its budget (or been stopped)."""
        if self._stopped.is_set() or self.proven or self.work_limit is None:
            self._tell_stop(helpers)
        told = False
        deadline = time.monotonic() + max(5.0, self.time_limit - self._elapsed() + 5.0)
        waiting = dict(enumerate(helpers, start=1))
        while waiting and time.monotonic() < deadline:
            for i, (process, conn) in list(waiting.items()):
                self._receive(i, conn)
                if i in self.finals or not process.is_alive():
                    self._receive(i, conn)
                    del waiting[i]
            if self._stopped.is_set() and not told:
                self._tell_stop(helpers)
                told = True
            time.sleep(0.02)
        return list(self.finals.values())

    @staticmethod
    def _tell_stop(helpers) -> None:
        for _, conn in helpers:
            try:
                conn.send("stop")
            except OSError:
                pass


def solve(
    instance: Instance | dict,
    *,
    time_limit: float,
    previous: dict | list | None = None,
    seed: int = 0,
    workers: int = 2,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    work_limit: float | None = None,
) -> Result:
    """Solve a format-1 instance (a document or a parsed `Instance`) within `time_limit`
    seconds; the `Result` holds the best schedule found (a format-1 solution document),
    its objective and terms, the proven bound, the status and the time to the first one.

    `previous` (a format-1 solution document, or (talk, block, room) ids) replaces the
    instance's `previous`: a re-plan that moves as little as the weights ask. `workers`
    annealing chains run at once (the first in this process, the others in helper
    processes; CP-SAT uses as many threads). `on_progress` is called with each better
    schedule, at most four times a second; `should_stop` is polled (every 50 ms, from a
    thread of this process) and ends the search, with the best schedule so far, when it
    returns true; `Search.stop` does the same. With `work_limit` (thousands of moves),
    the same seed and workers give the same schedule on any machine, if the time limit
    is not reached first. Raises `InstanceError`, naming the field, when the instance is
    malformed."""
    search = Search(
        instance,
        previous=previous,
        seed=seed,
        workers=workers,
        on_progress=on_progress,
        should_stop=should_stop,
    )
    return search.run(time_limit, work_limit)
