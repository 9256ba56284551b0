"""Evals and eval runs driven by the official SDK on the manual clock."""

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

QUEUED = DEFAULT_PHASES["eval_run.queued"]
IN_PROGRESS = DEFAULT_PHASES["eval_run.in_progress"]

CONFIG: Any = {
    "type": "custom",
    "item_schema": {"type": "object", "properties": {"question": {"type": "string"}, "answer": {"type": "string"}}},
    "include_sample_schema": True,
}
CRITERIA: Any = [
    {"type": "string_check", "name": "exact", "input": "{{sample.output_text}}", "reference": "{{item.answer}}",
     "operation": "eq"},
    {"type": "text_similarity", "name": "close", "input": "{{sample.output_text}}", "reference": "{{item.answer}}",
     "evaluation_metric": "fuzzy_match", "pass_threshold": 0.8},
    {"type": "label_model", "name": "judge", "model": "gpt-4o-mini",
     "input": [{"role": "user", "content": "Is {{sample.output_text}} right?"}], "labels": ["yes", "no"],
     "passing_labels": ["yes"]},
]  # fmt: skip
ROWS: Any = [{"item": {"question": f"q{i}", "answer": f"a{i}"}} for i in range(7)]
JSONL: Any = {"type": "jsonl", "source": {"type": "file_content", "content": ROWS}}


async def _eval(client: openai.AsyncOpenAI) -> str:
    evaluation = await client.evals.create(name="support bot", data_source_config=CONFIG, testing_criteria=CRITERIA)
    return evaluation.id


async def test_create_and_retrieve_an_eval(client: openai.AsyncOpenAI) -> None:
    evaluation = await client.evals.create(
        name="support bot", data_source_config=CONFIG, testing_criteria=CRITERIA, metadata={"team": "cx"}
    )
    assert evaluation.id.startswith("eval_") and evaluation.object == "eval" and evaluation.name == "support bot"
    assert evaluation.data_source_config.type == "custom"
    schema: Any = evaluation.data_source_config.to_dict()["schema"]
    assert schema["required"] == ["item", "sample"] and schema["properties"]["item"] == CONFIG["item_schema"]
    assert [c.name for c in evaluation.testing_criteria] == ["exact", "close", "judge"]
    assert (await client.evals.retrieve(evaluation.id)).id == evaluation.id


async def test_a_run_walks_to_completed_with_results(client: openai.AsyncOpenAI, advance: Advance) -> None:
    eval_id = await _eval(client)
    run = await client.evals.runs.create(eval_id, name="nightly", data_source=JSONL)
    assert run.id.startswith("evalrun_") and run.status == "queued" and run.eval_id == eval_id
    assert run.report_url.endswith(f"?run_id={run.id}") and run.name == "nightly"
    await advance(QUEUED)
    assert (await client.evals.runs.retrieve(run.id, eval_id=eval_id)).status == "in_progress"
    answer = await advance(IN_PROGRESS)
    assert [(t["from"], t["to"]) for t in answer["transitions"]] == [("in_progress", "completed")]
    done = await client.evals.runs.retrieve(run.id, eval_id=eval_id)
    assert done.status == "completed"
    counts = done.result_counts
    assert counts.total == 7 and counts.passed + counts.failed + counts.errored == 7
    assert done.per_testing_criteria_results is not None
    assert [r.testing_criteria for r in done.per_testing_criteria_results] == ["exact", "close", "judge"]


async def test_a_completions_run_reports_model_usage(client: openai.AsyncOpenAI, advance: Advance) -> None:
    eval_id = await _eval(client)
    source: Any = {"type": "completions", "model": "gpt-4o-mini", "source": {"type": "stored_completions", "limit": 4},
                   "input_messages": {"type": "item_reference", "item_reference": "item.input"}}  # fmt: skip
    run = await client.evals.runs.create(eval_id, data_source=source)
    assert run.model == "gpt-4o-mini"
    await advance(60)
    done = await client.evals.runs.retrieve(run.id, eval_id=eval_id)
    assert done.result_counts.total == 4
    assert done.per_model_usage is not None and done.per_model_usage[0].run_model_name == "gpt-4o-mini"


