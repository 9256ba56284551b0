from __future__ import annotations

import asyncio

from mockserver.clock import ManualClock, SystemClock, wait, wall_time


def test_manual_clock_moves_only_forward_and_resets_to_its_start() -> None:
    clock = ManualClock(start=1000)
    assert clock.now() == 1000
    clock.set(1500.5)
    assert clock.now() == 1500.5
    clock.set(1200)  # never backwards
    assert clock.now() == 1500.5
    clock.reset()
    assert clock.now() == 1000
    assert clock.mode == "manual"


def test_manual_clock_starts_at_the_real_time_by_default() -> None:
    assert abs(ManualClock().now() - wall_time()) < 5


def test_system_clock_follows_the_wall_clock() -> None:
    assert SystemClock().mode == "real"
    assert abs(SystemClock().now() - wall_time()) < 1


async def test_wait_returns_when_woken_or_after_the_timeout() -> None:
    event = asyncio.Event()
    event.set()
    await asyncio.wait_for(wait(event, None), 1)  # woken at once
    await asyncio.wait_for(wait(asyncio.Event(), 0.01), 1)  # times out quietly
