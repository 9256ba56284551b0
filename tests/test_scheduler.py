from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from mockserver.clock import ManualClock, SystemClock
from mockserver.scheduler import Scheduler


async def test_advance_fires_due_timers_in_time_order_with_the_clock_at_each_due_time() -> None:
    clock = ManualClock(start=0)
    scheduler = Scheduler(clock)
    fired: list[tuple[str, float, float]] = []

    def recorder(name: str) -> Callable[[float], None]:
        return lambda at: fired.append((name, at, clock.now()))

    for name, due in (("c", 30.0), ("a", 10.0), ("b", 20.0), ("late", 100.0)):
        scheduler.schedule(due, recorder(name))
    await scheduler.advance_to(50)
    assert fired == [("a", 10, 10), ("b", 20, 20), ("c", 30, 30)]
    assert clock.now() == 50
    assert scheduler.pending() == 1


async def test_timers_scheduled_by_a_callback_fire_within_the_same_advance() -> None:
    clock = ManualClock(start=0)
    scheduler = Scheduler(clock)
    fired: list[float] = []

    def chain(at: float) -> None:
        fired.append(at)
        if len(fired) < 4:
            scheduler.schedule(at + 5, chain)

    scheduler.schedule(5, chain)
    await scheduler.advance_to(100)
    assert fired == [5, 10, 15, 20]


async def test_equal_due_times_fire_in_scheduling_order_and_cancelled_timers_never_fire() -> None:
    scheduler = Scheduler(ManualClock(start=0))
    fired: list[int] = []

    def recorder(index: int) -> Callable[[float], None]:
        return lambda at: fired.append(index)

    timers = [scheduler.schedule(1, recorder(i)) for i in range(5)]
    timers[2].cancel()
    await scheduler.advance_to(1)
    assert fired == [0, 1, 3, 4]


async def test_advance_awaits_asynchronous_callbacks_before_moving_on() -> None:
    clock = ManualClock(start=0)
    scheduler = Scheduler(clock)
    order: list[str] = []

    async def slow(at: float) -> None:
        await asyncio.sleep(0)
        order.append(f"slow@{at:g}")

    scheduler.schedule(1, slow)
    scheduler.schedule(2, lambda at: order.append(f"sync@{at:g}"))
    await scheduler.advance_to(5)
    assert order == ["slow@1", "sync@2"]


async def test_run_due_fires_only_what_is_due() -> None:
    scheduler = Scheduler(ManualClock(start=0))
    fired: list[float] = []
    scheduler.schedule(1, fired.append)
    scheduler.schedule(9, fired.append)
    scheduler.run_due(5)
    assert fired == [1]
    assert scheduler.next_due() == 9


async def test_clear_forgets_every_timer() -> None:
    scheduler = Scheduler(ManualClock(start=0))
    scheduler.schedule(1, lambda at: None)
    scheduler.clear()
    assert scheduler.next_due() is None


async def test_advance_needs_a_manual_clock() -> None:
    with pytest.raises(TypeError):
        await Scheduler(SystemClock()).advance_to(1)


async def test_run_forever_fires_timers_on_the_real_clock() -> None:
    clock = SystemClock()
    scheduler = Scheduler(clock)
    fired = asyncio.Event()
    driver = asyncio.create_task(scheduler.run_forever())
    await asyncio.sleep(0)
    scheduler.schedule(clock.now() + 0.05, lambda at: fired.set())
    await asyncio.wait_for(fired.wait(), 2)
    driver.cancel()
