"""Independent CPU-bound jobs on every core, in worker processes that can warm up while the caller prepares them.

Generation is CPU-bound Python, so threads would not help. The workers start at once and can run a warm-up
(imports, a first small run) while the caller is still busy, which would otherwise be paid after. On a single
core the jobs run in this process when submitted, with the same results.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import ParamSpec, Protocol, TypeVar

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
def workers(warm_up: Callable[[], None] | None = None) -> Iterator[Submit]:
    """One worker process per core, each running `warm_up` (if any) first; jobs and their results must pickle.

    Jobs are taken in the order they are submitted, so submit the longest first. A warm-up pays off only when the
    caller has enough to do meanwhile: otherwise every worker pays it before its first job.
    """
    count = cores()
    if count < 2:
        yield run_now
        return
    with ProcessPoolExecutor(max_workers=count, initializer=_start_worker, initargs=(os.getpid(), warm_up)) as pool:
        if warm_up is not None:
            for _ in range(count):  # start every worker now, so that they warm up in the meantime
                pool.submit(os.getpid)

        def submit(job: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Callable[[], T]:
            future: Future[T] = pool.submit(job, *args, **kwargs)
            return future.result

        try:
            yield submit
        except BaseException:  # the caller gave up: do not make it wait for jobs nobody will ask for
            pool.shutdown(wait=True, cancel_futures=True)
            raise


_PR_SET_PDEATHSIG = 1


def _start_worker(parent: int, warm_up: Callable[[], None] | None) -> None:
    """Tie the worker's life to the generator's, then warm up."""
    die_with_parent(parent)
    if warm_up is not None:
        warm_up()


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
    """The `Submit` of one core: the job runs in this process, at once (its result or error kept for the getter)."""
    try:
        result = job(*args, **kwargs)
    except Exception as exc:
        error = exc

        def fail() -> T:
            raise error

        return fail
    return lambda: result
