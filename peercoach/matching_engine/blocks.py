"""Large populations in blocks: who goes in which block, and solving blocks side by side."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from peercoach.matching_engine.rules import RuleIndex


def partition_blocks(index: RuleIndex, block_size: int) -> list[list[int]]:
    """Blocks of about block_size people, cut from everyone sorted by the UTC start of their
    working window and their first language, so each block holds people who can meet."""
    starts = np.array([window[0] for window in index.windows], dtype=np.int64)[index.window_class]
    first_language = np.argmax(index.languages != 0, axis=1)
    order = np.lexsort((np.arange(index.size), first_language, starts))
    count = max(1, round(index.size / block_size))
    return [chunk.tolist() for chunk in np.array_split(order, count)]


def map_in_block_order[Item, Result](
    solve: Callable[[Item], Result], blocks: Sequence[Item], workers: int
) -> list[Result]:
    """solve(block) for every block, in block order whichever finishes first.

    The workers are forked so they inherit the caller's module-level input instead of having
    it pickled. Forking a process that runs other threads can deadlock the child (a lock held
    by another thread at fork time is never released), so threaded callers such as a web
    process solve the blocks one after another; the result is the same either way.
    """
    workers = min(workers, len(blocks), os.cpu_count() or 1)
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if workers > 1 and can_fork and threading.active_count() == 1:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return list(pool.map(solve, blocks))
    return [solve(block) for block in blocks]
