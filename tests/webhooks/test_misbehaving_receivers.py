"""Receivers that misbehave, and advances and resets around them (issue 12, items 1, 7 and 12)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable

import httpx
import openai
import pytest

from mockserver import Settings
from mockserver.clock import ManualClock
from mockserver.scheduler import Scheduler
from tests.conftest import BASE_URL, Advance
from tests.webhooks.conftest import Receiver

Upload = Callable[..., Awaitable[str]]


async def _cancelled_job(client: openai.AsyncOpenAI, upload: Upload) -> str:
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    await client.fine_tuning.jobs.cancel(job.id)
    return job.id


@pytest.mark.parametrize("due", [math.nan, math.inf, -math.inf])
def test_the_timer_heap_refuses_a_due_time_that_is_not_finite(due: float) -> None:
    scheduler = Scheduler(ManualClock(start=0))
    with pytest.raises(ValueError, match="finite"):
        scheduler.schedule(due, lambda at: None)
    assert scheduler.pending() == 0


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999", "NaN", "Tue, 99 Foo 2026", "-5"])
async def test_a_retry_after_that_is_not_a_sane_number_falls_back_to_the_schedule(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver, value: str
) -> None:
    receiver.then(httpx.Response(503, headers={"retry-after": value}))
    await _cancelled_job(client, upload)
    await advance(0)
    # "-5" is a number: clamped to 0, so the retry is due at once; the others fall back to the schedule's 5 s.
    await advance(0 if value == "-5" else 5)
    assert len(receiver.requests) == 2
    # Every other project's state changes still happen: the heap was not poisoned.
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    await advance(3600)
    assert (await client.fine_tuning.jobs.retrieve(job.id)).status == "succeeded"


async def test_an_advance_delivers_side_by_side(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver, settings: Settings
) -> None:
    """Jobs ending in one advance are announced concurrently: each answer here waits until eight are in flight."""
    in_flight = 0
    most = 0
    eight = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        if in_flight >= 8:
            eight.set()
        try:
            async with asyncio.timeout(5):  # one at a time would never get here: fail rather than hang
                await eight.wait()
        finally:
            in_flight -= 1
        return httpx.Response(200)

    training = await upload()
    for _ in range(40):
        await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training)
    receiver.then(*[slow] * 40)
    await advance(3600)
    assert len(receiver.requests) == 40
    assert 8 <= most <= settings.webhook_concurrency
    deliveries = (await client._client.get(f"{BASE_URL}/_mock/webhooks/deliveries")).json()["data"]
    assert len(deliveries) == 40 and all(attempt["succeeded"] for attempt in deliveries)


async def test_a_reset_during_an_advance_leaves_the_clock_at_its_start(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI, upload: Upload, receiver: Receiver
) -> None:
    start = (await http.get("/_mock/clock")).json()["now"]
    arrived, release = asyncio.Event(), asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        arrived.set()
        await release.wait()
        return httpx.Response(200)

    receiver.then(hang)
    await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    advancing = asyncio.ensure_future(http.post("/_mock/clock/advance", json={"seconds": 3600}))
    await arrived.wait()
    assert (await http.post("/_mock/reset")).status_code == 200
    release.set()
    assert (await advancing).status_code == 200
    assert (await http.get("/_mock/clock")).json()["now"] == start
    assert (await http.get("/v1/fine_tuning/jobs")).json()["data"] == []
