"""Batches and eval runs end to end: the CLI-started server, the sync SDK, webhooks to a real receiver."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import openai
import pytest

from tests.e2e.conftest import SECRET, CliServer
from tests.e2e.receiver import LoopbackReceiver
from tests.verification import verify_both

pytestmark = pytest.mark.e2e

Sdk = Callable[..., openai.OpenAI]

CRITERIA: Any = [
    {"type": "string_check", "name": "exact", "input": "{{sample.output_text}}", "reference": "{{item.answer}}",
     "operation": "eq"},
]  # fmt: skip
JSONL: Any = {"type": "jsonl", "source": {"type": "file_content", "content": [{"item": {"answer": "4"}}] * 3}}


def _batch(client: openai.OpenAI, scenario: str = "succeed") -> str:
    lines = [
        {"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions",
         "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}}
        for i in range(4)
    ]  # fmt: skip
    file = client.files.create(
        file=("in.jsonl", "\n".join(json.dumps(line) for line in lines).encode()), purpose="batch"
    )
    batch = client.batches.create(
        input_file_id=file.id, endpoint="/v1/chat/completions", completion_window="24h",
        extra_headers={"x-mock-scenario": scenario},
    )  # fmt: skip
    return batch.id


def _run(client: openai.OpenAI, scenario: str = "succeed") -> tuple[str, str]:
    evaluation = client.evals.create(
        name="e2e", data_source_config={"type": "custom", "item_schema": {"type": "object"}}, testing_criteria=CRITERIA
    )
    run = client.evals.runs.create(evaluation.id, data_source=JSONL, extra_headers={"x-mock-scenario": scenario})
    return evaluation.id, run.id


def _only_event(receiver: LoopbackReceiver) -> Any:
    assert len(receiver.received) == 1, [r.body for r in receiver.received]
    return verify_both(receiver.received[0], SECRET)


@pytest.mark.parametrize(
    ("scenario", "status", "event_type"),
    [
        ("succeed", "completed", "batch.completed"),
        ("fail", "failed", "batch.failed"),
        ("fail_validation", "failed", "batch.failed"),
        ("expire", "expired", "batch.expired"),
    ],
)
def test_each_batch_outcome_sends_its_one_event(
    hooked: CliServer, sdk: Sdk, receiver: LoopbackReceiver, scenario: str, status: str, event_type: str
) -> None:
    client = sdk(hooked.base_url)
    batch_id = _batch(client, scenario)
    hooked.advance(25 * 3600)
    assert client.batches.retrieve(batch_id).status == status
    event = _only_event(receiver)
    assert (event.type, event.data.id) == (event_type, batch_id)


@pytest.mark.parametrize("elapsed", [0, 5])
def test_a_batch_cancel_goes_through_cancelling_and_sends_batch_cancelled(
    hooked: CliServer, sdk: Sdk, receiver: LoopbackReceiver, elapsed: float
) -> None:
    client = sdk(hooked.base_url)
    batch_id = _batch(client)
    hooked.advance(elapsed)
    assert client.batches.cancel(batch_id).status == "cancelling"
    hooked.advance(0)
    assert receiver.received == []  # cancelling announces nothing
    hooked.advance(3)
    assert client.batches.retrieve(batch_id).status == "cancelled"
    event = _only_event(receiver)
    assert (event.type, event.data.id) == ("batch.cancelled", batch_id)


@pytest.mark.parametrize(
    ("scenario", "status", "event_type"),
    [("succeed", "completed", "eval.run.succeeded"), ("fail", "failed", "eval.run.failed")],
)
def test_each_eval_run_outcome_sends_its_one_event(
    hooked: CliServer, sdk: Sdk, receiver: LoopbackReceiver, scenario: str, status: str, event_type: str
) -> None:
    client = sdk(hooked.base_url)
    eval_id, run_id = _run(client, scenario)
    hooked.advance(60)
    assert client.evals.runs.retrieve(run_id, eval_id=eval_id).status == status
    event = _only_event(receiver)
    assert (event.type, event.data.id) == (event_type, run_id)


@pytest.mark.parametrize("path", ["sdk", "cancel-route"])
def test_both_eval_run_cancel_paths_send_eval_run_canceled(
    hooked: CliServer, sdk: Sdk, receiver: LoopbackReceiver, path: str
) -> None:
    client = sdk(hooked.base_url)
    eval_id, run_id = _run(client)
    if path == "sdk":
        assert client.evals.runs.cancel(run_id, eval_id=eval_id).status == "canceled"
    else:
        response = httpx.post(
            f"{hooked.base_url}/evals/{eval_id}/runs/{run_id}/cancel", headers={"Authorization": "Bearer sk-e2e"}
        )
        assert response.json()["status"] == "canceled"
    hooked.advance(3600)
    event = _only_event(receiver)
    assert (event.type, event.data.id) == ("eval.run.canceled", run_id)


def test_forced_transitions_announce_too(hooked: CliServer, sdk: Sdk, receiver: LoopbackReceiver) -> None:
    client = sdk(hooked.base_url)
    batch_id = _batch(client)
    eval_id, run_id = _run(client)
    httpx.post(f"{hooked.url}/_mock/batches/{batch_id}/transition", json={"status": "completed"}).raise_for_status()
    httpx.post(
        f"{hooked.url}/_mock/evals/{eval_id}/runs/{run_id}/transition", json={"status": "failed"}
    ).raise_for_status()
    hooked.advance(0)
    types = sorted(verify_both(received, SECRET).type for received in receiver.received)
    assert types == ["batch.completed", "eval.run.failed"]
