"""Evals listed, updated and deleted, and runs deleted, through the official SDK (sync and async, strict parsing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import openai
import pytest

from tests.conftest import Advance, resolve
from tests.test_evals import CONFIG, CRITERIA, JSONL

OTHER_PROJECT = {"OpenAI-Project": "proj_other"}


async def _eval(sdk: Any, name: str = "support bot", **extra: Any) -> Any:
    return await resolve(sdk.evals.create(name=name, data_source_config=CONFIG, testing_criteria=CRITERIA, **extra))


async def _ids(page: Any) -> list[str]:
    return [evaluation.id for evaluation in (await resolve(page)).data]


async def test_evals_list_oldest_first_by_default_and_page_with_after(sdk: Any) -> None:
    created = [(await _eval(sdk, f"eval {i}")).id for i in range(3)]
    assert await _ids(sdk.evals.list()) == created
    assert await _ids(sdk.evals.list(order="desc")) == created[::-1]
    first = await resolve(sdk.evals.list(limit=2))
    assert [e.id for e in first.data] == created[:2] and first.has_more
    assert first.first_id == created[0] and first.last_id == created[1]
    rest = await resolve(sdk.evals.list(limit=2, after=first.last_id))
    assert [e.id for e in rest.data] == created[2:] and not rest.has_more


async def test_evals_order_by_updated_at(sdk: Any, advance: Advance) -> None:
    first, second = (await _eval(sdk, "a")).id, (await _eval(sdk, "b")).id
    await advance(5)
    await resolve(sdk.evals.update(first, name="a, renamed"))
    assert await _ids(sdk.evals.list(order_by="updated_at")) == [second, first]
    assert await _ids(sdk.evals.list(order_by="updated_at", order="desc")) == [first, second]
    assert await _ids(sdk.evals.list(order_by="created_at")) == [first, second]


async def test_update_renames_and_replaces_metadata(sdk: Any) -> None:
    evaluation = await _eval(sdk, metadata={"team": "cx"})
    renamed = await resolve(sdk.evals.update(evaluation.id, name="renamed"))
    assert renamed.name == "renamed" and renamed.metadata == {"team": "cx"}  # what is not sent is kept
    updated = await resolve(sdk.evals.update(evaluation.id, metadata={"stage": "prod"}))
    assert updated.name == "renamed" and updated.metadata == {"stage": "prod"}
    assert (await resolve(sdk.evals.retrieve(evaluation.id))).metadata == {"stage": "prod"}


async def test_delete_answers_the_deleted_shape_and_takes_the_runs_along(make_sdk: Any, advance: Advance) -> None:
    sdk = make_sdk()
    evaluation = await _eval(sdk)
    kept = await _eval(sdk, "kept")
    run = await resolve(make_sdk(strict=False).evals.runs.create(evaluation.id, data_source=JSONL))
    deleted = await resolve(sdk.evals.delete(evaluation.id))
    assert (deleted.object, deleted.deleted, deleted.eval_id) == ("eval.deleted", True, evaluation.id)
    with pytest.raises(openai.NotFoundError) as caught:
        await resolve(sdk.evals.retrieve(evaluation.id))
    assert caught.value.param == "eval_id"
    with pytest.raises(openai.NotFoundError):
        await resolve(sdk.evals.runs.delete(run.id, eval_id=evaluation.id))
    assert await _ids(sdk.evals.list()) == [kept.id]
    assert (await advance(3600))["transitions"] == []  # the deleted run's pending steps never happen
    with pytest.raises(openai.NotFoundError):
        await resolve(sdk.evals.delete(evaluation.id))


async def test_a_deleted_run_is_gone_from_reads_and_lists(make_sdk: Any, advance: Advance) -> None:
    # Runs are created and listed leniently: a run's `error` is null, which the SDK's strict types refuse
    # (see test_eval_output_items.py); the delete answer itself parses strictly.
    sdk, lenient = make_sdk(), make_sdk(strict=False)
    evaluation = await _eval(sdk)
    doomed = await resolve(lenient.evals.runs.create(evaluation.id, data_source=JSONL))
    kept = await resolve(lenient.evals.runs.create(evaluation.id, data_source=JSONL))
    deleted = await resolve(sdk.evals.runs.delete(doomed.id, eval_id=evaluation.id))
    assert (deleted.object, deleted.deleted, deleted.run_id) == ("eval.run.deleted", True, doomed.id)
    assert [run.id for run in (await resolve(lenient.evals.runs.list(evaluation.id))).data] == [kept.id]
    with pytest.raises(openai.NotFoundError) as caught:
        await resolve(lenient.evals.runs.retrieve(doomed.id, eval_id=evaluation.id))
    assert caught.value.param == "run_id"
    transitions = (await advance(3600))["transitions"]
    assert {t["id"] for t in transitions} == {kept.id}


async def test_another_projects_evals_and_runs_are_404s(sdk: Any, make_sdk: Any) -> None:
    evaluation = await _eval(sdk)
    run = await resolve(make_sdk(strict=False).evals.runs.create(evaluation.id, data_source=JSONL))
    calls: list[Callable[[], Any]] = [
        lambda: sdk.evals.update(evaluation.id, name="x", extra_headers=OTHER_PROJECT),
        lambda: sdk.evals.delete(evaluation.id, extra_headers=OTHER_PROJECT),
        lambda: sdk.evals.runs.delete(run.id, eval_id=evaluation.id, extra_headers=OTHER_PROJECT),
    ]
    for call in calls:  # each made only inside its check: the async client's call is a coroutine
        with pytest.raises(openai.NotFoundError):
            await resolve(call())
    assert await _ids(sdk.evals.list(extra_headers=OTHER_PROJECT)) == []
    assert (await resolve(sdk.evals.retrieve(evaluation.id))).name == "support bot"  # untouched


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"name": 5}, "name"),
        ({"name": None}, "name"),
        ({"metadata": {"k": 1}}, "metadata"),
        ({"color": "red"}, "color"),
    ],
)
async def test_bad_updates_are_400s_naming_the_field(
    http: httpx.AsyncClient, sdk: Any, body: dict[str, Any], param: str
) -> None:
    evaluation = await _eval(sdk)
    response = await http.post(f"/v1/evals/{evaluation.id}", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param


@pytest.mark.parametrize(("query", "param"), [("order_by=name", "order_by"), ("order=up", "order")])
async def test_bad_list_parameters_are_400s(http: httpx.AsyncClient, query: str, param: str) -> None:
    response = await http.get(f"/v1/evals?{query}")
    assert response.status_code == 400 and response.json()["error"]["param"] == param


async def test_the_new_routes_answer_at_the_azure_prefix_too(http: httpx.AsyncClient, sdk: Any) -> None:
    evaluation = await _eval(sdk)
    headers = {"api-key": "sk-test", "Authorization": ""}
    listed = await http.get("/openai/v1/evals", headers=headers)
    assert listed.status_code == 200, listed.text
    updated = await http.post(f"/openai/v1/evals/{evaluation.id}", json={"name": "az"}, headers=headers)
    assert updated.status_code == 200 and updated.json()["name"] == "az"
    deleted = await http.delete(f"/openai/v1/evals/{evaluation.id}", headers=headers)
    assert deleted.json() == {"object": "eval.deleted", "deleted": True, "eval_id": evaluation.id}
