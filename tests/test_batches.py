"""Batches driven by the official SDK on the manual clock."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import openai
import pytest

from mockserver.kinds import DEFAULT_PHASES
from tests.conftest import Advance

Upload = Callable[..., Awaitable[str]]

VALIDATING = DEFAULT_PHASES["batch.validating"]
IN_PROGRESS = DEFAULT_PHASES["batch.in_progress"]
FINALIZING = DEFAULT_PHASES["batch.finalizing"]
CANCELLING = DEFAULT_PHASES["batch.cancelling"]


def line(custom_id: str, endpoint: str = "/v1/chat/completions", **body: Any) -> dict[str, Any]:
    if not body:
        body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"say {custom_id}"}]}
    return {"custom_id": custom_id, "method": "POST", "url": endpoint, "body": body}


def jsonl(*lines: dict[str, Any] | str) -> bytes:
    return ("\n".join(item if isinstance(item, str) else json.dumps(item) for item in lines) + "\n").encode()


async def batch_file(upload: Upload, *lines: dict[str, Any] | str) -> str:
    return await upload(jsonl(*lines), filename="input.jsonl", purpose="batch")


async def lines_of(client: openai.AsyncOpenAI, file_id: str | None) -> list[dict[str, Any]]:
    assert file_id is not None
    return [json.loads(text) for text in (await client.files.content(file_id)).text.splitlines()]


async def test_a_batch_walks_to_completed_with_counts_moving_and_one_result_per_line(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    file_id = await batch_file(upload, *(line(f"r{i}") for i in range(8)))
    batch = await client.batches.create(input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h")
    assert batch.id.startswith("batch_") and batch.status == "validating"
    assert batch.expires_at == batch.created_at + 24 * 3600 and batch.model == "gpt-4o-mini"
    await advance(VALIDATING)
    running = await client.batches.retrieve(batch.id)
    assert running.status == "in_progress" and running.in_progress_at == batch.created_at + VALIDATING
    assert running.request_counts is not None and running.request_counts.total == 8
    seen = []
    for _ in range(4):
        await advance(IN_PROGRESS / 4)
        counts = (await client.batches.retrieve(batch.id)).request_counts
        assert counts is not None
        seen.append(counts.completed)
    assert seen == sorted(seen) and seen[0] < 8 and seen[-1] == 8
    assert (await client.batches.retrieve(batch.id)).status == "finalizing"
    answer = await advance(FINALIZING)
    assert [(t["from"], t["to"]) for t in answer["transitions"]] == [("finalizing", "completed")]
    done = await client.batches.retrieve(batch.id)
    assert done.status == "completed" and done.completed_at and done.finalizing_at and done.error_file_id is None
    assert done.usage is not None and done.usage.total_tokens > 0
    results = await lines_of(client, done.output_file_id)
    assert [r["custom_id"] for r in results] == [f"r{i}" for i in range(8)]
    first = results[0]
    assert first["id"].startswith("batch_req_") and first["error"] is None
    assert first["response"]["status_code"] == 200 and first["response"]["request_id"].startswith("req_")
    body = first["response"]["body"]
    assert body["object"] == "chat.completion" and body["choices"][0]["message"]["role"] == "assistant"
    assert (await client.files.retrieve(done.output_file_id or "")).purpose == "batch_output"


@pytest.mark.parametrize(
    ("endpoint", "body", "check"),
    [
        ("/v1/embeddings", {"model": "text-embedding-3-small", "input": ["a", "b"]},
         lambda b: b["object"] == "list" and len(b["data"]) == 2 and len(b["data"][0]["embedding"]) == 1536),
        ("/v1/responses", {"model": "gpt-4o-mini", "input": "hi"},
         lambda b: b["object"] == "response" and b["output"][0]["content"][0]["type"] == "output_text"),
        ("/v1/completions", {"model": "gpt-3.5-turbo-instruct", "prompt": "hi"},
         lambda b: b["object"] == "text_completion" and b["choices"][0]["text"]),
        ("/v1/moderations", {"input": "hi"}, lambda b: b["results"][0]["flagged"] is False),
        ("/v1/images/generations", {"prompt": "a cat"}, lambda b: b["data"][0]["b64_json"]),
    ],
)  # fmt: skip
async def test_results_are_shaped_like_each_endpoints_response(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, endpoint: str, body: dict[str, Any], check: Any
) -> None:
    file_id = await batch_file(upload, line("only", endpoint, **body))
    batch = await client.batches.create(input_file_id=file_id, endpoint=endpoint, completion_window="24h")  # type: ignore[arg-type]
    await advance(60)
    [result] = await lines_of(client, (await client.batches.retrieve(batch.id)).output_file_id)
    assert check(result["response"]["body"])


async def test_requests_the_endpoint_refuses_go_to_the_error_file(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    no_messages = {
        "custom_id": "bad",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "gpt-4o-mini"},
    }
    file_id = await batch_file(upload, line("good"), no_messages)
    batch = await client.batches.create(input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h")
    await advance(60)
    done = await client.batches.retrieve(batch.id)
    assert done.status == "completed"
    assert done.request_counts is not None and (done.request_counts.completed, done.request_counts.failed) == (1, 1)
    [refused] = await lines_of(client, done.error_file_id)
    assert refused["custom_id"] == "bad" and refused["response"]["status_code"] == 400
    assert refused["response"]["body"]["error"]["param"] == "messages"


@pytest.mark.parametrize(
    ("lines", "code", "param"),
    [
        (["{not json"], "invalid_json_line", None),
        ([line("a"), line("a")], "duplicate_custom_id", "custom_id"),
        ([{"method": "POST", "url": "/v1/chat/completions", "body": {}}], "missing_required_parameter", "custom_id"),
        ([{**line("a"), "method": "GET"}], "invalid_method", "method"),
        ([{**line("a"), "url": "/v1/embeddings"}], "mismatched_endpoint", "url"),
        ([{**line("a"), "body": "text"}], "invalid_request", "body"),
        ([line("a"), line("b", model="gpt-4o", messages=[])], "mismatched_model", "body.model"),
        (["", "  "], "empty_file", None),
    ],
)
async def test_malformed_input_fails_the_batch_with_errors(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, lines: list[Any], code: str, param: str | None
) -> None:
    file_id = await batch_file(upload, *lines)
    batch = await client.batches.create(input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h")
    assert batch.status == "validating"  # accepted now, failed when validation ends, as on the real API
    answer = await advance(VALIDATING)
    assert [(t["from"], t["to"]) for t in answer["transitions"]] == [("validating", "failed")]
    failed = await client.batches.retrieve(batch.id)
    assert failed.failed_at is not None and failed.errors is not None and failed.errors.data
    assert failed.errors.data is not None
    first = failed.errors.data[0]
    assert (first.code, first.param) == (code, param)
    assert first.message


async def test_cancel_answers_cancelling_then_cancels_with_partial_results(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    file_id = await batch_file(upload, *(line(f"r{i}") for i in range(10)))
    batch = await client.batches.create(input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h")
    await advance(VALIDATING + IN_PROGRESS / 2)
    cancelling = await client.batches.cancel(batch.id)
    assert cancelling.status == "cancelling" and cancelling.cancelling_at is not None
    assert cancelling.cancelled_at is None
    answer = await advance(CANCELLING)
    assert [(t["from"], t["to"]) for t in answer["transitions"]] == [("cancelling", "cancelled")]
    cancelled = await client.batches.retrieve(batch.id)
    assert cancelled.status == "cancelled" and cancelled.cancelling_at is not None
    assert cancelled.cancelled_at == cancelled.cancelling_at + CANCELLING
    assert cancelled.request_counts is not None and 0 < cancelled.request_counts.completed < 10
    partial = await lines_of(client, cancelled.output_file_id)
    assert len(partial) == cancelled.request_counts.completed


async def test_cancel_while_validating_has_no_results(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    file_id = await batch_file(upload, line("a"))
    batch = await client.batches.create(input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h")
    cancelling = await client.batches.cancel(batch.id)
    assert cancelling.status == "cancelling" and cancelling.in_progress_at is None
    await advance(CANCELLING)
    cancelled = await client.batches.retrieve(batch.id)
    assert cancelled.status == "cancelled" and cancelled.output_file_id is None
    assert cancelled.request_counts is not None and cancelled.request_counts.completed == 0


@pytest.mark.parametrize("scenario", ["succeed", "stall", "fail"])
async def test_cancelling_a_finished_or_cancelling_batch_is_a_400_naming_its_status(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, scenario: str
) -> None:
    file_id = await batch_file(upload, line("a"))
    batch = await client.batches.create(
        input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h",
        extra_headers={"x-mock-scenario": scenario},
    )  # fmt: skip
    if scenario == "stall":
        await client.batches.cancel(batch.id)
    else:
        await advance(60)
    status = (await client.batches.retrieve(batch.id)).status
    assert status == {"succeed": "completed", "fail": "failed", "stall": "cancelling"}[scenario]
    with pytest.raises(openai.BadRequestError) as caught:
        await client.batches.cancel(batch.id)
    assert f"'{status}'" in caught.value.message


async def test_the_fail_scenario_fails_while_finalizing(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    file_id = await batch_file(upload, line("a"))
    batch = await client.batches.create(
        input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h",
        metadata={"mock_scenario": "fail"},
    )  # fmt: skip
    answer = await advance(60)
    assert [t["to"] for t in answer["transitions"]] == ["in_progress", "finalizing", "failed"]
    failed = await client.batches.retrieve(batch.id)
    assert failed.errors is not None and failed.errors.data is not None
    assert failed.errors.data[0].code == "server_error"


async def test_the_expire_scenario_expires_at_expires_at_with_partial_results(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    file_id = await batch_file(upload, *(line(f"r{i}") for i in range(6)))
    batch = await client.batches.create(
        input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h",
        extra_headers={"x-mock-scenario": "expire"},
    )  # fmt: skip
    await advance(23 * 3600)
    assert (await client.batches.retrieve(batch.id)).status == "in_progress"
    answer = await advance(3600)
    assert answer["transitions"][-1]["to"] == "expired"
    expired = await client.batches.retrieve(batch.id)
    assert expired.expired_at == expired.expires_at
    assert expired.request_counts is not None and expired.request_counts.completed == 3
    assert len(await lines_of(client, expired.output_file_id)) == 3
    unrun = await lines_of(client, expired.error_file_id)
    assert [r["error"]["code"] for r in unrun] == ["batch_expired"] * 3 and unrun[0]["response"] is None


async def test_list_is_newest_first_and_paginates(client: openai.AsyncOpenAI, upload: Upload) -> None:
    file_id = await batch_file(upload, line("a"))
    ids = [
        (
            await client.batches.create(input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h")
        ).id
        for _ in range(3)
    ]
    page = await client.batches.list(limit=2)
    assert [b.id for b in page.data] == ids[::-1][:2] and page.has_more
    assert [b.id async for b in client.batches.list(limit=1)] == ids[::-1]


@pytest.mark.parametrize(
    ("body", "param", "status"),
    [
        ({"endpoint": "/v1/chat/completions", "completion_window": "24h"}, "input_file_id", 400),
        ({"input_file_id": "F", "endpoint": "/v1/audio", "completion_window": "24h"}, "endpoint", 400),
        ({"input_file_id": "F", "endpoint": "/v1/chat/completions", "completion_window": "48h"},
         "completion_window", 400),
        ({"input_file_id": "file-nope", "endpoint": "/v1/chat/completions", "completion_window": "24h"},
         "input_file_id", 400),
        ({"input_file_id": "F", "endpoint": "/v1/chat/completions", "completion_window": "24h",
          "output_expires_after": {"anchor": "created_at", "seconds": 60}}, "output_expires_after.seconds", 400),
    ],
)  # fmt: skip
async def test_bad_create_requests_are_400s_with_param(
    http: httpx.AsyncClient, upload: Upload, body: dict[str, Any], param: str, status: int
) -> None:
    file_id = await batch_file(upload, line("a"))
    body = {key: file_id if value == "F" else value for key, value in body.items()}
    response = await http.post("/v1/batches", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["param"] == param
    assert (await http.get("/v1/batches")).json()["data"] == []


async def test_a_file_with_another_purpose_cannot_be_batched(http: httpx.AsyncClient, upload: Upload) -> None:
    other = await upload(jsonl(line("a")), filename="in.jsonl", purpose="fine-tune")
    response = await http.post(
        "/v1/batches", json={"input_file_id": other, "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    )
    assert response.status_code == 400 and "'fine-tune'" in response.json()["error"]["message"]


async def test_unknown_batches_are_404s(client: openai.AsyncOpenAI) -> None:
    for call in (client.batches.retrieve("batch_nope"), client.batches.cancel("batch_nope")):
        with pytest.raises(openai.NotFoundError) as caught:
            await call
        assert caught.value.param == "batch_id"


@pytest.mark.parametrize(
    ("target", "final"), [("in_progress", "in_progress"), ("completed", "completed"), ("expired", "expired"),
                          ("cancelled", "cancelled"), ("failed", "failed")],
)  # fmt: skip
async def test_forced_transitions(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI, upload: Upload, target: str, final: str
) -> None:
    file_id = await batch_file(upload, line("a"), line("b"))
    batch = await client.batches.create(input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h")
    response = await http.post(f"/_mock/batches/{batch.id}/transition", json={"status": target})
    assert response.status_code == 200, response.text
    after = await client.batches.retrieve(batch.id)
    assert after.status == final
    if final == "completed":
        assert len(await lines_of(client, after.output_file_id)) == 2
    if final == "failed":
        assert after.errors is not None and after.errors.data
    backwards = await http.post(f"/_mock/batches/{batch.id}/transition", json={"status": "validating"})
    assert backwards.status_code == 400


async def test_a_forced_failure_carries_its_errors(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI, upload: Upload
) -> None:
    file_id = await batch_file(upload, line("a"))
    batch = await client.batches.create(input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h")
    errors = [{"code": "token_limit_exceeded", "message": "Enqueued token limit reached.", "line": None, "param": None}]
    await http.post(f"/_mock/batches/{batch.id}/transition", json={"status": "failed", "errors": errors})
    failed = await client.batches.retrieve(batch.id)
    assert failed.errors is not None and failed.errors.data is not None
    assert failed.errors.data[0].code == "token_limit_exceeded"
