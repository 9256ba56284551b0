"""A run's output items, consistent with its counts; and what of an eval run the SDK's strict types refuse."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pydantic
import pytest
from openai.types.evals import RunRetrieveResponse
from openai.types.evals.runs import OutputItemListResponse

from mockserver import Settings, create_app
from mockserver.clock import ManualClock
from tests.conftest import Advance, AppClient, resolve
from tests.openapi import KNOWN_DIFFERENCES
from tests.test_evals import CONFIG, CRITERIA, IN_PROGRESS, JSONL, QUEUED, ROWS

COMPLETIONS: Any = {
    "type": "completions",
    "model": "gpt-4o-mini",
    "source": {"type": "file_content", "content": ROWS[:3]},
    "input_messages": {
        "type": "template",
        "template": [
            {"type": "message", "role": "developer", "content": {"type": "input_text", "text": "Answer briefly."}},
            {"type": "message", "role": "user", "content": {"type": "input_text", "text": "Q: {{ item.question }}"}},
        ],
    },
}


def _documented(schema: str) -> set[str]:
    """The fields KNOWN_DIFFERENCES lists for a schema, by their pointers' last part."""
    return {
        pointer.rsplit("/", 1)[-1]
        for name, pointers, _ in KNOWN_DIFFERENCES
        if name == schema
        for pointer in pointers.split(", ")
    }


def _refused(model: type[pydantic.BaseModel], data: dict[str, Any]) -> set[str]:
    """Where the SDK's type, validating strictly, refuses `data` (dotted paths without list indices)."""
    try:
        model.model_validate(data)
    except pydantic.ValidationError as error:
        return {".".join(str(part) for part in e["loc"] if not isinstance(part, int)) for e in error.errors()}
    return set()


async def _completed_run(make_sdk: Any, advance: Advance, data_source: Any = JSONL) -> tuple[Any, Any]:
    lenient = make_sdk(strict=False)
    evaluation = await resolve(lenient.evals.create(data_source_config=CONFIG, testing_criteria=CRITERIA))
    run = await resolve(lenient.evals.runs.create(evaluation.id, data_source=data_source))
    await advance(60)
    return lenient, await resolve(lenient.evals.runs.retrieve(run.id, eval_id=evaluation.id))


async def test_output_items_agree_with_the_runs_counts(make_sdk: Any, advance: Advance) -> None:
    sdk, run = await _completed_run(make_sdk, advance)
    items = (await resolve(sdk.evals.runs.output_items.list(run.id, eval_id=run.eval_id, limit=100))).data
    assert len(items) == run.result_counts.total == len(ROWS)
    assert sum(item.status == "pass" for item in items) == run.result_counts.passed
    assert sum(item.status == "fail" for item in items) == run.result_counts.failed
    for index, criterion in enumerate(run.per_testing_criteria_results):
        assert criterion.testing_criteria == CRITERIA[index]["name"]
        assert sum(item.results[index].passed for item in items) == criterion.passed
    for position, item in enumerate(items):
        assert (item.object, item.run_id, item.eval_id) == ("eval.run.output_item", run.id, run.eval_id)
        assert item.datasource_item_id == position and item.datasource_item == ROWS[position]["item"]
        assert [r.name for r in item.results] == [c["name"] for c in CRITERIA]
        assert item.status == ("pass" if all(r.passed for r in item.results) else "fail")
        assert json.loads(item.sample.input[0].content) == ROWS[position]["item"]
        assert item.sample.output[0].role == "assistant" and item.sample.output[0].content


async def test_the_sample_is_the_rendered_prompt_and_the_models_answer(make_sdk: Any, advance: Advance) -> None:
    sdk, run = await _completed_run(make_sdk, advance, COMPLETIONS)
    items = (await resolve(sdk.evals.runs.output_items.list(run.id, eval_id=run.eval_id))).data
    assert [(m.role, m.content) for m in items[1].sample.input] == [("developer", "Answer briefly."), ("user", "Q: q1")]
    assert all(item.sample.model == "gpt-4o-mini" for item in items)
    (usage,) = run.per_model_usage
    assert usage.prompt_tokens == sum(item.sample.usage.prompt_tokens for item in items) > 0
    assert usage.completion_tokens == sum(item.sample.usage.completion_tokens for item in items) > 0


async def test_a_rows_own_sample_is_its_output(make_sdk: Any, advance: Advance) -> None:
    rows = [{"item": {"question": "q"}, "sample": {"output_text": "forty-two"}}]
    source = {"type": "jsonl", "source": {"type": "file_content", "content": rows}}
    sdk, run = await _completed_run(make_sdk, advance, source)
    (item,) = (await resolve(sdk.evals.runs.output_items.list(run.id, eval_id=run.eval_id))).data
    assert item.sample.output[0].content == "forty-two"


