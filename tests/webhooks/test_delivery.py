"""Delivery through an injected transport: what is sent, when, how often, and what the log shows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import openai
import pytest
from openai.types.webhooks import FineTuningJobCancelledWebhookEvent

from mockserver import Settings, create_app
from mockserver.auth import DEFAULT_PROJECT
from tests.conftest import Advance, AppClient, training_lines
from tests.verification import verify_both
from tests.webhooks.conftest import HOOK_URL, SECRET, Receiver

Upload = Callable[..., Awaitable[str]]


async def _job(client: openai.AsyncOpenAI, upload: Upload, **kwargs: Any) -> str:
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload(), **kwargs)
    return job.id


async def _deliveries(http: httpx.AsyncClient, **filters: str) -> list[dict[str, Any]]:
    response = await http.get("/_mock/webhooks/deliveries", params=filters)
    assert response.status_code == 200
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def test_a_cancel_sends_one_event_that_both_verifiers_accept(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver, http: httpx.AsyncClient
) -> None:
    job_id = await _job(client, upload)
    cancelled = await client.fine_tuning.jobs.cancel(job_id)
    await advance(0)  # lets the background attempt finish
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert str(request.url) == HOOK_URL and request.method == "POST"
    event = verify_both(request, SECRET)
    assert isinstance(event, FineTuningJobCancelledWebhookEvent)
    assert event.data.id == job_id and event.id.startswith("evt_")
    assert event.created_at == cancelled.created_at  # the server clock, which has not moved
    assert request.headers["webhook-id"].startswith("wh_")
    assert request.headers["user-agent"] == "OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)"
    [attempt] = await _deliveries(http)
    assert attempt["succeeded"] and attempt["attempt"] == 1 and attempt["response"]["status"] == 200
    assert attempt["webhook_id"] == request.headers["webhook-id"]
    assert attempt["request"]["body"] == request.content.decode()
    # The log keeps a proper attempt's signature alone and rebuilds the rest: every header as it was sent.
    assert attempt["request"]["headers"] == {name: request.headers[name] for name in attempt["request"]["headers"]}
    assert set(attempt["request"]["headers"]) >= {"webhook-id", "webhook-timestamp", "webhook-signature"}


async def test_success_and_failure_each_send_exactly_one_event_and_intermediate_states_none(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver
) -> None:
    ok = await _job(client, upload)
    bad = await _job(client, upload, extra_headers={"x-mock-scenario": "fail"})
    await advance(5)  # validating -> queued -> running: nothing announced
    assert receiver.requests == []
    await advance(3600)
    types = sorted((event["type"], event["data"]["id"]) for event in receiver.events())
    assert types == sorted([("fine_tuning.job.succeeded", ok), ("fine_tuning.job.failed", bad)])
    for request in receiver.requests:
        verify_both(request, SECRET)


async def test_signatures_still_verify_after_the_clock_moved_hours(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver
) -> None:
    job_id = await _job(client, upload, extra_headers={"x-mock-scenario": "stall"})
    await advance(36 * 3600)
    await client.fine_tuning.jobs.cancel(job_id)
    await advance(0)
    event = verify_both(receiver.requests[0], SECRET)
    assert event.created_at >= (await client.fine_tuning.jobs.retrieve(job_id)).created_at + 36 * 3600


async def test_events_are_recorded_without_any_endpoint(upload: Upload, app_client: AppClient) -> None:
    app = create_app(Settings(clock="manual"))
    async with app_client(app) as http:
        http.headers["Authorization"] = "Bearer sk-test"
        file = (await http.post("/v1/files", files={"file": ("t.jsonl", training_lines())},
                                data={"purpose": "fine-tune"})).json()  # fmt: skip
        ids = []
        for _ in range(2):
            job = await http.post("/v1/fine_tuning/jobs", json={"model": "gpt-4o-mini", "training_file": file["id"]})
            ids.append(job.json()["id"])
            await http.post(f"/v1/fine_tuning/jobs/{ids[-1]}/cancel")
        events = (await http.get("/_mock/webhooks/events")).json()["data"]
        assert [event["data"]["id"] for event in events] == ids[::-1]  # newest first
        parsed = FineTuningJobCancelledWebhookEvent.model_validate(
            {k: v for k, v in events[0].items() if k != "project"}
        )
        assert parsed.type == "fine_tuning.job.cancelled"
        assert events[0]["project"] == DEFAULT_PROJECT
        filtered = (await http.get("/_mock/webhooks/events", params={"object_id": ids[0]})).json()["data"]
        assert [event["data"]["id"] for event in filtered] == [ids[0]]
        assert (await http.get("/_mock/webhooks/deliveries")).json()["data"] == []


async def test_failed_attempts_are_retried_on_the_schedule_with_one_webhook_id(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver, http: httpx.AsyncClient
) -> None:
    receiver.then(500, 503)
    job_id = await _job(client, upload)
    await client.fine_tuning.jobs.cancel(job_id)
    await advance(0)
    assert len(receiver.requests) == 1
    await advance(4.9)
    assert len(receiver.requests) == 1
    await advance(0.1)  # 5 s after the first attempt
    assert len(receiver.requests) == 2
    await advance(299)
    assert len(receiver.requests) == 2
    await advance(1)  # 5 min after the second
    assert len(receiver.requests) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert len({r.content for r in receiver.requests}) == 1
    for request in receiver.requests:
        verify_both(request, SECRET)
    attempts = await _deliveries(http)
    assert [a["attempt"] for a in attempts] == [3, 2, 1]  # newest first
    assert [a["succeeded"] for a in attempts] == [True, False, False]
    assert attempts[2]["next_retry_at"] == attempts[2]["attempted_at"] + 5
    assert attempts[1]["next_retry_at"] == attempts[1]["attempted_at"] + 300
    assert attempts[0]["next_retry_at"] is None


async def test_one_advance_runs_every_retry_that_falls_due_within_it(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver
) -> None:
    receiver.then(500, 500, 500)
    await client.fine_tuning.jobs.cancel(await _job(client, upload))
    await advance(2 * 3600)  # 5 s, 5 min and 30 min all fall within two hours
    assert len(receiver.requests) == 4


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (httpx.ReadTimeout("read timed out"), "timed out"),
        (httpx.ConnectError("connection refused"), "ConnectError: connection refused"),
        (httpx.RemoteProtocolError("garbage"), "RemoteProtocolError"),
        (302, None),
        (404, None),
    ],
)
async def test_timeouts_connection_errors_redirects_and_4xx_are_retried(
    client: openai.AsyncOpenAI,
    upload: Upload,
    advance: Advance,
    receiver: Receiver,
    http: httpx.AsyncClient,
    failure: Any,
    expected: str | None,
) -> None:
    if failure == 302:
        failure = httpx.Response(302, headers={"location": "http://elsewhere.test/"})
    receiver.then(failure)
    await client.fine_tuning.jobs.cancel(await _job(client, upload))
    await advance(5)
    assert len(receiver.requests) == 2
    first, second = (await _deliveries(http))[::-1]
    assert not first["succeeded"] and second["succeeded"]
    if expected is not None:
        assert expected in first["error"] and first["response"] is None
    else:
        assert first["response"]["status"] in (302, 404) and first["error"] is None


async def test_retry_after_is_honoured(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver
) -> None:
    receiver.then(httpx.Response(503, headers={"retry-after": "120"}))
    await client.fine_tuning.jobs.cancel(await _job(client, upload))
    await advance(60)
    assert len(receiver.requests) == 1
    await advance(60)
    assert len(receiver.requests) == 2


async def test_an_endpoint_answering_410_is_disabled(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver, http: httpx.AsyncClient
) -> None:
    receiver.then(410)
    await client.fine_tuning.jobs.cancel(await _job(client, upload))
    await advance(3600)
    assert len(receiver.requests) == 1
    [endpoint] = (await http.get("/_mock/webhooks/endpoints")).json()["data"]
    assert endpoint["enabled"] is False and "410" in endpoint["disabled_reason"]
    await client.fine_tuning.jobs.cancel(await _job(client, upload))
    await advance(3600)
    assert len(receiver.requests) == 1
    assert (await http.patch(f"/_mock/webhooks/endpoints/{endpoint['id']}", json={"enabled": True})).json()["enabled"]
    await client.fine_tuning.jobs.cancel(await _job(client, upload))
    await advance(0)
    assert len(receiver.requests) == 2


async def test_delivery_gives_up_when_the_schedule_is_spent(
    upload: Upload, receiver: Receiver, app_client: AppClient
) -> None:
    settings = Settings(clock="manual", webhook_urls=(HOOK_URL,), webhook_secret=SECRET, webhook_retry_schedule=(1, 2))
    app = create_app(settings, webhook_transport=httpx.MockTransport(receiver.handle))
    receiver.then(500, 500, 500, 500)
    async with app_client(app) as http:
        http.headers["Authorization"] = "Bearer sk-test"
        file = (await http.post("/v1/files", files={"file": ("t.jsonl", training_lines())},
                                data={"purpose": "fine-tune"})).json()  # fmt: skip
        job = (
            await http.post("/v1/fine_tuning/jobs", json={"model": "gpt-4o-mini", "training_file": file["id"]})
        ).json()
        await http.post(f"/v1/fine_tuning/jobs/{job['id']}/cancel")
        await http.post("/_mock/clock/advance", json={"seconds": 3600})
        assert len(receiver.requests) == 3
        attempts = (await http.get("/_mock/webhooks/deliveries")).json()["data"]
        assert attempts[0]["attempt"] == 3 and attempts[0]["next_retry_at"] is None


async def test_an_api_request_never_waits_for_a_receiver(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver
) -> None:
    release = asyncio.Event()

    async def slow(request: httpx.Request) -> int:
        await release.wait()
        return 200

    receiver.then(slow)
    job_id = await _job(client, upload)
    cancelled = await asyncio.wait_for(client.fine_tuning.jobs.cancel(job_id), 2)
    assert cancelled.status == "cancelled"
    assert (await client.fine_tuning.jobs.retrieve(job_id)).status == "cancelled"
    release.set()
    await advance(0)
    assert len(receiver.requests) == 1


async def test_rotated_secrets_sign_with_both_until_the_old_one_expires(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver, http: httpx.AsyncClient
) -> None:
    endpoint = (await http.post("/_mock/webhooks/endpoints", json={"url": "http://rotating.test/"})).json()
    old = endpoint["secret"]
    rotated = (await http.post(f"/_mock/webhooks/endpoints/{endpoint['id']}/rotate",
                               json={"expire_previous_after": 600})).json()  # fmt: skip
    new = rotated["secret"]
    assert new != old and rotated["previous_secrets"][0]["secret"] == old
    await client.fine_tuning.jobs.cancel(await _job(client, upload))
    await advance(0)
    request = next(r for r in receiver.requests if r.url.host == "rotating.test")
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    verify_both(request, old)
    verify_both(request, new)
    await advance(601)
    await client.fine_tuning.jobs.cancel(await _job(client, upload))
    await advance(0)
    later = [r for r in receiver.requests if r.url.host == "rotating.test"][-1]
    assert len(later.headers["webhook-signature"].split(" ")) == 1
    verify_both(later, new)


async def test_event_filters_and_project_endpoints(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver, http: httpx.AsyncClient
) -> None:
    await http.post("/_mock/webhooks/endpoints", json={"url": "http://only-success.test/",
                                                       "events": ["fine_tuning.job.succeeded"]})  # fmt: skip
    await http.post("/_mock/webhooks/endpoints", json={"url": "http://other-project.test/", "project": "proj_x"})
    await http.post("/_mock/webhooks/endpoints", json={"url": "http://this-project.test/", "project": DEFAULT_PROJECT})
    done = await _job(client, upload)
    await client.fine_tuning.jobs.cancel(await _job(client, upload))
    await advance(3600)
    by_host: dict[str, list[str]] = {}
    for request, event in zip(receiver.requests, receiver.events(), strict=True):
        by_host.setdefault(request.url.host, []).append(event["type"])
    assert by_host["only-success.test"] == ["fine_tuning.job.succeeded"]
    assert "other-project.test" not in by_host
    assert sorted(by_host["this-project.test"]) == ["fine_tuning.job.cancelled", "fine_tuning.job.succeeded"]
    assert sorted(by_host["hooks.test"]) == sorted(by_host["this-project.test"])
    succeeded = {event["data"]["id"] for event in receiver.events() if event["type"] == "fine_tuning.job.succeeded"}
    assert succeeded == {done}


async def test_resend_delivers_again_with_the_same_webhook_id(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver, http: httpx.AsyncClient
) -> None:
    await client.fine_tuning.jobs.cancel(await _job(client, upload))
    await advance(0)
    [event] = (await http.get("/_mock/webhooks/events")).json()["data"]
    resent = await http.post(f"/_mock/webhooks/events/{event['id']}/resend")
    assert resent.status_code == 200 and len(resent.json()["data"]) == 1
    await advance(0)
    assert len(receiver.requests) == 2
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]
    assert receiver.requests[0].content == receiver.requests[1].content
    verify_both(receiver.requests[1], SECRET)
    missing = await http.post("/_mock/webhooks/events/evt_nope/resend")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "event_not_found"


async def test_the_delivery_log_filters(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, http: httpx.AsyncClient
) -> None:
    first = await _job(client, upload)
    second = await _job(client, upload)
    await client.fine_tuning.jobs.cancel(first)
    await advance(3600)
    assert {a["object_id"] for a in await _deliveries(http)} == {first, second}
    assert [a["object_id"] for a in await _deliveries(http, object_id=first)] == [first]
    assert [a["event_type"] for a in await _deliveries(http, event_type="fine_tuning.job.succeeded")] == [
        "fine_tuning.job.succeeded"
    ]
    assert await _deliveries(http, endpoint_id="we_nope") == []


async def test_reset_forgets_api_endpoints_and_deliveries_but_keeps_the_command_lines(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, http: httpx.AsyncClient
) -> None:
    await http.post("/_mock/webhooks/endpoints", json={"url": "http://temporary.test/"})
    await client.fine_tuning.jobs.cancel(await _job(client, upload))
    await advance(0)
    await http.post("/_mock/reset")
    endpoints = (await http.get("/_mock/webhooks/endpoints")).json()["data"]
    assert [(e["id"], e["url"], e["source"], e["secret"]) for e in endpoints] == [("we_cli_1", HOOK_URL, "cli", SECRET)]
    assert (await http.get("/_mock/webhooks/events")).json()["data"] == []
    assert (await http.get("/_mock/webhooks/deliveries")).json()["data"] == []


async def test_seeded_terminal_jobs_are_announced_once_a_loop_runs_and_not_again_after_a_reset(
    receiver: Receiver, app_client: AppClient
) -> None:
    from tests.conftest import FIXTURES

    settings = Settings(
        clock="manual", fixtures=FIXTURES / "seed.json", webhook_urls=(HOOK_URL,), webhook_secret=SECRET
    )
    app = create_app(settings, webhook_transport=httpx.MockTransport(receiver.handle))
    async with app_client(app) as http:
        await http.post("/_mock/clock/advance", json={"seconds": 0})
        assert sorted(event["type"] for event in receiver.events()) == [
            "fine_tuning.job.cancelled", "fine_tuning.job.failed", "fine_tuning.job.succeeded",
        ]  # fmt: skip
        # A reset brings the fixtures back, events included, without sending them again with new ids.
        for _ in range(2):
            assert (await http.post("/_mock/reset")).status_code == 200
            await http.post("/_mock/clock/advance", json={"seconds": 0})
        assert len(receiver.requests) == 3
        assert len((await http.get("/_mock/webhooks/events")).json()["data"]) == 3


async def test_disabling_an_endpoint_abandons_its_pending_retries(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, receiver: Receiver, http: httpx.AsyncClient
) -> None:
    receiver.then(500)
    await client.fine_tuning.jobs.cancel(await _job(client, upload))
    await advance(0)
    await http.patch("/_mock/webhooks/endpoints/we_cli_1", json={"enabled": False})
    await advance(3600)
    assert len(receiver.requests) == 1
    assert len(await _deliveries(http)) == 1
