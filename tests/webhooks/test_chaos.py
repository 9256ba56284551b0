"""Webhook chaos per endpoint: duplicates, reordering, delays and broken attempts, seeded, marked in the delivery log,
and never at the cost of an event: each is still properly delivered, through the retry schedule if need be."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import openai
import pytest

from mockserver import Settings, create_app
from mockserver.schemas.chaos import BROKEN_KINDS
from mockserver.webhooks.signing import verify
from tests.conftest import Advance, training_lines
from tests.webhooks.conftest import HOOK_URL, SECRET, Receiver

Upload = Callable[..., Awaitable[str]]
ENDPOINT = "we_cli_1"


async def _chaos(http: httpx.AsyncClient, **chaos: Any) -> dict[str, Any]:
    response = await http.patch(f"/_mock/webhooks/endpoints/{ENDPOINT}", json={"chaos": chaos})
    assert response.status_code == 200, response.text
    endpoint: dict[str, Any] = response.json()
    return endpoint


async def _cancelled_jobs(client: openai.AsyncOpenAI, upload: Upload, count: int) -> list[str]:
    """`count` jobs cancelled one after the other: one event each, in this order."""
    file_id = await upload()
    ids = []
    for _ in range(count):
        job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=file_id)
        await client.fine_tuning.jobs.cancel(job.id)
        ids.append(job.id)
    return ids


async def _log(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await http.get("/_mock/webhooks/deliveries")
    data: list[dict[str, Any]] = response.json()["data"]
    return list(reversed(data))  # oldest first


def _valid(request: httpx.Request) -> bool:
    try:
        verify(SECRET, dict(request.headers), request.content, now=time.time())  # the wall clock signs
    except (ValueError, KeyError):
        return False
    return True


async def test_duplicates_and_reordering_deliver_every_event_at_least_once_and_mark_each_chaotic_attempt(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver, http: httpx.AsyncClient
) -> None:
    await _chaos(http, duplicate=1.0, reorder=0.5)
    jobs = await _cancelled_jobs(client, upload, 8)
    await advance(0)
    seen = [event["data"]["id"] for event in receiver.events()]
    assert Counter(seen) == Counter({job: 2 for job in jobs})  # each once, then its duplicate
    webhook_ids = Counter(request.headers["webhook-id"] for request in receiver.requests)
    assert sorted(webhook_ids.values()) == [2] * 8  # a duplicate is the same delivery: the same webhook-id
    first_arrivals = list(dict.fromkeys(seen))
    assert first_arrivals != jobs and sorted(first_arrivals) == sorted(jobs)  # out of order, none missing
    log = await _log(http)
    proper = [a for a in log if "duplicate" not in a["chaos"]]
    assert sorted(a["object_id"] for a in proper) == sorted(jobs) and all(a["succeeded"] for a in proper)
    assert all(a["chaos"] in ([], ["reordered"]) for a in proper)
    duplicates = [a for a in log if a["chaos"] == ["duplicate"]]
    assert sorted(a["object_id"] for a in duplicates) == sorted(jobs) and all(a["succeeded"] for a in duplicates)
    reordered = [a["object_id"] for a in proper if a["chaos"] == ["reordered"]]
    assert 0 < len(reordered) < len(jobs)  # seeded: some, not all
    # A reordered event arrived after one that happened later (or, the last held, at the settle).
    for job in reordered:
        later = jobs[jobs.index(job) + 1 :]
        assert not later or any(first_arrivals.index(other) < first_arrivals.index(job) for other in later)


async def test_broken_attempts_never_count_and_the_retry_schedule_still_delivers_everything(
    settings: Settings, receiver: Receiver, client: openai.AsyncOpenAI, upload: Upload, advance: Advance,
    http: httpx.AsyncClient,
) -> None:  # fmt: skip
    await _chaos(http, **{kind: 1.0 for kind in BROKEN_KINDS}, duplicate=0.5, reorder=0.5)
    # The proper attempts fail at first: every event goes through the retry schedule. A receiver that answers
    # the broken attempts 200 must not make the mock count the event as delivered.
    refused: Counter[str] = Counter()

    async def careful(request: httpx.Request) -> httpx.Response:
        if not _valid(request):
            return httpx.Response(200)  # careless about forgeries: still not the delivery
        webhook_id = request.headers["webhook-id"]
        refused[webhook_id] += 1
        return httpx.Response(500 if refused[webhook_id] <= 2 else 200)

    receiver.then(*[careful] * 500)
    jobs = await _cancelled_jobs(client, upload, 5)
    for delay in settings.webhook_retry_schedule[:2]:
        await advance(delay)
    log = await _log(http)
    proper = [a for a in log if not set(a["chaos"]) & set(BROKEN_KINDS) and "duplicate" not in a["chaos"]]
    delivered = {a["object_id"] for a in proper if a["succeeded"]}
    assert delivered == set(jobs)  # 0 lost
    assert Counter(a["object_id"] for a in proper) == Counter({job: 3 for job in jobs})  # 500, 500, 200: counted
    broken = [a for a in log if set(a["chaos"]) & set(BROKEN_KINDS)]
    assert Counter(kind for a in broken for kind in a["chaos"]) == Counter({kind: 5 for kind in BROKEN_KINDS})
    assert all(a["response"]["status"] == 200 and not a["succeeded"] for a in broken)
    assert all(a["attempt"] == 1 and a["next_retry_at"] is None for a in broken)  # sent once, with attempt 1
    assert [a for a in broken if a["chaos"] == ["missing_header"]][0]["chaos_detail"].startswith("no webhook-")
    valid_arrivals = {request.headers["webhook-id"] for request in receiver.requests if _valid(request)}
    assert len(valid_arrivals) == 5
    assert sum(not _valid(request) for request in receiver.requests) == 5 * len(BROKEN_KINDS)


async def test_a_delay_holds_the_first_attempt_on_the_server_clock(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver, http: httpx.AsyncClient
) -> None:
    await _chaos(http, delay=30)
    [job] = await _cancelled_jobs(client, upload, 1)
    await advance(29)
    assert receiver.requests == []
    await advance(1)
    assert [event["data"]["id"] for event in receiver.events()] == [job]
    [attempt] = await _log(http)
    assert attempt["chaos"] == ["delayed"] and attempt["succeeded"]
    assert attempt["attempted_at"] == receiver.events()[0]["created_at"] + 30


async def test_the_same_seed_disturbs_the_same_events_the_same_way() -> None:
    async def marks() -> list[tuple[str, list[str]]]:
        app = create_app(
            Settings(clock="manual", seed=3, webhook_urls=(HOOK_URL,), webhook_secret=SECRET),
            webhook_transport=httpx.MockTransport(Receiver().handle),
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as http:
            await _chaos(http, duplicate=0.5, bad_signature=0.5, reorder=0.3)
            auth = {"Authorization": "Bearer sk-test"}
            files = {"file": ("t.jsonl", training_lines())}
            file = (await http.post("/v1/files", files=files, data={"purpose": "fine-tune"}, headers=auth)).json()
            for _ in range(6):
                body = {"model": "gpt-4o-mini", "training_file": file["id"]}
                job = (await http.post("/v1/fine_tuning/jobs", json=body, headers=auth)).json()
                await http.post(f"/v1/fine_tuning/jobs/{job['id']}/cancel", headers=auth)
            await http.post("/_mock/webhooks/settle")
            return sorted((a["object_id"], a["chaos"]) for a in await _log(http))

    first = await marks()
    assert any(chaos for _, chaos in first) and any(not chaos for _, chaos in first)
    assert await marks() == first


async def test_chaos_is_refused_out_of_range_and_removed_with_null(http: httpx.AsyncClient) -> None:
    response = await http.patch(f"/_mock/webhooks/endpoints/{ENDPOINT}", json={"chaos": {"duplicate": 2}})
    assert response.status_code == 400 and "duplicate" in response.text
    response = await http.patch(f"/_mock/webhooks/endpoints/{ENDPOINT}", json={"chaos": {"sometimes": 1}})
    assert response.status_code == 400
    assert (await _chaos(http, duplicate=1))["chaos"]["duplicate"] == 1
    response = await http.patch(f"/_mock/webhooks/endpoints/{ENDPOINT}", json={"chaos": None})
    assert response.json()["chaos"] is None


@pytest.mark.parametrize("kind", BROKEN_KINDS)
async def test_each_broken_kind_fails_verification_the_way_it_says(
    kind: str, client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver,
    http: httpx.AsyncClient,
) -> None:  # fmt: skip
    await _chaos(http, **{kind: 1.0})
    await _cancelled_jobs(client, upload, 1)
    await advance(0)
    broken, proper = receiver.requests
    assert not _valid(broken) and _valid(proper)
    assert broken.headers.get("webhook-id", proper.headers["webhook-id"]) == proper.headers["webhook-id"]
