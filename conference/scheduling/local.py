"""Local search on a valid schedule: many small moves, each scored exactly and fast.

CP-SAT (model.py) re-places a few dozen talks optimally per step; this module makes
thousands of single moves per second, which is what a thousand talks need first. The
state keeps, per attendee, how many of their interests sit in each session and how many
rooms of interest each block holds, so a move's change of objective is counted over the
moved talks' audiences only (numpy, one array operation per term).

Moves, each kept only if it keeps every hard rule:
- a talk to another session (an empty one, or one of its track with time left);
- two talks of one track swap sessions;
- two sessions swap their talks (the same room in two blocks, two rooms of a block, or
  any two), which moves a whole track's audience at once.
Simulated annealing accepts a worse move now and then, less and less often.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .instance import Instance
from .objective import Assignment

MIX = (0.45, 0.35)  # shares of relocations and talk swaps; session swaps are the rest
BEST_OF_ALL = 0.3  # share of relocations that look at every session (the rest: one)
FOCUS = 0.5  # share of moves that start from a talk some attendee has a conflict over
BATCH = 64  # moves between two looks at the clock
REPORT_EVERY = 0.25  # seconds between two reports of a better schedule
POLISH = 0.05  # the share of an anneal for its final descent
CYCLE_MOVES_PER_TALK = 2500  # an anneal's length, in moves per talk that may move
PROBE_BATCHES = 16  # batches of hot moves that measure the machine's speed


def allowed_sessions(inst: Instance) -> np.ndarray:
    """(talks, blocks, rooms): where each talk may run alone (rules 5 and 6, block length)."""
    B, R, T = inst.n_blocks, inst.n_rooms, inst.n_talks
    room_ok = np.ones((B, R), dtype=bool)
    for r, blocks in enumerate(inst.room_unavailable):
        for b in blocks:
            room_ok[b, r] = False
    talk_ok = np.array(inst.talk_minutes)[:, None] <= np.array(inst.block_minutes)[None, :]
    for t in range(T):
        for b in inst.talk_blocked(t):
            talk_ok[t, b] = False
    allowed = talk_ok[:, :, None] & room_ok[None, :, :]
    for t, fixed in enumerate(inst.talk_fixed):
        if fixed is not None:
            allowed[t] = False
            allowed[t, fixed[0], fixed[1]] = True
    return allowed


class State:
    """A valid schedule and the counts that score a move by its audience only."""

    def __init__(self, inst: Instance, assign: Assignment):
        self.inst = inst
        B, R, T = inst.n_blocks, inst.n_rooms, inst.n_talks
        w = inst.weights
        self.w_att = w["attendee_conflict"]
        self.w_cap = w["capacity_overflow"]
        self.w_tr = w["track_rooms"]
        self.w_sim = w["similar_parallel"]
        self.w_mov = w["moved"]
        attendees = [talks for talks in inst.interests if len(talks) >= 2]
        fans: list[list[int]] = [[] for _ in range(T)]
        for a, talks in enumerate(attendees):
            for t in talks:
                fans[t].append(a)
        self.fans = [np.array(f, dtype=np.int64) for f in fans]
        self.wants = attendees  # per attendee (of two interests or more), the talks
        self._mark = np.zeros(len(attendees), dtype=bool)
        self.cnt = np.zeros((len(attendees), B, R), dtype=np.int16)
        self.occ = np.zeros((len(attendees), B), dtype=np.int16)
        cap = np.array(inst.room_capacity, dtype=np.int64)
        demand = np.array(inst.demand, dtype=np.int64)
        self.overflow = np.maximum(0, demand[:, None] - cap[None, :])  # (T, R)
        self.allowed = allowed_sessions(inst)
        self.block_minutes = np.array(inst.block_minutes, dtype=np.int64)
        self.previous: list[tuple[int, int] | None] = [None] * T  # (-1, -1): gone
        for t, (bid, rid) in inst.previous.items():
            b, r = inst.block_index.get(bid), inst.room_index.get(rid)
            self.previous[t] = (b, r) if b is not None and r is not None else (-1, -1)
        if not inst.previous:
            self.w_mov = 0  # nothing can move from where it was
        self.similar: list[list[int]] = [[] for _ in inst.track_ids]
        for k1, k2 in inst.similar_pairs:
            self.similar[k1].append(k2)
            self.similar[k2].append(k1)
        self.track = inst.talk_track
        self.minutes = inst.talk_minutes
        # Only people with two talks or more can be due in two rooms at once.
        self.people = [
            tuple(p for p in people if len(inst.person_talks[p]) > 1) for people in inst.talk_people
        ]
        self.options = [[(int(b), int(r)) for b, r in np.argwhere(ok)] for ok in self.allowed]
        self.fixed = [f is not None for f in inst.talk_fixed]

        self.assign = [tuple(s) for s in assign]
        self.session_talks: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.smin = np.zeros((B, R), dtype=np.int64)
        self.strack = np.full((B, R), -1, dtype=np.int64)
        self.trc = np.zeros((len(inst.track_ids), R), dtype=np.int64)
        self.tbc = np.zeros((len(inst.track_ids), B), dtype=np.int64)
        self.person_rooms: dict[tuple[int, int], dict[int, int]] = defaultdict(
            lambda: defaultdict(int)
        )
        self.value = 0
        for t, (b, r) in enumerate(self.assign):
            self._place(t, b, r)
        self.value = self.objective()

    # -- bookkeeping --------------------------------------------------------------------

    def _place(self, t: int, b: int, r: int) -> None:
        F = self.fans[t]
        if len(F):
            c = self.cnt[F, b, r]
            new = F[c == 0]
            self.occ[new, b] += 1
            self.cnt[F, b, r] = c + 1
        self.session_talks[b, r].append(t)
        self.smin[b, r] += self.minutes[t]
        self.strack[b, r] = self.track[t]
        self.trc[self.track[t], r] += 1
        self.tbc[self.track[t], b] += 1
        for p in self.people[t]:
            self.person_rooms[p, b][r] += 1
        self.assign[t] = (b, r)

    def _remove(self, t: int) -> None:
        b, r = self.assign[t]
        F = self.fans[t]
        if len(F):
            c = self.cnt[F, b, r] - 1
            self.cnt[F, b, r] = c
            gone = F[c == 0]
            self.occ[gone, b] -= 1
        self.session_talks[b, r].remove(t)
        self.smin[b, r] -= self.minutes[t]
        if not self.session_talks[b, r]:
            self.strack[b, r] = -1
        self.trc[self.track[t], r] -= 1
        self.tbc[self.track[t], b] -= 1
        for p in self.people[t]:
            rooms = self.person_rooms[p, b]
            rooms[r] -= 1
            if not rooms[r]:
                del rooms[r]

    def objective(self) -> int:
        """The objective of the current schedule, from the counts."""
        att = int(np.maximum(0, self.occ.astype(np.int64) - 1).sum())
        cap = int(sum(self.overflow[t, r] for t, (_, r) in enumerate(self.assign)))
        tr = int(sum(max(0, int((row > 0).sum()) - 1) for row in self.trc))
        sim = 0
        for k1, k2 in self.inst.similar_pairs:
            sim += int(((self.tbc[k1] > 0) & (self.tbc[k2] > 0)).sum())
        mov = sum(self._moved(t, *s) for t, s in enumerate(self.assign))
        return (
            self.w_att * att
            + self.w_cap * cap
            + self.w_tr * tr
            + self.w_sim * sim
            + self.w_mov * mov
        )

    def _moved(self, t: int, b: int, r: int) -> int:
        was = self.previous[t]
        return int(was is not None and was != (b, r))

    # -- one talk -----------------------------------------------------------------------

    def move_delta(self, t: int, b2: int, r2: int) -> int:
        """The change of objective if talk t alone went to (b2, r2) (rules not checked)."""
        b1, r1 = self.assign[t]
        if (b1, r1) == (b2, r2):
            return 0
        delta = 0
        F = self.fans[t]
        if len(F) and self.w_att:
            c1 = self.cnt[F, b1, r1]
            o1 = self.occ[F, b1]
            leaving = c1 == 1
            att = -int((leaving & (o1 >= 2)).sum())
            o2 = self.occ[F, b2]
            if b2 == b1:
                o2 = o2 - leaving
            att += int(((self.cnt[F, b2, r2] == 0) & (o2 >= 1)).sum())
            delta += self.w_att * att
        delta += self.w_cap * int(self.overflow[t, r2] - self.overflow[t, r1])
        k = self.track[t]
        if r1 != r2:
            delta += self.w_tr * (int(self.trc[k, r2] == 0) - int(self.trc[k, r1] == 1))
        if b1 != b2 and self.similar[k]:
            sim = 0
            for k2 in self.similar[k]:
                if self.tbc[k, b1] == 1 and self.tbc[k2, b1] > 0:
                    sim -= 1
                if self.tbc[k, b2] == 0 and self.tbc[k2, b2] > 0:
                    sim += 1
            delta += self.w_sim * sim
        if self.w_mov:
            delta += self.w_mov * (self._moved(t, b2, r2) - self._moved(t, b1, r1))
        return delta

    def move(self, t: int, b: int, r: int) -> None:
        self._remove(t)
        self._place(t, b, r)

    def _other_terms(self, moves: list[tuple[int, tuple[int, int]]]) -> int:
        """The change of every term but attendee conflicts, for these moves together."""
        delta = 0
        rooms: dict[tuple[int, int], int] = defaultdict(int)
        blocks_: dict[tuple[int, int], int] = defaultdict(int)
        for t, (b2, r2) in moves:
            b1, r1 = self.assign[t]
            k = self.track[t]
            delta += self.w_cap * int(self.overflow[t, r2] - self.overflow[t, r1])
            if self.w_mov:
                delta += self.w_mov * (self._moved(t, b2, r2) - self._moved(t, b1, r1))
            rooms[k, r1] -= 1
            rooms[k, r2] += 1
            blocks_[k, b1] -= 1
            blocks_[k, b2] += 1
        if self.w_tr:
            for (k, r), change in rooms.items():
                if change:
                    was = self.trc[k, r]
                    delta += self.w_tr * (int(was + change > 0) - int(was > 0))
        if self.w_sim and self.inst.similar_pairs:
            flipped = set()
            for (k, b), change in blocks_.items():
                if change and (self.tbc[k, b] > 0) != (self.tbc[k, b] + change > 0):
                    for k2 in self.similar[k]:
                        flipped.add((min(k, k2), max(k, k2), b))
            for k1, k2, b in flipped:
                now = self.tbc[k1, b] > 0 and self.tbc[k2, b] > 0
                then = (
                    self.tbc[k1, b] + blocks_.get((k1, b), 0) > 0
                    and self.tbc[k2, b] + blocks_.get((k2, b), 0) > 0
                )
                delta += self.w_sim * (int(then) - int(now))
        return delta

    def _leave_join(self, F: np.ndarray, s1: tuple[int, int], s2: tuple[int, int]) -> int:
        """Attendee conflicts gained when fans F see one interest go from s1 to s2 (no
        other interest of theirs moving)."""
        (b1, r1), (b2, r2) = s1, s2
        if not len(F):
            return 0
        leaving = self.cnt[F, b1, r1] == 1
        o1 = self.occ[F, b1]
        delta = -int((leaving & (o1 >= 2)).sum())
        o2 = self.occ[F, b2]
        if b2 == b1:
            o2 = o2 - leaving
        return delta + int(((self.cnt[F, b2, r2] == 0) & (o2 >= 1)).sum())

    def swap_delta(self, t1: int, t2: int) -> int:
        """The change of objective if talks t1 and t2, of one track, swap sessions."""
        s1, s2 = self.assign[t1], self.assign[t2]
        delta = 0
        if self.w_att:
            # Who wants both sees no change: one interest leaves each session, one comes.
            F1, F2 = self.fans[t1], self.fans[t2]
            mark = self._mark
            mark[F2] = True
            only1 = F1[~mark[F1]]
            mark[F2] = False
            mark[F1] = True
            only2 = F2[~mark[F2]]
            mark[F1] = False
            delta += self.w_att * (
                self._leave_join(only1, s1, s2) + self._leave_join(only2, s2, s1)
            )
        delta += self.w_cap * int(
            self.overflow[t1, s2[1]]
            + self.overflow[t2, s1[1]]
            - self.overflow[t1, s1[1]]
            - self.overflow[t2, s2[1]]
        )
        if self.w_mov:
            delta += self.w_mov * (
                self._moved(t1, *s2)
                + self._moved(t2, *s1)
                - self._moved(t1, *s1)
                - self._moved(t2, *s2)
            )
        return delta

    def sessions_swap_delta(self, s1: tuple[int, int], s2: tuple[int, int]) -> int:
        """The change of objective if sessions s1 and s2 swap all their talks."""
        one, two = self.session_talks[s1], self.session_talks[s2]
        moves = [(t, s2) for t in one] + [(t, s1) for t in two]
        delta = self._other_terms(moves)
        (b1, r1), (b2, r2) = s1, s2
        if self.w_att and b1 != b2:  # within one block nobody's rooms of interest change
            c1 = self.cnt[:, b1, r1] > 0
            c2 = self.cnt[:, b2, r2] > 0
            o1 = self.occ[:, b1].astype(np.int64)
            o2 = self.occ[:, b2].astype(np.int64)
            n1 = o1 - c1 + c2
            n2 = o2 - c2 + c1
            changed = int(
                np.maximum(0, n1 - 1).sum()
                + np.maximum(0, n2 - 1).sum()
                - np.maximum(0, o1 - 1).sum()
                - np.maximum(0, o2 - 1).sum()
            )
            delta += self.w_att * changed
        return delta

    def apply(self, moves: list[tuple[int, tuple[int, int]]]) -> None:
        for t, _ in moves:
            self._remove(t)
        for t, (b, r) in moves:
            self._place(t, b, r)

    def best_moves(self, t: int) -> np.ndarray:
        """The change of objective for talk t to each session (B, R), inf where the move
        breaks a hard rule."""
        inst = self.inst
        b1, r1 = self.assign[t]
        k = self.track[t]
        ok = self.allowed[t].copy()
        ok &= self.smin + self.minutes[t] <= self.block_minutes[:, None]
        if not inst.mixed_sessions:
            ok &= (self.strack == -1) | (self.strack == k)
        for p in self.people[t]:
            for b in range(inst.n_blocks):
                rooms = self.person_rooms.get((p, b))
                if not rooms:
                    continue
                others = [r for r, n in rooms.items() if n - (b == b1 and r == r1) > 0]
                if others:
                    keep = np.zeros(inst.n_rooms, dtype=bool)
                    keep[others[0]] = True
                    ok[b] &= keep
        ok[b1, r1] = False
        if not ok.any():
            return np.full(ok.shape, np.inf)
        delta = np.zeros(ok.shape, dtype=np.float64)
        F = self.fans[t]
        if len(F) and self.w_att:
            c = self.cnt[F]  # (F, B, R), a copy
            c[:, b1, r1] -= 1
            o = self.occ[F].astype(np.int64)
            leaving = c[:, b1, r1] == 0
            o[:, b1] -= leaving
            gain = int((leaving & (o[:, b1] >= 1)).sum())
            add = ((c == 0) & (o[:, :, None] >= 1)).sum(axis=0)
            delta += self.w_att * (add - gain)
        delta += self.w_cap * (self.overflow[t] - self.overflow[t, r1])[None, :]
        if self.w_tr:
            new_room = (self.trc[k] == 0).astype(np.int64)
            delta += self.w_tr * (new_room - int(self.trc[k, r1] == 1))[None, :]
            delta[:, r1] += self.w_tr * int(self.trc[k, r1] == 1)  # staying in the room
        if self.similar[k] and self.w_sim:
            sim = np.zeros(inst.n_blocks)
            for k2 in self.similar[k]:
                other = self.tbc[k2] > 0
                sim += (self.tbc[k] == 0) & other
                if self.tbc[k, b1] == 1 and other[b1]:
                    sim -= 1
            sim[b1] = 0
            delta += self.w_sim * sim[:, None]
        if self.w_mov and self.previous[t] is not None:
            pb, pr = self.previous[t]
            moved = np.ones(ok.shape)
            if pb >= 0:
                moved[pb, pr] = 0
            delta += self.w_mov * (moved - self._moved(t, b1, r1))
        delta[~ok] = np.inf
        return delta

    # -- checks for swaps ---------------------------------------------------------------

    def can_join(self, t: int, b: int, r: int, leaving: tuple[int, ...]) -> bool:
        """Whether t may go to (b, r) once the talks `leaving` have left that session
        (and t has left its own)."""
        inst = self.inst
        if not self.allowed[t, b, r]:
            return False
        staying = [u for u in self.session_talks[b, r] if u not in leaving and u != t]
        if sum(self.minutes[u] for u in staying) + self.minutes[t] > inst.block_minutes[b]:
            return False
        if not inst.mixed_sessions and any(self.track[u] != self.track[t] for u in staying):
            return False
        for p in self.people[t]:
            for r2 in self.person_rooms.get((p, b), {}):
                if r2 == r:
                    continue
                # talks of p in (b, r2) other than those moving out of there
                mine = [u for u in self.session_talks[b, r2] if p in self.people[u]]
                if any(u not in leaving and u != t for u in mine):
                    return False
        return True


class LocalSearch:
    """Simulated annealing over the moves above, from a valid schedule."""

    def __init__(self, inst: Instance, assign: Assignment, rng: random.Random):
        self.inst = inst
        self.state = State(inst, assign)
        self.rng = rng
        self.best = list(self.state.assign)
        self.best_value = self.state.value
        self.run_best, self.run_best_value = self.best, self.best_value  # since the restart
        self.movable = [t for t in range(inst.n_talks) if inst.talk_fixed[t] is None]
        self.by_track: dict[int, list[int]] = defaultdict(list)
        for t in self.movable:
            self.by_track[inst.talk_track[t]].append(t)
        self.sessions = [(b, r) for b in range(inst.n_blocks) for r in range(inst.n_rooms)]
        self.temperature = 1.0
        self.moves = 0

    def restart(self, assign: Assignment) -> None:
        """Start again from `assign`, keeping the best schedule found so far."""
        self.state = State(self.inst, assign)
        self.run_best, self.run_best_value = list(self.state.assign), self.state.value

    def _accept(self, delta: float) -> bool:
        if delta <= 0:
            return True
        if self.temperature <= 0:
            return False
        return self.rng.random() < math.exp(-delta / self.temperature)

    def _record(self) -> bool:
        if self.state.value < self.run_best_value:
            self.run_best_value = self.state.value
            self.run_best = list(self.state.assign)
        if self.state.value < self.best_value:
            self.best_value = self.state.value
            self.best = list(self.state.assign)
            return True
        return False

    def step(self) -> bool:
        """One move attempt; True when the best schedule improved."""
        if not self.movable:
            return False
        self.moves += 1
        kind = self.rng.random()
        if kind < MIX[0]:
            return self._relocate()
        if kind < MIX[0] + MIX[1]:
            return self._swap_talks()
        return self._swap_sessions()

    def _relocate(self) -> bool:
        if self.rng.random() >= BEST_OF_ALL:
            return self._relocate_somewhere()
        t = self._pick()
        delta = self.state.best_moves(t)
        finite = np.isfinite(delta)
        if not finite.any():
            return False
        low = delta[finite].min()
        if low > 0 and self.temperature > 0:
            # a random allowed move, judged by annealing
            options = np.argwhere(finite)
            b, r = options[self.rng.randrange(len(options))]
        else:
            choices = np.argwhere(delta == low)
            b, r = choices[self.rng.randrange(len(choices))]
        d = float(delta[b, r])
        if not self._accept(d):
            return False
        self.state.move(t, int(b), int(r))
        self.state.value += int(d)
        return self._record()

    def _relocate_somewhere(self) -> bool:
        """A talk to one session picked at random among those it may use."""
        st = self.state
        t = self._pick()
        options = st.options[t]
        b, r = options[self.rng.randrange(len(options))]
        if (b, r) == st.assign[t] or not st.can_join(t, b, r, leaving=()):
            return False
        delta = st.move_delta(t, b, r)
        if not self._accept(delta):
            return False
        st.move(t, b, r)
        st.value += delta
        return self._record()

    def _swap_talks(self) -> bool:
        st = self.state
        t1 = self._pick()
        mates = self.by_track[st.track[t1]]
        if len(mates) < 2:
            return False
        t2 = self.rng.choice(mates)
        s1, s2 = st.assign[t1], st.assign[t2]
        if t1 == t2 or s1 == s2:
            return False
        if not (st.can_join(t1, *s2, leaving=(t2,)) and st.can_join(t2, *s1, leaving=(t1,))):
            return False
        return self._try([(t1, s2), (t2, s1)], st.swap_delta(t1, t2))

    def _swap_sessions(self) -> bool:
        st = self.state
        t = self._pick()
        s1 = st.assign[t]
        kind = self.rng.random()
        if kind < 0.5:
            s2 = (self.rng.randrange(self.inst.n_blocks), s1[1])
        elif kind < 0.7:
            s2 = (s1[0], self.rng.randrange(self.inst.n_rooms))
        else:
            s2 = self.rng.choice(self.sessions)
        moves = self._sessions_swap(s1, s2)
        return moves is not None and self._try(moves, st.sessions_swap_delta(s1, s2))

    def _sessions_swap(self, s1, s2) -> list[tuple[int, tuple[int, int]]] | None:
        """The moves that swap two sessions' talks, None if that breaks a hard rule."""
        st = self.state
        if s2 == s1:
            return None
        one, two = tuple(st.session_talks[s1]), tuple(st.session_talks[s2])
        if not one and not two or any(self.fixed(u) for u in one + two):
            return None
        for u in one:
            if not st.can_join(u, *s2, leaving=two + one):
                return None
        for u in two:
            if not st.can_join(u, *s1, leaving=one + two):
                return None
        # whole sessions move, so within them the people's rooms stay consistent
        return [(u, s2) for u in one] + [(u, s1) for u in two]

    def polish(self, over) -> int:
        """Descend from the best schedule since the last restart: every relocation, swap
        of two talks of a track and swap of two sessions, taken when it improves, until
        none does or `over(n)` says the n moves looked at are enough. Returns n."""
        if over(0):
            return 0
        st = self.state = State(self.inst, self.run_best)
        looked = 0
        improved = True
        while improved and not over(looked):
            improved = False
            for t in self.movable:
                delta = st.best_moves(t)
                looked += 1
                b, r = np.unravel_index(np.argmin(delta), delta.shape)
                if delta[b, r] < 0:
                    st.move(t, int(b), int(r))
                    st.value += int(delta[b, r])
                    improved = True
            for talks in self.by_track.values():
                for i, t1 in enumerate(talks):
                    if over(looked):
                        break
                    for t2 in talks[i + 1 :]:
                        s1, s2 = st.assign[t1], st.assign[t2]
                        looked += 1
                        if (
                            s1 != s2
                            and st.can_join(t1, *s2, leaving=(t2,))
                            and st.can_join(t2, *s1, leaving=(t1,))
                        ):
                            delta = st.swap_delta(t1, t2)
                            if delta < 0:
                                st.apply([(t1, s2), (t2, s1)])
                                st.value += delta
                                improved = True
            for i, s1 in enumerate(self.sessions):
                if over(looked):
                    break
                for s2 in self.sessions[i + 1 :]:
                    moves = self._sessions_swap(s1, s2)
                    looked += 1
                    if moves is not None:
                        delta = st.sessions_swap_delta(s1, s2)
                        if delta < 0:
                            st.apply(moves)
                            st.value += delta
                            improved = True
        self._record()
        return looked

    def _pick(self) -> int:
        """A talk to move: half the time one that an attendee with a conflict wants, in
        the block of the conflict; else any talk that may move."""
        st = self.state
        if self.rng.random() < FOCUS and st.wants:
            for _ in range(4):
                a = self.rng.randrange(len(st.wants))
                row = st.occ[a]
                if row.max() < 2:
                    continue
                talks = [t for t in st.wants[a] if row[st.assign[t][0]] >= 2 and not self.fixed(t)]
                if talks:
                    return self.rng.choice(talks)
        return self.rng.choice(self.movable)

    def fixed(self, t: int) -> bool:
        return self.inst.talk_fixed[t] is not None

    def _try(self, moves: list[tuple[int, tuple[int, int]]], delta: int) -> bool:
        st = self.state
        if not self._accept(delta):
            return False
        st.apply(moves)
        st.value += delta
        return self._record()


