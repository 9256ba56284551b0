"""Webhooks end to end: the CLI-started server delivering to real receivers on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import openai
import pytest

from tests.conftest import training_lines
from tests.e2e.conftest import SECRET, CliServer, start_cli, start_listen
from tests.e2e.receiver import LoopbackReceiver
from tests.verification import verify_both

pytestmark = pytest.mark.e2e

Sdk = Callable[..., openai.OpenAI]


def _job(client: openai.OpenAI, scenario: str = "succeed") -> str:
    training = client.files.create(file=("train.jsonl", training_lines()), purpose="fine-tune")
    job = client.fine_tuning.jobs.create(
        model="gpt-4o-mini", training_file=training.id, extra_headers={"x-mock-scenario": scenario}
    )
    return job.id


def test_cancel_and_failure_each_produce_exactly_one_delivery(
    hooked: CliServer, sdk: Sdk, receiver: LoopbackReceiver
) -> None:
    client = sdk(hooked.base_url)
    cancelled = _job(client)
    failing = _job(client, "fail")
    client.fine_tuning.jobs.cancel(cancelled)
    hooked.advance(3600)
    events = [verify_both(received, SECRET) for received in receiver.received]
    assert sorted((event.type, event.data.id) for event in events) == sorted(
        [("fine_tuning.job.cancelled", cancelled), ("fine_tuning.job.failed", failing)]
    )
    assert all(r.headers["user-agent"].startswith("OpenAI/1.0") for r in receiver.received)
    assert {r.path for r in receiver.received} == {"/hooks"}


def test_a_receiver_that_fails_twice_gets_three_attempts_with_one_webhook_id(
    hooked: CliServer, sdk: Sdk, receiver: LoopbackReceiver
) -> None:
    receiver.then("fail", "fail")
    client = sdk(hooked.base_url)
    client.fine_tuning.jobs.cancel(_job(client))
    hooked.advance(0)
    assert len(receiver.received) == 1
    hooked.advance(5)
    assert len(receiver.received) == 2
    hooked.advance(300)
    assert len(receiver.received) == 3
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    for received in receiver.received:
        verify_both(received, SECRET)
    attempts = httpx.get(f"{hooked.url}/_mock/webhooks/deliveries").json()["data"]
    assert [(a["attempt"], a["succeeded"]) for a in attempts] == [(3, True), (2, False), (1, False)]
    assert attempts[2]["response"]["status"] == 500


def test_resend(hooked: CliServer, sdk: Sdk, receiver: LoopbackReceiver) -> None:
    client = sdk(hooked.base_url)
    client.fine_tuning.jobs.cancel(_job(client))
    hooked.advance(0)
    [event] = httpx.get(f"{hooked.url}/_mock/webhooks/events").json()["data"]
    httpx.post(f"{hooked.url}/_mock/webhooks/events/{event['id']}/resend").raise_for_status()
    hooked.advance(0)
    first, second = receiver.received
    assert first.body == second.body and first.headers["webhook-id"] == second.headers["webhook-id"]
    verify_both(second, SECRET)


def test_event_filters(hooked: CliServer, sdk: Sdk) -> None:
    filtered = LoopbackReceiver()
    try:
        endpoint = httpx.post(
            f"{hooked.url}/_mock/webhooks/endpoints",
            json={"url": filtered.url, "events": ["fine_tuning.job.succeeded"]},
        ).json()
        client = sdk(hooked.base_url)
        succeeded = _job(client)
        client.fine_tuning.jobs.cancel(_job(client))
        hooked.advance(3600)
        [only] = filtered.received
        event = verify_both(only, endpoint["secret"])
        assert (event.type, event.data.id) == ("fine_tuning.job.succeeded", succeeded)
    finally:
        filtered.close()


def test_an_endpoint_answering_410_is_disabled(hooked: CliServer, sdk: Sdk, receiver: LoopbackReceiver) -> None:
    receiver.then("gone")
    client = sdk(hooked.base_url)
    client.fine_tuning.jobs.cancel(_job(client))
    hooked.advance(3600)
    assert len(receiver.received) == 1
    endpoint = httpx.get(f"{hooked.url}/_mock/webhooks/endpoints/we_cli_1").json()
    assert endpoint["enabled"] is False
    client.fine_tuning.jobs.cancel(_job(client))
    hooked.advance(3600)
    assert len(receiver.received) == 1


@pytest.mark.parametrize("behaviour", ["hang", "reset", "garbage", "redirect"])
def test_a_misbehaving_receiver_stalls_nothing(
    hooked: CliServer, sdk: Sdk, receiver: LoopbackReceiver, behaviour: Any
) -> None:
    healthy = LoopbackReceiver()
    try:
        httpx.post(f"{hooked.url}/_mock/webhooks/endpoints", json={"url": healthy.url}).raise_for_status()
        receiver.then(behaviour)
        client = sdk(hooked.base_url)
        started = time.monotonic()
        client.fine_tuning.jobs.cancel(_job(client))
        assert time.monotonic() - started < 2  # the API answered without waiting for the receiver
        hooked.advance(0)
        assert time.monotonic() - started < 5  # a hanging receiver costs one attempt timeout (0.5 s), no more
        assert len(healthy.received) == 1
        attempts = httpx.get(f"{hooked.url}/_mock/webhooks/deliveries", params={"endpoint_id": "we_cli_1"}).json()
        [failed] = attempts["data"]
        assert not failed["succeeded"] and failed["next_retry_at"] is not None
        hooked.advance(5)
        assert len(receiver.received) == 2 and verify_both(receiver.received[1], SECRET)
    finally:
        healthy.close()


def test_a_generated_secret_is_printed_and_signs_deliveries(sdk: Sdk) -> None:
    receiver = LoopbackReceiver()
    server = start_cli("--port", "0", "--clock", "manual", "--webhook-url", receiver.url)
    try:
        secret = next(line.split(": ")[1].strip() for line in server.output if "webhook signing secret" in line)
        assert secret.startswith("whsec_")
        client = sdk(server.base_url)
        client.fine_tuning.jobs.cancel(_job(client))
        server.advance(0)
        assert verify_both(receiver.received[0], secret).type == "fine_tuning.job.cancelled"
    finally:
        server.stop()
        receiver.close()


def test_pending_deliveries_are_logged_at_shutdown(sdk: Sdk) -> None:
    receiver = LoopbackReceiver()
    receiver.then("fail")
    server = start_cli("--port", "0", "--clock", "manual", "--webhook-url", receiver.url, "--webhook-secret", SECRET)
    try:
        client = sdk(server.base_url)
        job_id = _job(client)
        client.fine_tuning.jobs.cancel(job_id)
        server.advance(0)
    finally:
        assert server.stop() == 0
        receiver.close()
    log = "".join(server.output)
    assert "undelivered webhook: fine_tuning.job.cancelled" in log and job_id in log


def test_mockserver_listen_prints_verifies_and_forwards(sdk: Sdk) -> None:
    target = LoopbackReceiver()
    listener = start_listen("--secret", SECRET, "--forward-to", target.url)
    wrong = start_listen("--secret", "whsec_" + "d3Jvbmcgc2VjcmV0IGZvciB0ZXN0cw==")
    server = start_cli(
        "--port", "0", "--clock", "manual", "--webhook-url", listener.url, "--webhook-url", wrong.url,
        "--webhook-secret", SECRET,
    )  # fmt: skip
    try:
        client = sdk(server.base_url)
        job_id = _job(client)
        client.fine_tuning.jobs.cancel(job_id)
        server.advance(0)
        [forwarded] = target.received
        assert verify_both(forwarded, SECRET).data.id == job_id
        line = next(line for line in listener.output if "fine_tuning.job.cancelled" in line)
        assert job_id in line and "signature ok" in line and "200" in line
        bad = next(line for line in wrong.output if "fine_tuning.job.cancelled" in line)
        assert "signature INVALID" in bad
    finally:
        for process in (server, listener, wrong):
            process.stop()
        target.close()


def test_on_the_real_clock_deliveries_and_retries_happen_by_themselves(sdk: Sdk) -> None:
    receiver = LoopbackReceiver()
    receiver.then("fail")
    server = start_cli(
        "--port", "0", "--webhook-url", receiver.url, "--webhook-secret", SECRET,
        "--webhook-retry-schedule", "0.2,0.2",
    )  # fmt: skip
    try:
        client = sdk(server.base_url)
        client.fine_tuning.jobs.cancel(_job(client))
        first, second = receiver.wait_for(2)
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        assert verify_both(second, SECRET).type == "fine_tuning.job.cancelled"
    finally:
        server.stop()
        receiver.close()