async def test_a_run_over_an_uploaded_file_counts_its_lines(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    eval_id = await _eval(client)
    file_id = await upload(
        ("\n".join(json.dumps(r) for r in ROWS[:5]) + "\n").encode(), filename="d.jsonl", purpose="evals"
    )
    run = await client.evals.runs.create(
        eval_id, data_source={"type": "jsonl", "source": {"type": "file_id", "id": file_id}}
    )
    await advance(60)
    assert (await client.evals.runs.retrieve(run.id, eval_id=eval_id)).result_counts.total == 5


@pytest.mark.parametrize("elapsed", [0, QUEUED])
async def test_the_sdk_cancel_path_cancels_at_once(
    client: openai.AsyncOpenAI, advance: Advance, elapsed: float
) -> None:
    eval_id = await _eval(client)
    run = await client.evals.runs.create(eval_id, data_source=JSONL)
    if elapsed:
        await advance(elapsed)
    canceled = await client.evals.runs.cancel(run.id, eval_id=eval_id)
    assert canceled.status == "canceled"  # one l, as the real API spells it
    assert (await advance(3600))["transitions"] == []


async def test_the_cancel_route_of_the_spec_example_works_too(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI
) -> None:
    eval_id = await _eval(client)
    run = await client.evals.runs.create(eval_id, data_source=JSONL)
    response = await http.post(f"/v1/evals/{eval_id}/runs/{run.id}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "canceled"
    again = await http.post(f"/v1/evals/{eval_id}/runs/{run.id}/cancel")
    assert again.status_code == 400 and "'canceled'" in again.json()["error"]["message"]


@pytest.mark.parametrize(
    ("scenario", "status", "code"),
    [("fail", "failed", "server_error"), ("fail_validation", "failed", "invalid_data_source")],
)
async def test_failure_scenarios(
    client: openai.AsyncOpenAI, advance: Advance, scenario: str, status: str, code: str
) -> None:
    eval_id = await _eval(client)
    run = await client.evals.runs.create(eval_id, data_source=JSONL, metadata={"mock_scenario": scenario})
    await advance(60)
    failed = await client.evals.runs.retrieve(run.id, eval_id=eval_id)
    assert failed.status == status and failed.error is not None and failed.error.code == code
    with pytest.raises(openai.BadRequestError, match="'failed'"):
        await client.evals.runs.cancel(run.id, eval_id=eval_id)


async def test_stall_waits_in_queued(client: openai.AsyncOpenAI, advance: Advance) -> None:
    eval_id = await _eval(client)
    run = await client.evals.runs.create(eval_id, data_source=JSONL, extra_headers={"x-mock-scenario": "stall"})
    await advance(24 * 3600)
    assert (await client.evals.runs.retrieve(run.id, eval_id=eval_id)).status == "queued"


async def test_runs_list_in_order_with_a_status_filter(client: openai.AsyncOpenAI, advance: Advance) -> None:
    eval_id = await _eval(client)
    first = await client.evals.runs.create(eval_id, data_source=JSONL)
    second = await client.evals.runs.create(eval_id, data_source=JSONL)
    await client.evals.runs.cancel(second.id, eval_id=eval_id)
    other = await _eval(client)
    await client.evals.runs.create(other, data_source=JSONL)
    assert [r.id async for r in client.evals.runs.list(eval_id)] == [first.id, second.id]  # oldest first by default
    assert [r.id for r in (await client.evals.runs.list(eval_id, order="desc")).data] == [second.id, first.id]
    assert [r.id for r in (await client.evals.runs.list(eval_id, status="canceled")).data] == [second.id]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"data_source_config": CONFIG}, "testing_criteria"),
        ({"data_source_config": CONFIG, "testing_criteria": []}, "testing_criteria"),
        ({"data_source_config": {"type": "spreadsheet"}, "testing_criteria": CRITERIA}, "data_source_config.type"),
        ({"data_source_config": {"type": "custom"}, "testing_criteria": CRITERIA}, "data_source_config.item_schema"),
        ({"data_source_config": CONFIG, "testing_criteria": [{"type": "string_check", "name": "x"}]},
         "testing_criteria[0].input"),
        ({"data_source_config": CONFIG, "testing_criteria": [{**CRITERIA[1], "pass_threshold": "high"}]},
         "testing_criteria[0].pass_threshold"),
    ],
)  # fmt: skip
async def test_bad_evals_are_400s_naming_the_field(http: httpx.AsyncClient, body: dict[str, Any], param: str) -> None:
    response = await http.post("/v1/evals", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "data_source"),
        ({"data_source": {"type": "csv"}}, "data_source.type"),
        ({"data_source": {"type": "jsonl", "source": {"type": "file_content", "content": [{"sample": {}}]}}},
         "data_source.source.content[0].item"),
        ({"data_source": {"type": "jsonl", "source": {"type": "file_id", "id": "file-nope"}}}, "data_source.source.id"),
    ],
)  # fmt: skip
async def test_bad_runs_are_400s_naming_the_field(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI, body: dict[str, Any], param: str
) -> None:
    eval_id = await _eval(client)
    response = await http.post(f"/v1/evals/{eval_id}/runs", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param


async def test_unknown_evals_and_runs_are_404s(client: openai.AsyncOpenAI, http: httpx.AsyncClient) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        await client.evals.retrieve("eval_nope")
    assert caught.value.param == "eval_id"
    with pytest.raises(openai.NotFoundError):
        await client.evals.runs.create("eval_nope", data_source=JSONL)
    eval_id = await _eval(client)
    run = await client.evals.runs.create(eval_id, data_source=JSONL)
    other = await _eval(client)
    for call in (
        client.evals.runs.retrieve(run.id, eval_id=other),
        client.evals.runs.cancel("evalrun_nope", eval_id=eval_id),
    ):
        with pytest.raises(openai.NotFoundError) as caught:
            await call
        assert caught.value.param == "run_id"
    bad = await http.post(f"/_mock/evals/{other}/runs/{run.id}/transition", json={"status": "completed"})
    assert bad.status_code == 404


@pytest.mark.parametrize("target", ["in_progress", "completed", "failed", "canceled"])
async def test_forced_transitions(http: httpx.AsyncClient, client: openai.AsyncOpenAI, target: str) -> None:
    eval_id = await _eval(client)
    run = await client.evals.runs.create(eval_id, data_source=JSONL)
    response = await http.post(f"/_mock/evals/{eval_id}/runs/{run.id}/transition", json={"status": target})
    assert response.status_code == 200, response.text
    after = await client.evals.runs.retrieve(run.id, eval_id=eval_id)
    assert after.status == target
    if target == "completed":
        assert after.result_counts.total == 7
    assert (
        await http.post(f"/_mock/evals/{eval_id}/runs/{run.id}/transition", json={"status": "queued"})
    ).status_code == 400