@dataclass
class Budget:
    """What a chain may spend: until `seconds` after `started` (time.monotonic()), and at
    most `moves` moves when given (then the chain does not depend on the machine)."""

    started: float
    seconds: float
    moves: int | None = None

    def time_left(self) -> float:
        return self.started + self.seconds - time.monotonic()


class Chain:
    """Annealing runs, one after another, each from the start schedule, each ending with
    a descent; the best schedule of all of them is kept.

    One anneal of about CYCLE_MOVES_PER_TALK moves a talk ends in a schedule about as
    good as one ten times longer (measured on the S instance: 454-471 after 30 CPU
    seconds, 452-469 after 10; one of 10 minutes 463), so the time is better spent on
    more of them. The last one takes whatever is left, cooling with the clock (or the
    move budget), so that a short time limit is one whole anneal.
    """

    def __init__(
        self, inst: Instance, start: Assignment, seed: int, budget: Budget, hot: float, cold: float
    ):
        self.inst = inst
        self.start = list(start)
        self.budget = budget
        self.hot, self.cold = hot, cold
        self.search = LocalSearch(inst, start, random.Random(seed))
        self.best, self.best_value = list(self.search.best), self.search.best_value
        self.moves = 0
        self.cycle = CYCLE_MOVES_PER_TALK * max(1, len(self.search.movable))

    def run(self, tick) -> None:
        """Anneal until the budget is spent or `tick(self)`, called every BATCH moves,
        returns False."""
        self.started_moving = time.monotonic()
        if self.budget.moves is None and not self._probe(tick):
            return
        first = True
        while True:
            if not first:
                self.search.restart(self.start)
            first = False
            plan = self._plan()
            if plan is None:
                return
            moves, seconds = plan
            if not self._anneal(moves, seconds, tick):
                return

    def _plan(self) -> tuple[int | None, float | None] | None:
        """The next anneal: (moves, None) for a whole one, (moves or None, seconds or
        None) for the last one, which takes the rest; None when nothing is left."""
        left_time = self.budget.time_left()
        if left_time <= 0:
            return None
        if self.budget.moves is not None:
            left = self.budget.moves - self.moves
            if left <= 0:
                return None
            return (self.cycle, None) if left >= 2 * self.cycle else (left, None)
        rate = self.moves / max(1e-9, time.monotonic() - self.started_moving)
        if left_time * rate >= 2 * self.cycle:
            return (self.cycle, None)
        return (None, left_time)

    def _probe(self, tick) -> bool:
        """A few hot moves, to learn how many moves a second this machine makes."""
        self.search.temperature = self.hot
        for _ in range(PROBE_BATCHES):
            for _ in range(BATCH):
                self.search.step()
            self.moves += BATCH
            self._keep()
            if not tick(self):
                return False
        return True

    def _anneal(self, moves: int | None, seconds: float | None, tick) -> bool:
        """One anneal over `moves` moves or `seconds` seconds (then the budget's moves
        too, if any), the last POLISH of it for the descent. False when told to stop."""
        search = self.search
        began, done = time.monotonic(), 0

        def used() -> float:
            if moves is not None:
                return done / max(1, moves)
            return (time.monotonic() - began) / seconds if seconds > 0 else 1.0

        while True:
            spent = used()
            if spent >= 1 - POLISH or self.budget.time_left() <= 0:
                break
            search.temperature = self.hot * (self.cold / self.hot) ** (spent / (1 - POLISH))
            for _ in range(BATCH):
                search.step()
            done += BATCH
            self.moves += BATCH
            self._keep()
            if not tick(self):
                return False

        def enough(looked: int) -> bool:
            return self.budget.time_left() <= 0 or (moves is not None and done + looked >= moves)

        looked = search.polish(enough)
        self.moves += looked
        self._keep()
        return tick(self)

    def _keep(self) -> None:
        if self.search.best_value < self.best_value:
            self.best, self.best_value = list(self.search.best), self.search.best_value


def helper_chain(
    inst: Instance, start: Assignment, seed: int, budget: Budget, temperatures, conn
) -> None:
    """One more chain, in a helper process: sends ("best", value, schedule) now and then
    (not under a move budget: then only the final one counts), and ("done", value,
    schedule, moves) when its budget is spent or it receives anything."""
    chain = Chain(inst, start, seed, budget, *temperatures)
    sent, last = chain.best_value, time.monotonic()

    def tick(chain: Chain) -> bool:
        nonlocal sent, last
        if conn.poll():
            return False
        now = time.monotonic()
        if budget.moves is None and chain.best_value < sent and now - last >= REPORT_EVERY:
            conn.send(("best", chain.best_value, chain.best))
            sent, last = chain.best_value, now
        return True

    try:
        chain.run(tick)
        conn.send(("done", chain.best_value, chain.best, chain.moves))
    except (EOFError, OSError, KeyboardInterrupt):
        pass  # the search that started this chain is gone
