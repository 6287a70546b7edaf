"""Independent CPU-bound jobs on every core, in worker processes that can warm up while the caller prepares them.

Generation is CPU-bound Python, so threads would not help. The workers start at once and can run a warm-up
(imports, a first small run) while the caller is still busy, which would otherwise be paid after. On a single
core the jobs run in this process when submitted, with the same results.

A long-lived caller (`generate --watch`) keeps the workers between runs (`kept_workers`): each `workers` scope then
submits to them, already warm, and leaving a scope early cancels only that scope's jobs.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class Submit(Protocol):
    """Start `job(*args)` and return a getter: it gives the job's result or raises the job's exception."""

    def __call__(self, job: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Callable[[], T]: ...


def cores() -> int:
    """The cores this process may run on."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


@contextmanager
def workers(
    warm_up: Callable[[], None] | None = None, *, count: int | None = None, unwarmed: int = 0
) -> Iterator[Submit]:
    """One worker process per core (or `count` of them), each running `warm_up` (if any) first, but for `unwarmed`
    of them (at most all but one); jobs and their results must pickle.

    Jobs are taken in the order they are submitted, so submit the longest first. A warm-up pays off only when the
    caller has enough to do meanwhile: otherwise every worker pays it before its first job. The first jobs go to the
    workers that skip it, free while the others warm up: submit there first what needs no warm-up. Within
    `kept_workers`, the kept workers run the jobs (they warmed up when they started). On one core the jobs run in
    this process.
    """
    if _kept:
        yield from _scope(_kept[-1].renewed())
        return
    if cores() < 2:
        yield run_now
        return
    with _pool(
        count or cores(), warm_up, kept=False, unwarmed=unwarmed
    ) as pool:  # leaving it waits for the jobs running, then stops the workers
        yield from _scope(pool)


@contextmanager
def kept_workers(warm_up: Callable[[], None] | None = None) -> Iterator[None]:
    """Keep one worker process per core, warmed up by `warm_up` at once, for every `workers` scope within; they
    stop when this ends. A worker that dies breaks the pool: its scope fails, and the next one starts new workers.
    On a single core the jobs run in this process, as without it."""
    count = cores()
    if count < 2:
        yield
        return
    kept = _Kept(count, warm_up)
    _kept.append(kept)
    try:
        yield
    finally:
        _kept.remove(kept)
        kept.pool.shutdown(wait=True, cancel_futures=True)


class _Kept:
    """The pool `kept_workers` keeps, replaced when broken."""

    def __init__(self, count: int, warm_up: Callable[[], None] | None) -> None:
        self.count, self.warm_up = count, warm_up
        self.pool = _pool(count, warm_up, kept=True)

    def renewed(self) -> ProcessPoolExecutor:
        """The pool, new workers in place of a broken one (a worker died: the pool refuses every job after)."""
        if getattr(self.pool, "_broken", False):
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = _pool(self.count, self.warm_up, kept=True)
        return self.pool


_kept: list[_Kept] = []
"""The pools of the `kept_workers` scopes open in this process (the innermost last)."""


def _scope(pool: ProcessPoolExecutor) -> Iterator[Submit]:
    """One `workers` scope's submissions to `pool`: when the caller gives up, the jobs not started are cancelled,
    so that nobody waits for what nobody will ask for (the pool itself is its owner's to stop or keep)."""
    futures: list[Future[Any]] = []

    def submit(job: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Callable[[], T]:
        future: Future[T] = pool.submit(job, *args, **kwargs)
        futures.append(future)
        return future.result

    try:
        yield submit
    except BaseException:
        for future in futures:
            future.cancel()
        raise


def _pool(count: int, warm_up: Callable[[], None] | None, *, kept: bool, unwarmed: int = 0) -> ProcessPoolExecutor:
    turns: multiprocessing.SimpleQueue[bool] | None = None
    if warm_up is not None and unwarmed > 0:  # whether to warm up, one answer taken by each worker as it starts
        turns = multiprocessing.SimpleQueue()
        for turn in range(count):
            turns.put(turn >= min(unwarmed, count - 1))
    initargs = (os.getpid(), warm_up, kept, turns)
    pool = ProcessPoolExecutor(max_workers=count, initializer=_start_worker, initargs=initargs)
    if warm_up is not None:
        for _ in range(count):  # start every worker now, so that they warm up in the meantime
            pool.submit(os.getpid)
    return pool


_PR_SET_PDEATHSIG = 1


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off within (as it was after): the caller builds large acyclic structures (a spec's
    document and IR are millions of objects), and each full collection walks all of them again (about 0.15 s of a
    Stripe edit's 1.8 s). What cycles a run leaves are collected once it is over (about 20 MB at the peak of a cold
    Stripe run). Jobs keep the collector on: worker processes, forked with it off, turn it on; `run_now` too."""
    with _collector(on=False):
        yield


@contextmanager
def _collector(*, on: bool) -> Iterator[None]:
    """The cycle collector on or off within, as it was after."""
    was = gc.isenabled()
    (gc.enable if on else gc.disable)()
    try:
        yield
    finally:
        if was != on:
            (gc.enable if was else gc.disable)()


def _start_worker(
    parent: int, warm_up: Callable[[], None] | None, kept: bool, turns: multiprocessing.SimpleQueue[bool] | None
) -> None:
    """Tie the worker's life to the generator's, then warm up (with `turns`, if the one this worker takes says
    so). Ctrl-C reaches the whole process group; a kept worker ignores it (the watching generator stops it when it
    stops: interrupted in its queue between runs, it would only print a traceback), a worker of one run stops at once
    with it. The collector is on (a worker forked within `collector_paused` starts with it off):
    datamodel-code-generator's runs leave cycles. What the worker inherits from the generator (forked for a run's
    first job: its document and IR, millions of objects) is frozen first: not the worker's to collect, and its
    collections would walk it all (a tenth of a Stripe chunk's time, and each walk copies the pages it touches)."""
    gc.freeze()
    gc.enable()
    if kept:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)
    if warm_up is not None and (turns is None or turns.get()):
        warm_up()
        gc.freeze()  # what the imports and the warm-up made lives as long as the worker: not walked by every collection


def die_with_parent(parent: int) -> None:
    """End this process (SIGKILL) when process `parent`, which started it, ends; at once if it already has.

    A parent killed outright (SIGKILL) cannot tell its worker processes to stop, and they would go on waiting for
    jobs (or serving a port) forever. On Linux the kernel kills the worker when its parent dies
    (`PR_SET_PDEATHSIG`); elsewhere a thread checks twice a second.
    """
    try:
        armed = ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) == 0
    except (OSError, AttributeError):
        armed = False
    if os.getppid() != parent:  # it died before the signal was armed
        os._exit(1)
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        threading.Event().wait(0.5)
    os._exit(1)


def run_now(job: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Callable[[], T]:
    """The `Submit` of one core: the job runs in this process, at once (its result or error kept for the getter), with
    the cycle collector on, as in a worker."""
    try:
        with _collector(on=True):
            result = job(*args, **kwargs)
    except Exception as exc:
        error = exc

        def fail() -> T:
            raise error

        return fail
    return lambda: result
