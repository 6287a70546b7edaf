"""Progress of a long command on stderr: a line per phase, once the run has taken long enough to wonder about it.

A quick run prints nothing more than its result. Past `DELAY` seconds the phase under way is announced (by a timer,
so the phase that is itself the long one is announced while it runs), then every later phase as it begins; each
line says how long the run has taken so far.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType

__all__ = ["DELAY", "Progress"]

DELAY = 2.0
"""Seconds of quiet before a run reports its phases."""


class Progress:
    """Phases of one command run; use as a context manager (leaving it stops the timer)."""

    def __init__(self, command: str, delay: float | None = None) -> None:
        self.command = command
        self._started = time.perf_counter()
        self._phase: str | None = None
        self._loud = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(DELAY if delay is None else delay, self._wake)
        self._timer.daemon = True

    def __enter__(self) -> Progress:
        self._timer.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._timer.cancel()
        with self._lock:
            self._phase = None

    def phase(self, description: str) -> None:
        """`description` (lower case, no full stop) begins."""
        with self._lock:
            self._phase = description
            if self._loud:
                self._announce()

    def _wake(self) -> None:
        with self._lock:
            self._loud = True
            if self._phase is not None:
                self._announce()

    def _announce(self) -> None:
        elapsed = time.perf_counter() - self._started
        print(f"{self.command}: {self._phase} ({elapsed:.1f} s so far)", file=sys.stderr, flush=True)
