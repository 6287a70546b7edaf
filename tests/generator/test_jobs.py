"""Jobs on every core: results in submission order, errors raised by their getters (intact across processes), a
warm-up run once per worker, and the same results in this process on a single core."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import pytest

from generator import jobs
from generator.errors import GenerationError, Problem

_warmed_in: int | None = None


def warm() -> None:
    global _warmed_in
    _warmed_in = os.getpid()


def where_and_whether_warm(value: int) -> tuple[int, int, bool]:
    return value * 2, os.getpid(), _warmed_in == os.getpid()


def slowly_where_and_whether_warm(value: int) -> tuple[int, int, bool]:
    """`where_and_whether_warm` taking long enough that jobs submitted together go to every worker (one run after
    another would mostly go to whichever worker finished last)."""
    time.sleep(0.2)
    return where_and_whether_warm(value)


def fail(message: str) -> None:
    raise GenerationError([Problem("spec.yaml", "/x", "test.code", message, 3)])


@pytest.mark.parametrize("count", [1, 2])
def test_results_come_back_in_order_and_errors_through_their_getter(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "cores", lambda: count)
    with jobs.workers() as submit:
        doubled = [submit(where_and_whether_warm, n) for n in range(6)]
        failed = submit(fail, "broken")
        assert [get()[0] for get in doubled] == [0, 2, 4, 6, 8, 10]
        pids = {get()[1] for get in doubled}
        assert (pids == {os.getpid()}) is (count == 1)
        with pytest.raises(GenerationError) as raised:
            failed()
    assert raised.value.problems == [Problem("spec.yaml", "/x", "test.code", "broken", 3)]


def test_every_worker_warms_up_before_its_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "cores", lambda: 2)
    with jobs.workers(warm) as submit:
        results = [submit(where_and_whether_warm, n)() for n in range(4)]
    assert all(warmed for _, _, warmed in results)
    assert os.getpid() not in {pid for _, pid, _ in results}


@pytest.mark.parametrize(("count", "unwarmed", "cold"), [(3, 1, 1), (2, 5, 1), (2, 0, 0)])
def test_workers_left_unwarmed_skip_the_warm_up_and_one_always_warms(
    count: int, unwarmed: int, cold: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "cores", lambda: count)
    with jobs.workers(warm, unwarmed=unwarmed) as submit:
        results = [get() for get in [submit(slowly_where_and_whether_warm, n) for n in range(4 * count)]]
    warmed = {pid: was for _, pid, was in results}
    assert len(warmed) == count  # every worker took jobs
    assert sorted(warmed.values()) == [False] * cold + [True] * (count - cold)


def test_cores_counts_what_this_process_may_use() -> None:
    assert 1 <= jobs.cores() <= (os.cpu_count() or 1)


def leave_mark(folder: Path, index: int) -> None:
    time.sleep(0.05)
    (folder / str(index)).touch()


def test_jobs_not_started_are_cancelled_when_the_caller_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "cores", lambda: 2)
    with pytest.raises(KeyError), jobs.workers() as submit:
        for index in range(40):
            submit(leave_mark, tmp_path, index)
        raise KeyError("caller failed")
    assert len(list(tmp_path.iterdir())) < 10  # the few already handed to a worker, not all 40


def die() -> None:
    os._exit(3)


def test_kept_workers_serve_every_scope_warm_and_outlive_a_failed_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "cores", lambda: 2)
    with jobs.kept_workers(warm):
        with jobs.workers() as submit:  # submitted together, taking a while: every worker takes some
            first = [get() for get in [submit(slowly_where_and_whether_warm, n) for n in range(4)]]
        with pytest.raises(KeyError), jobs.workers() as submit:
            for index in range(40):
                submit(leave_mark, tmp_path, index)
            raise KeyError("caller failed")
        with jobs.workers() as submit:  # queued behind whatever the failed scope left: none of it
            second = [get() for get in [submit(slowly_where_and_whether_warm, n) for n in range(4)]]
        assert len(list(tmp_path.iterdir())) < 10  # the few already handed to a worker, not all 40
    assert all(warmed for _, _, warmed in first + second)
    assert {pid for _, pid, _ in first} & {pid for _, pid, _ in second}, "the same workers, kept"
    assert os.getpid() not in {pid for _, pid, _ in first + second}


def test_a_kept_worker_that_dies_fails_its_scope_and_the_next_gets_new_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures.process import BrokenProcessPool

    monkeypatch.setattr(jobs, "cores", lambda: 2)
    with jobs.kept_workers():
        with pytest.raises(BrokenProcessPool), jobs.workers() as submit:
            submit(die)()
        with jobs.workers() as submit:
            assert submit(where_and_whether_warm, 4)()[0] == 8


def collecting() -> bool:
    return gc.isenabled()


@pytest.mark.parametrize("count", [1, 2])
def test_the_collector_is_paused_for_the_caller_and_on_for_jobs(count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A generation runs with Python's cycle collector paused; jobs run with it on, in a worker forked meanwhile or
    in this process, and the caller's pause holds after a job run here."""
    monkeypatch.setattr(jobs, "cores", lambda: count)
    assert gc.isenabled()
    with jobs.collector_paused():
        assert not gc.isenabled()
        with jobs.workers() as submit:
            assert submit(collecting)() is True
        assert not gc.isenabled()
        with jobs.collector_paused():  # nested: still off after
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with jobs.collector_paused():
            pass
        assert not gc.isenabled()  # left as it was
    finally:
        gc.enable()


def collector_state() -> tuple[int, bool]:
    return gc.get_freeze_count(), gc.isenabled()


@pytest.mark.skipif(
    __import__("multiprocessing").get_start_method() != "fork", reason="only a forked worker inherits the caller's"
)
def test_a_worker_freezes_what_it_inherits_and_collects_what_it_makes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked for a run's first job, a worker holds a copy of everything the caller had (a spec's document and IR):
    frozen, so that its collections do not walk it; the collector is on for what its jobs make."""
    monkeypatch.setattr(jobs, "cores", lambda: 2)
    inherited = [[index] for index in range(100_000)]  # containers the collector tracks
    with jobs.collector_paused(), jobs.workers() as submit:
        frozen, enabled = submit(collector_state)()
    assert frozen >= len(inherited) and enabled