async def test_output_items_page_filter_order_and_retrieve(make_sdk: Any, advance: Advance) -> None:
    sdk, run = await _completed_run(make_sdk, advance)
    items = sdk.evals.runs.output_items
    every = [item.id for item in (await resolve(items.list(run.id, eval_id=run.eval_id))).data]
    first = await resolve(items.list(run.id, eval_id=run.eval_id, limit=3))
    assert [i.id for i in first.data] == every[:3] and first.has_more and first.last_id == every[2]
    rest = await resolve(items.list(run.id, eval_id=run.eval_id, after=first.last_id, limit=100))
    assert [i.id for i in rest.data] == every[3:] and not rest.has_more
    newest = await resolve(items.list(run.id, eval_id=run.eval_id, order="desc"))
    assert [i.id for i in newest.data] == every[::-1]
    for status in ("pass", "fail"):
        page = await resolve(items.list(run.id, eval_id=run.eval_id, status=status))
        assert all(item.status == status for item in page.data)
        assert len(page.data) == getattr(run.result_counts, "passed" if status == "pass" else "failed")
    one = await resolve(items.retrieve(every[4], eval_id=run.eval_id, run_id=run.id))
    assert one.id == every[4] and one.datasource_item_id == 4
    with pytest.raises(openai.NotFoundError) as caught:
        await resolve(items.retrieve("outputitem_nope", eval_id=run.eval_id, run_id=run.id))
    assert caught.value.param == "output_item_id"


async def test_a_run_not_yet_graded_has_no_output_items(make_sdk: Any) -> None:
    sdk = make_sdk(strict=False)
    evaluation = await resolve(sdk.evals.create(data_source_config=CONFIG, testing_criteria=CRITERIA))
    run = await resolve(sdk.evals.runs.create(evaluation.id, data_source=JSONL))
    page = await resolve(sdk.evals.runs.output_items.list(run.id, eval_id=evaluation.id))
    assert page.data == [] and page.first_id is None and not page.has_more


async def _output_items_of_a_seeded_server(app_client: AppClient) -> list[dict[str, Any]]:
    # One start time for both: a manual clock otherwise starts at the wall clock's second, which may differ.
    app = create_app(Settings(clock="manual", seed=7), clock=ManualClock(start=1_767_225_600))
    async with app_client(app) as http:
        http.headers["Authorization"] = "Bearer sk-test"
        body = {"data_source_config": CONFIG, "testing_criteria": CRITERIA}
        eval_id = (await http.post("/v1/evals", json=body)).json()["id"]
        run_id = (await http.post(f"/v1/evals/{eval_id}/runs", json={"data_source": JSONL})).json()["id"]
        await http.post("/_mock/clock/advance", json={"seconds": 60})
        items: list[dict[str, Any]] = (await http.get(f"/v1/evals/{eval_id}/runs/{run_id}/output_items")).json()["data"]
        return items


async def test_output_items_are_reproducible_under_a_seed(app_client: AppClient) -> None:
    first = await _output_items_of_a_seeded_server(app_client)
    second = await _output_items_of_a_seeded_server(app_client)
    assert first == second and len(first) == len(ROWS)


# -- strict response validation ----------------------------------------------------------------------------------------


async def test_run_answers_fail_strict_parsing_only_where_the_real_api_does(
    http: httpx.AsyncClient, make_sdk: Any, advance: Advance
) -> None:
    """Every run state, raw: what the SDK's type refuses is exactly what KNOWN_DIFFERENCES lists (with evidence)."""
    sdk = make_sdk(strict=False)
    evaluation = await resolve(sdk.evals.create(data_source_config=CONFIG, testing_criteria=CRITERIA))
    runs = [await resolve(sdk.evals.runs.create(evaluation.id, data_source=s)) for s in (JSONL, COMPLETIONS, JSONL)]
    await resolve(sdk.evals.runs.cancel(runs[2].id, eval_id=evaluation.id))
    failing = await resolve(sdk.evals.runs.create(evaluation.id, data_source=JSONL, metadata={"mock_scenario": "fail"}))
    seen: dict[str, set[str]] = {}
    for step in (QUEUED, IN_PROGRESS, 0):  # queued, in progress, finished
        for run in [*runs, failing]:
            raw = (await http.get(f"/v1/evals/{evaluation.id}/runs/{run.id}")).json()
            seen[raw["status"]] = seen.get(raw["status"], set()) | _refused(RunRetrieveResponse, raw)
        await advance(step)
    assert set(seen) == {"queued", "in_progress", "completed", "canceled", "failed"}
    documented = _documented("EvalRun")
    assert all(refused <= documented for refused in seen.values()), seen
    assert "error" in seen["completed"] and "error" not in seen["failed"]  # a failed run's error is an object


async def test_both_sdk_modes_on_a_run_and_its_output_items(make_sdk: Any, advance: Advance) -> None:
    """Lenient parsing reads the nulls as None; strict parsing refuses them, as it would the real API's answer."""
    lenient, run = await _completed_run(make_sdk, advance)
    assert run.error is None and run.per_testing_criteria_results is not None
    item = (await resolve(lenient.evals.runs.output_items.list(run.id, eval_id=run.eval_id))).data[0]
    assert item.sample.error is None
    strict = make_sdk()
    with pytest.raises(openai.APIResponseValidationError):
        await resolve(strict.evals.runs.retrieve(run.id, eval_id=run.eval_id))
    with pytest.raises(openai.APIResponseValidationError):
        await resolve(strict.evals.runs.output_items.list(run.id, eval_id=run.eval_id))
    raw = item.to_dict(mode="json")
    assert _refused(OutputItemListResponse, raw) == {"sample.error"} and "error" in _documented("EvalRunOutputItem")
