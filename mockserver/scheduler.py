"""The timer heap: every due state change and retry is a timer, so work grows with what fires, not with what exists.

With a `ManualClock`, `advance_to()` fires timers in time order, setting the clock to each timer's due time first, so
what a callback stamps is the moment it was due; the timers due at one instant fire together, and the asynchronous
work they start is awaited together before time moves on. With a `SystemClock`, `run_forever()` wakes for the next
timer, and `run_due()` is also called before each request so that a due change is applied before anyone can observe it.
"""

from __future__ import annotations

import asyncio
import heapq
import inspect
import itertools
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from mockserver import clock as clocks
from mockserver.clock import Clock, ManualClock

logger = logging.getLogger(__name__)

Callback = Callable[[float], Awaitable[None] | None]


@dataclass(order=True)
class Timer:
    """One scheduled callback; `cancel()` leaves it in the heap, where it is skipped when it comes up."""

    due: float
    seq: int
    callback: Callback = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    def __init__(self, clock: Clock, *, on_fire: Callable[[], None] = lambda: None) -> None:
        self.clock = clock
        # Called before each timer fires (what the app's answer cache is emptied by).
        self._on_fire = on_fire
        self._heap: list[Timer] = []
        self._seq = itertools.count()
        self._wakeup = asyncio.Event()
        self._background: set[asyncio.Task[None]] = set()
        # Awaited by a manual advance before it moves on, so work that timers started (webhook deliveries) finishes
        # at the simulated time it belongs to, and whatever it schedules is in the heap before time passes it.
        self._settlers: list[Callable[[], Awaitable[None]]] = []
        # Manual advances await callbacks between heap pops; one at a time keeps their order intact.
        self._advance_lock = asyncio.Lock()
        # Counts `clear()`s: an advance that sees it change while it awaits was overtaken by a reset, and stops
        # where the reset left the clock instead of carrying it forward again.
        self._epoch = 0

    def schedule(self, due: float, callback: Callback) -> Timer:
        # A NaN compares false with everything, so one in the heap would stop every timer behind it from firing.
        if not math.isfinite(due):
            raise ValueError(f"a timer's due time must be finite, not {due}")
        timer = Timer(due, next(self._seq), callback)
        heapq.heappush(self._heap, timer)
        if self._heap[0] is timer:
            self._wakeup.set()
        return timer

    def add_settler(self, settle: Callable[[], Awaitable[None]]) -> None:
        self._settlers.append(settle)

    async def settle(self) -> None:
        for settle in self._settlers:
            await settle()

    def next_due(self) -> float | None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0].due if self._heap else None

    def pending(self) -> int:
        return sum(1 for timer in self._heap if not timer.cancelled)

    def clear(self) -> None:
        self._epoch += 1
        self._heap.clear()
        self._wakeup.set()

    def _pop_due(self, until: float) -> Timer | None:
        while self._heap and self._heap[0].due <= until:
            timer = heapq.heappop(self._heap)
            if not timer.cancelled:
                return timer
        return None

    def run_due(self, until: float) -> None:
        """Fire every timer due by `until` without waiting on any asynchronous work they start."""
        while (timer := self._pop_due(until)) is not None:
            self._on_fire()
            result = timer.callback(timer.due)
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                self._background.add(task)
                task.add_done_callback(self._background.discard)

    async def settle_due(self) -> None:
        """Apply what is due now and wait for the work it started (deliveries in flight), without moving time."""
        if isinstance(self.clock, ManualClock):
            await self.advance_to(self.clock.now())
            return
        self.run_due(self.clock.now())
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)
        await self.settle()

    async def advance_to(self, until: float) -> None:
        """Manual clock: fire due timers in time order, awaiting each, then leave the clock at `until`."""
        if not isinstance(self.clock, ManualClock):
            raise TypeError("advance_to() needs a ManualClock")
        clock = self.clock
        async with self._advance_lock:
            epoch = self._epoch
            await self.settle()
            while self._epoch == epoch and (first := self._pop_due(until)) is not None:
                clock.set(first.due)
                # Every timer due at this instant fires before anything is awaited, so that the work they start
                # (deliveries, retries) runs side by side, bounded only by the dispatcher's concurrency.
                work: list[Awaitable[None]] = []
                timer: Timer | None = first
                while timer is not None:
                    self._on_fire()
                    result = timer.callback(timer.due)
                    if inspect.isawaitable(result):
                        work.append(result)
                    timer = self._pop_due(first.due)
                if work:
                    await asyncio.gather(*work)
                await self.settle()
            if self._epoch == epoch:
                clock.set(until)

    async def run_forever(self) -> None:
        """Real clock: sleep until the next timer (or an earlier one is scheduled), fire what is due, repeat."""
        while True:
            due = self.next_due()
            timeout = None if due is None else max(0.0, due - self.clock.now())
            self._wakeup.clear()
            await clocks.wait(self._wakeup, timeout)
            try:
                self.run_due(self.clock.now())
            except Exception:  # a broken callback must not stop every other lifecycle
                logger.exception("scheduled callback failed")
