"""The live server under concurrent clients, and thousands of jobs delivered to a receiver that misbehaves.

These print their figures (jobs, requests, attempts, failures injected, events lost); they assert correctness,
never speed.
"""

from __future__ import annotations

import collections
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from mockserver import MockServer
from mockserver.settings import DEFAULT_RETRY_SCHEDULE
from mockserver.testing import WebhookReceiver
from tests.conftest import training_lines
from tests.e2e.receiver import Behaviour, LoopbackReceiver

pytestmark = [pytest.mark.e2e, pytest.mark.heavy]


def test_concurrent_cancels_retrieves_and_advances_apply_each_change_once(
    record_property: Callable[[str, object], None],
) -> None:
    jobs_count, racers = 20, 5
    with MockServer(seed=1) as server, WebhookReceiver() as receiver:
        server.add_webhook_endpoint(receiver)
        client = server.client()
        training = client.files.create(file=("t.jsonl", training_lines()), purpose="fine-tune").id
        jobs = [
            client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training).id for _ in range(jobs_count)
        ]
        headers = {"Authorization": f"Bearer {server.api_key}"}
        statuses: collections.Counter[tuple[str, int]] = collections.Counter()
        lock = threading.Lock()

        def call(method: str, path: str, **kwargs: Any) -> None:
            with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
                response = http.request(method, path, **kwargs)
            with lock:
                statuses[(path.rsplit("/", 1)[-1] if "cancel" in path else method, response.status_code)] += 1

        work: list[tuple[str, str, dict[str, Any]]] = []
        for job in jobs:
            work += [("POST", f"/v1/fine_tuning/jobs/{job}/cancel", {})] * racers
            work += [("GET", f"/v1/fine_tuning/jobs/{job}", {})] * racers
        work += [("POST", "/_mock/clock/advance", {"json": {"seconds": 1}})] * 10
        random.Random(3).shuffle(work)
        started = time.monotonic()
        with ThreadPoolExecutor(16) as pool:
            for future in [pool.submit(call, method, path, **kwargs) for method, path, kwargs in work]:
                future.result(timeout=60)  # no deadlock: everything answers
        elapsed = time.monotonic() - started
        server.advance(0)
        assert statuses[("cancel", 200)] == jobs_count  # each cancel applied once
        assert statuses[("cancel", 400)] == jobs_count * (racers - 1)  # the rest see it already cancelled
        assert not [key for key in statuses if key[1] >= 500]
        assert {job.status for job in client.fine_tuning.jobs.list(limit=100)} == {"cancelled"}
        per_job = collections.Counter(event.data.id for event in receiver.events)
        assert per_job == dict.fromkeys(jobs, 1)  # one webhook per terminal change, none lost, none doubled
        assert len([e for e in server.webhook_events() if e["type"] == "fine_tuning.job.cancelled"]) == jobs_count
        server.check()
        client.close()
    record_property(
        "figure",
        f"concurrency: {len(work)} requests from 16 threads in {elapsed:.2f} s; {jobs_count} jobs cancelled once "
        f"each; 0 errors; {jobs_count} webhooks, 0 lost, 0 doubled",
    )


def flaky(seed: int, fail: float, hang: float, reset: float) -> Callable[[], Behaviour]:
    """A seeded mix: a share of 500s, of hangs past the timeout, of reset connections; 200 otherwise."""
    rng = random.Random(seed)

    def choose() -> Behaviour:
        roll = rng.random()
        if roll < fail:
            return "fail"
        if roll < fail + hang:
            return "hang"
        return "reset" if roll < fail + hang + reset else "ok"

    return choose


def test_thousands_of_jobs_are_each_announced_exactly_once_through_injected_faults(
    record_property: Callable[[str, object], None],
) -> None:
    jobs_count = 1000
    receiver = LoopbackReceiver(choose=flaky(seed=11, fail=0.15, hang=0.03, reset=0.05))
    started = time.monotonic()
    # 2 s: a receiver answering 64 at once from threads of this process can take longer than a short timeout
    # on two busy cores, and an answer after the timeout is a 200 the mock counts as a failure (and resends).
    with MockServer(seed=2, webhook_timeout=2.0, webhook_concurrency=64) as server:
        server.add_webhook_endpoint(receiver.url)
        client = server.client()
        training = client.files.create(file=("t.jsonl", training_lines()), purpose="fine-tune").id
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training),
                          range(jobs_count)))  # fmt: skip
        server.advance(60)  # every job succeeds; first attempts go out
        for delay in DEFAULT_RETRY_SCHEDULE:  # walk the retry schedule until nothing is pending
            if len(receiver.answered) == jobs_count:
                break
            server.advance(delay)
        attempts = server.deliveries()
        server.check()
        client.close()
    receiver.close()
    events = {a["webhook_id"] for a in attempts}
    succeeded = collections.Counter(a["webhook_id"] for a in attempts if a["succeeded"])
    lost = [webhook_id for webhook_id in events if succeeded[webhook_id] == 0]
    assert len(events) == jobs_count
    assert lost == []
    assert set(succeeded.values()) == {1}  # exactly one successful attempt per event, as the mock saw it
    assert receiver.answered == succeeded  # and as the receiver saw it
    assert len(attempts) == len(receiver.received)  # every request the receiver saw is an attempt in the log
    injected = receiver.behaviours
    record_property(
        "figure",
        f"load with faults: {jobs_count} jobs, {len(attempts)} delivery attempts, failures injected: "
        f"{injected['fail']} x 500, {injected['hang']} hangs, {injected['reset']} resets; events lost = {len(lost)}; "
        f"{time.monotonic() - started:.1f} s",
    )
