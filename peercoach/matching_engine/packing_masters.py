"""The restricted set-packing LP of the set-of-five bound: the sets found so far, and their prices.

Two solvers behind one interface (`add` sets, then `prices`):

* `SimplexMaster` (GLOP) keeps its basis, so adding sets and solving again costs about a second
  at 1,000 people. Its prices are the LP's exact dual optimum.
* `FirstOrderMaster` (PDLP, OR-Tools' first-order method) for large LPs: at 10,000 people and a
  few hundred thousand sets a simplex re-solve is slow on such a degenerate LP, while PDLP,
  warm-started from the last solution, takes seconds to a minute. Its prices are only nearly
  optimal; that costs nothing in validity, since the bound is proven for whatever prices it is
  given (set_bounds.py), and interior prices like these are known to make column generation
  converge in fewer rounds than the extreme ones a simplex returns.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import scipy.sparse as sparse
from ortools.linear_solver import pywraplp

from peercoach.matching_engine.scoring import FloatArray


class Master(Protocol):
    def add(self, table: np.ndarray, sets: set[tuple[int, ...]]) -> None: ...

    def prices(self, precise: bool = False) -> FloatArray: ...


def set_values(weights: np.ndarray, sets: np.ndarray) -> FloatArray:
    """Each set's score: the sum of its pair scores divided by (size - 1)."""
    first, second = np.triu_indices(sets.shape[1], 1)
    pairs = weights[sets[:, first], sets[:, second]].astype(np.float64)
    return np.asarray(pairs.sum(axis=1) / (sets.shape[1] - 1), dtype=np.float64)


class SimplexMaster:
    """The restricted LP in one GLOP model.

    New sets become new columns; the last basis stays feasible for the larger LP, so GLOP
    starts from it. Solving again from scratch each round (HiGHS through linprog) took 10-20 s
    per round at 1,000 people on a degenerate LP; this takes about a second.
    """

    def __init__(self, size: int) -> None:
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        self.rows = [self.solver.Constraint(-self.solver.infinity(), 1.0) for _ in range(size)]
        self.objective = self.solver.Objective()
        self.objective.SetMaximization()

    def add(self, table: np.ndarray, sets: set[tuple[int, ...]]) -> None:
        """Add the sets as columns, in sorted order so the model is the same on every run."""
        if not sets:
            return
        members = np.array(sorted(sets), dtype=np.int64)
        for group, value in zip(members.tolist(), set_values(table, members).tolist(), strict=True):
            column = self.solver.NumVar(0.0, self.solver.infinity(), "")
            self.objective.SetCoefficient(column, value)
            for person in group:
                self.rows[person].SetCoefficient(column, 1.0)

    def prices(self, precise: bool = False) -> FloatArray:
        """The LP's optimal dual prices (all zero while it has no column); always exact."""
        if self.solver.NumVariables() == 0:
            return np.zeros(len(self.rows))
        status = self.solver.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            raise RuntimeError(f"the group bound LP did not solve (GLOP status {status})")
        duals = np.array([row.dual_value() for row in self.rows], dtype=np.float64)
        return np.asarray(np.maximum(0.0, duals), dtype=np.float64)


# Relative tolerances. At 10,000 people and 400,000 sets a solve at 1e-3 takes about 11 s and
# lands within 0.01% of one at 1e-4 (about 40 s): close enough to choose the next sets; an
# exact round's prices, which set the bound, are solved to 1e-4.
FIRST_ORDER_TOLERANCE = 1e-3
PRECISE_TOLERANCE = 1e-4


class FirstOrderMaster:
    """The restricted LP solved by PDLP (one thread, so the same sets give the same prices),
    each solve starting from the last one's solution with zero for the new sets."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.members: list[np.ndarray] = []
        self.values: list[FloatArray] = []
        self.primal = np.zeros(0)
        self.dual = np.zeros(size)

    def add(self, table: np.ndarray, sets: set[tuple[int, ...]]) -> None:
        if not sets:
            return
        members = np.array(sorted(sets), dtype=np.int64)
        self.members.append(members)
        self.values.append(set_values(table, members))
        self.primal = np.concatenate([self.primal, np.zeros(len(members))])

    def prices(self, precise: bool = False) -> FloatArray:
        if not self.members:
            return np.zeros(self.size)
        from ortools.pdlp import solvers_pb2
        from ortools.pdlp.python import pdlp

        members = np.concatenate(self.members)
        count = len(members)
        program = pdlp.QuadraticProgram()
        program.objective_vector = -np.concatenate(self.values)  # PDLP minimizes
        program.constraint_matrix = sparse.csc_matrix(
            (
                np.ones(members.size),
                (members.ravel(), np.repeat(np.arange(count), members.shape[1])),
            ),
            shape=(self.size, count),
        )
        program.constraint_lower_bounds = np.full(self.size, -np.inf)
        program.constraint_upper_bounds = np.ones(self.size)
        program.variable_lower_bounds = np.zeros(count)
        program.variable_upper_bounds = np.full(count, np.inf)
        settings = solvers_pb2.PrimalDualHybridGradientParams()
        criteria = settings.termination_criteria.simple_optimality_criteria
        tolerance = PRECISE_TOLERANCE if precise else FIRST_ORDER_TOLERANCE
        criteria.eps_optimal_relative = criteria.eps_optimal_absolute = tolerance
        # Two threads give other prices than one and were no faster beside a busy core.
        settings.num_threads = 1
        start = pdlp.PrimalAndDualSolution()
        start.primal_solution = self.primal
        start.dual_solution = self.dual
        result = pdlp.primal_dual_hybrid_gradient(program, settings, initial_solution=start)
        self.primal = np.maximum(0.0, np.asarray(result.primal_solution, dtype=np.float64))
        self.dual = np.asarray(result.dual_solution, dtype=np.float64)
        if not np.isfinite(self.dual).all():
            raise RuntimeError("the group bound LP did not solve (PDLP gave no prices)")
        # A <= row of a minimization has a dual <= 0: the price is its negation.
        return np.asarray(np.maximum(0.0, -self.dual), dtype=np.float64)
