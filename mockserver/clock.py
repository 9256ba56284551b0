"""Time, injected: the only module that reads the wall clock or waits on it.

Domain code asks a `Clock` for `now()`; it never calls `time.time()` or sleeps. `SystemClock` follows the wall clock,
`ManualClock` moves only when told to, which is what makes lifecycle tests deterministic.
"""

from __future__ import annotations

import asyncio
import time
from typing import Literal, Protocol

ClockMode = Literal["real", "manual"]


class Clock(Protocol):
    """Where simulated time comes from: the server clock of every object, event and retry."""

    @property
    def mode(self) -> ClockMode: ...

    def now(self) -> float:
        """Current time in unix seconds."""
        ...


class SystemClock:
    """The wall clock."""

    mode: ClockMode = "real"

    def now(self) -> float:
        return time.time()


class ManualClock:
    """A clock that stands still until `set()` moves it forward; `reset()` takes it back to its start."""

    mode: ClockMode = "manual"

    def __init__(self, start: float | None = None) -> None:
        # Starting at the real time keeps timestamps plausible (a job created "in 1970" looks broken in a UI).
        self.start = float(int(time.time())) if start is None else float(start)
        self._now = self.start

    def now(self) -> float:
        return self._now

    def set(self, when: float) -> None:
        """Move to `when`; time never goes backwards, so an earlier value is ignored."""
        if when > self._now:
            self._now = when

    def reset(self) -> None:
        self._now = self.start


def wall_time() -> float:
    """The real time, for what must not follow the simulated clock (webhook signing timestamps)."""
    return time.time()


def elapsed() -> float:
    """A monotonic reading for measuring durations (request processing time)."""
    return time.perf_counter()


async def sleep(seconds: float) -> None:
    """Real time passing: only for what a client must feel in real time (an injected response delay)."""
    await asyncio.sleep(seconds)


async def one_turn() -> None:
    """No time passing: one turn of the event loop, so that what the network has already said (a peer's close) is
    read before acting on a connection."""
    await asyncio.sleep(0)


async def wait(wakeup: asyncio.Event, seconds: float | None) -> None:
    """Wait until `wakeup` is set or `seconds` of real time have passed."""
    try:
        async with asyncio.timeout(seconds):
            await wakeup.wait()
    except TimeoutError:
        pass
